"""A tiny random dataset in the training-directory format, for tests and the GPU check."""
import json
import os

import numpy as np


def write_synthetic_dataset(root: str, seed: int = 0) -> str:
    """A tiny dataset in the format of training/README.md: items of various lengths (some
    shorter than 32 s, so they loop), both log-mel layouts, and one item with 32x32 frames."""
    rng = np.random.default_rng(seed)
    rows = [("v0", "t0", "train", 20.0), ("v1", "t1", "train", 45.0), ("v2", "t2", "train", 36.5),
            ("v3", "t0", "train", 50.0), ("v4", "t3", "test", 33.0), ("v5", "t1", "test", 12.0)]
    os.makedirs(os.path.join(root, "music"), exist_ok=True)
    for track in sorted({r[1] for r in rows}):
        music = rng.normal(-2.0, 1.0, size=(50, 96, 64)).astype(np.float32)
        np.save(os.path.join(root, "music", f"{track}.npy"), music)
    for index, (video, _track, _split, duration) in enumerate(rows):
        folder = os.path.join(root, "items", video)
        os.makedirs(folder, exist_ok=True)
        side = 32 if video == "v2" else 64
        frames = rng.integers(0, 256, size=(int(duration * 2), side, side, 3), dtype=np.uint8)
        np.save(os.path.join(folder, "frames.npy"), frames)
        n_mel_frames = int(duration * 100)
        voice = rng.normal(-3.0, 1.0, size=(n_mel_frames, 64)).astype(np.float32)
        if index % 2:  # the patch layout drops the tail that does not fill a patch
            voice = voice[: (n_mel_frames // 96) * 96].reshape(-1, 96, 64)
        np.save(os.path.join(folder, "voice.npy"), voice)
    manifest = {"items": [{"videoId": v, "trackId": t, "split": s, "durationSec": d,
                           **({"musicOffsetSec": 3.0} if v == "v1" else {})} for v, t, s, d in rows]}
    with open(os.path.join(root, "manifest.json"), "w") as fh:
        json.dump(manifest, fh)
    return root
