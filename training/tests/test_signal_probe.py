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
