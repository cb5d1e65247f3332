import json
import os

import numpy as np

from training.mrcmv.music_levels import rms_per_second_db
from training.mrcmv.signal_probe import probe, window_starts


def _write(root: str, informative: bool, seed: int = 0) -> None:
    """Six tracks of constant, distinct loudness; 60 voice-overs whose loudness follows their
    track's (informative) or is drawn at random (not)."""
    rng = np.random.default_rng(seed)
    os.makedirs(os.path.join(root, "music"))
    levels = np.linspace(-4.0, 1.0, 6)
    for t, level in enumerate(levels):
        music = level + 0.05 * rng.standard_normal((7000, 64))
        np.save(os.path.join(root, "music", f"t{t}.npy"), music.astype(np.float32))
    items = []
    for i in range(60):
        t = i % 6
        level = levels[t] if informative else rng.uniform(-4.0, 1.0)
        voice = np.full((3300, 64), -8.0)
        voice[::2] = level + 0.1 * rng.standard_normal((1650, 64))  # speech every other frame
        os.makedirs(os.path.join(root, "items", f"v{i}"))
        np.save(os.path.join(root, "items", f"v{i}", "voice.npy"), voice.astype(np.float32))
        items.append({"videoId": f"v{i}", "trackId": f"t{t}", "split": "train", "durationSec": 33.0})
    with open(os.path.join(root, "manifest.json"), "w") as fh:
        json.dump({"items": items}, fh)


def test_windows_follow_the_serving_rule():
    # 70 s: windows at 0 and 32 s, and the 6 s tail is dropped; a 10 s tail is kept.
    assert window_starts(7000) == [0.0, 32.0]
    assert window_starts(7400) == [0.0, 32.0, 64.0]
    assert window_starts(500) == [0.0]


def test_a_voice_that_carries_the_music_is_found_and_noise_is_not(tmp_path):
    _write(str(tmp_path / "signal"), informative=True)
    _write(str(tmp_path / "noise"), informative=False)
    signal = probe(str(tmp_path / "signal"))["rows"]
    noise = probe(str(tmp_path / "noise"))["rows"]
    assert signal["oracle"]["R@1"] == 100.0
    # Chance R@3 is 50 % with six tracks.
    assert signal["voice"]["R@3"] >= 80.0 and signal["voice"]["medianRank"] == 1.0
    assert noise["voice"]["R@3"] <= 65.0
    assert signal["chance"]["R@3"] == 50.0 and "rule" not in signal


def _write_timed(root: str, follows: bool, seed: int = 0, pause_frames: int = 20) -> None:
    """Six tracks whose loudness changes every second at random; 30 voice-overs over the first
    32 s of their track whose per-second loudness follows that track's (follows) or another's.
    Each second ends with a pause of pause_frames (from 25, every second is a line of its own)."""
    rng = np.random.default_rng(seed)
    os.makedirs(os.path.join(root, "music"))
    envelopes = rng.uniform(-4.0, 0.0, size=(6, 70))
    for t, envelope in enumerate(envelopes):
        music = np.repeat(envelope, 100)[:, None] + 0.05 * rng.standard_normal((7000, 64))
        np.save(os.path.join(root, "music", f"t{t}.npy"), music.astype(np.float32))
    items = []
    for i in range(30):
        t = i % 6
        source = envelopes[t if follows else (t + 1 + i % 5) % 6]
        voice = np.full((3300, 64), -4.6)  # the front end's digital silence
        speech = (np.arange(3300) % 100) < 100 - pause_frames
        voice[speech] = -1.0 + 0.3 * np.repeat(source[:33], 100)[:3300][speech, None]
        os.makedirs(os.path.join(root, "items", f"v{i}"))
        np.save(os.path.join(root, "items", f"v{i}", "voice.npy"), voice.astype(np.float32))
        items.append({"videoId": f"v{i}", "trackId": f"t{t}", "split": "train", "durationSec": 33.0})
    with open(os.path.join(root, "manifest.json"), "w") as fh:
        json.dump({"items": items}, fh)


def test_a_voice_that_keeps_the_music_s_time_is_found_by_the_timing_row(tmp_path):
    _write_timed(str(tmp_path / "follows"), follows=True)
    _write_timed(str(tmp_path / "other"), follows=False)
    assert probe(str(tmp_path / "follows"), hop_seconds=1.0)["rows"]["timing"]["R@1"] == 100.0
    # Each voice follows another track: its own is never first.
    assert probe(str(tmp_path / "other"), hop_seconds=1.0)["rows"]["timing"]["R@1"] == 0.0


def test_the_lines_row_reads_a_voice_over_spoken_in_lines(tmp_path):
    _write_timed(str(tmp_path / "follows"), follows=True, pause_frames=30)
    _write_timed(str(tmp_path / "other"), follows=False, pause_frames=30)
    follows = probe(str(tmp_path / "follows"), hop_seconds=1.0)["rows"]
    assert follows["timing-lines"]["R@1"] == 100.0 and follows["timing"]["R@1"] == 100.0
    assert probe(str(tmp_path / "other"), hop_seconds=1.0)["rows"]["timing-lines"]["R@1"] == 0.0


def _write_wav(path: str, seconds_and_amplitudes) -> None:
    """16 kHz mono 16-bit: a 60 Hz sine (below the log-mel's lowest band) per (seconds, amplitude)."""
    import wave

    parts = [a * np.sin(2 * np.pi * 60 * np.arange(int(16000 * s)) / 16000) for s, a in seconds_and_amplitudes]
    with wave.open(path, "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(16000)
        out.writeframes((np.concatenate(parts) * 32767).astype("<i2").tobytes())


def test_rms_per_second_is_the_full_band_level_the_generator_measures(tmp_path):
    path = str(tmp_path / "bass.wav")
    _write_wav(path, [(2.0, 0.5), (1.0, 0.05), (0.5, 0.5)])
    # A sine of amplitude a has RMS a / sqrt(2); the trailing half second is not a whole second.
    np.testing.assert_allclose(rms_per_second_db(path), [-9.03, -9.03, -29.03], atol=0.05)


def test_the_rms_rows_rank_by_the_music_s_own_levels(tmp_path):
    """The music's log-mel is flat, so only the RMS levels (from the dataset's audio) carry time."""
    rng = np.random.default_rng(1)
    root, raw = tmp_path / "features", tmp_path / "raw"
    os.makedirs(root / "music")
    os.makedirs(raw / "music")
    levels = rng.uniform(0.02, 0.6, size=(4, 40))
    tracks, items = [], []
    for t in range(4):
        np.save(root / "music" / f"t{t}.npy", np.full((4000, 64), -2.0, dtype=np.float32))
        _write_wav(str(raw / "music" / f"t{t}.wav"), [(1.0, a) for a in levels[t]])
        tracks.append({"trackId": f"t{t}", "file": f"music/t{t}.wav"})
    for i in range(12):
        t = i % 4
        voice = np.full((3300, 64), -4.6)
        speech = (np.arange(3300) % 100) < 70
        db = 20 * np.log10(levels[t][:33])
        voice[speech] = -1.0 + 0.1 * np.repeat(db, 100)[:3300][speech, None]
        os.makedirs(root / "items" / f"v{i}")
        np.save(root / "items" / f"v{i}" / "voice.npy", voice.astype(np.float32))
        items.append({"videoId": f"v{i}", "trackId": f"t{t}", "split": "test", "durationSec": 33.0})
    with open(root / "manifest.json", "w") as fh:
        json.dump({"items": items}, fh)
    with open(raw / "manifest.json", "w") as fh:
        json.dump({"tracks": tracks, "items": [{"videoId": it["videoId"]} for it in items]}, fh)
    rows = probe(str(root), str(raw), hop_seconds=1.0)["rows"]
    assert rows["timing-rms"]["R@1"] == 100.0 and rows["timing-rms-lines"]["R@1"] == 100.0
