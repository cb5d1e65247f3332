"""Dataset of precomputed features (format: training/README.md, "Dataset directory").

root/manifest.json            {"items": [{videoId, trackId, split, durationSec, musicOffsetSec?}]}
root/items/<videoId>/frames.npy  uint8 [T, H, W, 3], 2 fps (frame i at t = 0.5 i s)
root/items/<videoId>/voice.npy   float32 log-mel, [T, 96, 64] patches or [T_frames, 64] frames
root/music/<trackId>.npy         float32 log-mel, same two layouts as voice.npy
"""
import json
import math
import os
import random
import sys
from dataclasses import dataclass
from typing import List, Optional, Sequence, Tuple, Union

import numpy as np
import torch
from torch.nn import functional as F
from torch.utils.data import Dataset

from .config import MRCMVConfig
from .pseudo_labels import assign_pseudo_labels

FRAMES_PER_SECOND = 2.0
MEL_FRAMES_PER_SECOND = 100.0  # 10 ms hop


@dataclass
class Item:
    video_id: str
    track_id: str
    split: str
    duration: float
    music_offset: float = 0.0
    # The dataset directory the item's files are in (training may read several).
    root: str = ""


def load_manifest(root: str) -> List[Item]:
    with open(os.path.join(root, "manifest.json")) as fh:
        data = json.load(fh)
    rows = data["items"] if isinstance(data, dict) else data
    items = []
    for row in rows:
        if row["split"] not in ("train", "test"):
            raise ValueError(f"item {row['videoId']}: split must be train or test")
        items.append(Item(row["videoId"], row["trackId"], row["split"], float(row["durationSec"]),
                          float(row.get("musicOffsetSec", 0.0)), root))
    return items


def load_manifests(roots: Union[str, Sequence[str]]) -> List[Item]:
    """Items of one or several dataset directories. A track keeps its trackId across them (the
    same catalog file gives the same id), so clips of one track are never each other's negatives."""
    return [item for root in ([roots] if isinstance(roots, str) else roots) for item in load_manifest(root)]


def looped_indices(start: int, count: int, length: int) -> np.ndarray:
    """Indices start..start+count-1, wrapping around: short items are repeated (looped)."""
    return (start + np.arange(count)) % length


def looped_rows(array: np.ndarray, start: int, count: int) -> np.ndarray:
    """array[looped_indices(start, count, len(array))], read as contiguous slices: fancy indexing
    of a memory-mapped file reads row by row and took most of a training step."""
    length = array.shape[0]
    start %= length
    pieces, need = [], count
    while need > 0:
        take = min(need, length - start)
        pieces.append(np.array(array[start:start + take]))  # a copy: memory maps are read-only
        need -= take
        start = 0
    return pieces[0] if len(pieces) == 1 else np.concatenate(pieces)


def cut_patches(logmel: np.ndarray, start_seconds: float, patches: int, patch_frames: int) -> np.ndarray:
    """[patches, patch_frames, mel] starting at start_seconds (rounded to the 10 ms hop)."""
    frames = logmel.reshape(-1, logmel.shape[-1])  # non-overlapping patches -> one frame sequence
    start = int(round(start_seconds * MEL_FRAMES_PER_SECOND))
    rows = looped_rows(frames, start, patches * patch_frames)
    return np.asarray(rows, dtype=np.float32).reshape(patches, patch_frames, frames.shape[-1])


def cut_frames(frames: np.ndarray, start_seconds: float, count: int, height: int, width: int,
               pool_to: int = 0) -> torch.Tensor:
    """[count, 3, H, W] float in [0, 1] at 2 fps from start_seconds, looped, resized if needed.

    pool_to > 0: then averaged down to pool_to x pool_to by whole blocks, which is exactly what a
    video encoder that begins by averaging down (FrameStatsVideo) computes from H x W frames."""
    start = int(round(start_seconds * FRAMES_PER_SECOND))
    clip = torch.from_numpy(np.ascontiguousarray(looped_rows(frames, start, count)))
    clip = clip.permute(0, 3, 1, 2).float() / 255.0
    if clip.shape[-2:] != (height, width):
        clip = F.interpolate(clip, size=(height, width), mode="bilinear", align_corners=False)
    if pool_to and (height, width) != (pool_to, pool_to):
        clip = F.avg_pool2d(clip, (height // pool_to, width // pool_to))
    return clip


class ClipDataset(Dataset):
    """One sample per (item, start) clip: contract-shaped inputs plus label and track index."""

    def __init__(self, items: Sequence[Item], clips: Sequence[Tuple[int, float]],
                 cfg: MRCMVConfig, labels: Optional[Sequence[int]] = None,
                 track_index: Optional[dict] = None, music_jitter: float = 0.0, pool_frames: int = 0):
        self.items, self.clips, self.cfg = list(items), list(clips), cfg
        self.music_jitter = music_jitter
        self.pool_frames = pool_frames
        self.labels = list(labels) if labels is not None else list(range(len(self.clips)))
        self.track_index = track_index or {t: i for i, t in enumerate(sorted({it.track_id for it in items}))}

    def __len__(self) -> int:
        return len(self.clips)

    @staticmethod
    def _load(*parts: str) -> np.ndarray:
        return np.load(os.path.join(*parts), mmap_mode="r")

    def _frames(self, item: Item) -> Tuple[np.ndarray, bool]:
        """The item's frames, and whether they are already averaged down to pool_frames."""
        frames = self._load(item.root, "items", item.video_id, "frames.npy")
        if not self.pool_frames or frames.shape[1:3] != (self.cfg.height, self.cfg.width):
            return frames, False
        # Averaging down a whole video once and keeping it beside frames.npy is the same as doing
        # it per clip (each frame is pooled on its own), at a fraction of the reading and work.
        cached = os.path.join(item.root, "items", item.video_id, f"frames-pooled{self.pool_frames}.npy")
        if not os.path.exists(cached):
            pooled = cut_frames(frames, 0.0, frames.shape[0], self.cfg.height, self.cfg.width, self.pool_frames)
            partial = f"{cached}.{os.getpid()}.tmp.npy"
            np.save(partial, pooled.numpy())
            os.replace(partial, cached)
        return self._load(cached), True

    def __getitem__(self, index: int) -> dict:
        item_index, start = self.clips[index]
        item, cfg = self.items[item_index], self.cfg
        frames, pooled = self._frames(item)
        if pooled:
            first = int(round(start * FRAMES_PER_SECOND))
            fast = torch.from_numpy(np.ascontiguousarray(looped_rows(frames, first, cfg.fast_frames)))
        else:
            fast = cut_frames(frames, start, cfg.fast_frames, cfg.height, cfg.width, self.pool_frames)
        slow = fast[:: cfg.fast_frames // cfg.slow_frames].clone()
        voice = cut_patches(self._load(item.root, "items", item.video_id, "voice.npy"), start, cfg.patches,
                            cfg.patch_frames)
        music_start = item.music_offset + start
        if self.music_jitter > 0:
            music_start = max(0.0, music_start + random.uniform(-self.music_jitter, self.music_jitter))
        music = cut_patches(self._load(item.root, "music", f"{item.track_id}.npy"), music_start, cfg.patches,
                            cfg.patch_frames)
        return {"video_fast": fast, "video_slow": slow, "voice": torch.from_numpy(voice),
                "music": torch.from_numpy(music), "label": self.labels[index],
                "track": self.track_index[item.track_id], "item": item_index, "start": float(start)}


def sample_training_starts(items: Sequence[Item], clips_per_video: int, clip_seconds: float,
                           rng: random.Random) -> List[Tuple[int, float]]:
    """Random clip starts in [0, duration - clip_seconds], on the 0.5 s frame grid."""
    clips = []
    for index, item in enumerate(items):
        last = max(0.0, item.duration - clip_seconds)
        steps = int(math.floor(last * FRAMES_PER_SECOND))
        for _ in range(clips_per_video):
            clips.append((index, rng.randint(0, steps) / FRAMES_PER_SECOND))
    return clips


def warn_when_clips_cannot_vary(items: Sequence[Item], clips_per_video: int, clip_seconds: float,
                                out=sys.stderr) -> int:
    """Several clips per video are only different clips when the video is longer than one clip:
    an item of exactly clip_seconds (or shorter, looped) gives copies of one clip. Says how many
    such items there are (once), and returns the count."""
    fixed = sum(1 for it in items if it.duration - clip_seconds < 1.0 / FRAMES_PER_SECOND)
    if clips_per_video > 1 and fixed:
        print(f"warning: {fixed} of {len(items)} training videos last at most {clip_seconds:g} s: their "
              f"{clips_per_video} clips per video all start at 0 s (copies, not variety)", file=out)
    return fixed


def build_datasets(roots: Union[str, Sequence[str]], cfg: MRCMVConfig, clips_per_video: int = 4, seed: int = 0,
                   music_jitter: float = 0.0, pool_frames: int = 0):
    """(train dataset, test dataset or None, number of pseudo-label classes).

    The training clips are drawn once per run with `seed` so that the pseudo-label classes
    (the classifiers' outputs) stay fixed; test clips are each item's first clip_seconds."""
    items = load_manifests(roots)
    track_index = {t: i for i, t in enumerate(sorted({it.track_id for it in items}))}
    train_items = [it for it in items if it.split == "train"]
    test_items = [it for it in items if it.split == "test"]
    if not train_items:
        raise ValueError(f"{roots}: no train items")
    warn_when_clips_cannot_vary(train_items, clips_per_video, cfg.clip_seconds)
    clips = sample_training_starts(train_items, clips_per_video, cfg.clip_seconds, random.Random(seed))
    keys = [f"{train_items[i].root}/{train_items[i].video_id}" for i, _ in clips]
    labels = assign_pseudo_labels(keys, [s for _, s in clips])
    train = ClipDataset(train_items, clips, cfg, labels, track_index, music_jitter, pool_frames)
    test = None
    if test_items:
        test = ClipDataset(test_items, [(i, 0.0) for i in range(len(test_items))], cfg,
                           track_index=track_index, pool_frames=pool_frames)
    return train, test, max(labels) + 1
