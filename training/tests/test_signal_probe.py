import json
import os

import numpy as np

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


def _write_timed(root: str, follows: bool, seed: int = 0) -> None:
    """Six tracks whose loudness changes every second at random; 30 voice-overs over the first
    32 s of their track whose per-second loudness follows that track's (follows) or another's."""
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
        speech = (np.arange(3300) % 100) < 80  # a pause at the end of every second
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
