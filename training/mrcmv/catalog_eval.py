"""Catalog ranking in PyTorch, as suggestBgm ranks: every track of the items' datasets is cut into
32 s windows every `hop` seconds, each query (the first 32 s of a test video) scores a track by its
best window, and the rank of the video's own track is reported with the hubness figures.

This is the training loop's model-selection measure (on the training packages' held-back videos);
reported results come from `npm run eval`, which runs the exported ONNX through the serving code.
"""
from typing import Dict, List, Optional, Sequence

import numpy as np
import torch

from .data import MEL_FRAMES_PER_SECOND, ClipDataset, Item, cut_patches, load_manifest


def window_starts(duration: float, clip_seconds: float, hop: float) -> List[float]:
    """Starts of a track's serving windows: every `hop` seconds while a whole clip fits; a track
    shorter than one clip gets one window at 0 (looped). With hop == clip_seconds this is the
    original rule of src/features/clip.ts (a last partial window of at least 8 s is looped)."""
    if hop >= clip_seconds:
        starts, start = [], 0.0
        while start < duration:
            if start > 0 and duration - start < min(clip_seconds, 8.0):
                break
            starts.append(start)
            start += clip_seconds
        return starts or [0.0]
    last = duration - clip_seconds
    if last < 0:
        return [0.0]
    return [k * hop for k in range(int(np.floor(last / hop + 1e-9)) + 1)]


@torch.no_grad()
def embed_windows(model, music: np.ndarray, starts: Sequence[float], cfg, batch: int = 64,
                  device: str = "cpu") -> torch.Tensor:
    out = []
    for i in range(0, len(starts), batch):
        clips = np.stack([cut_patches(music, s, cfg.patches, cfg.patch_frames) for s in starts[i:i + batch]])
        out.append(model.encode_music(torch.from_numpy(clips).to(device)).cpu())
    return torch.cat(out)


@torch.no_grad()
def embed_queries(model, dataset: ClipDataset, batch: int = 32, device: str = "cpu") -> torch.Tensor:
    out = []
    for i in range(0, len(dataset), batch):
        samples = [dataset[j] for j in range(i, min(len(dataset), i + batch))]
        stack = {k: torch.stack([s[k] for s in samples]).to(device) for k in ("video_fast", "video_slow", "voice")}
        out.append(model.encode_query(stack["video_fast"], stack["video_slow"], stack["voice"]).cpu())
    return torch.cat(out)


def hubness(top1: np.ndarray, top5: np.ndarray, n_tracks: int) -> Dict[str, float]:
    """top1 [Q] and top5 [Q, 5] track indices. maxTop1Share: the largest number of queries one
    track is top-1 for, over the fair share Q / n_tracks (1.0 = perfectly even); top5Coverage:
    the share of the catalog that is in someone's top 5."""
    counts = np.bincount(top1, minlength=n_tracks)
    return {"maxTop1Share": float(counts.max() / (len(top1) / n_tracks)),
            "top5Coverage": float(len(np.unique(top5)) / n_tracks)}


@torch.no_grad()
def catalog_embeddings(model, items: Sequence[Item], cfg, hop: float, pool_frames: int = 0,
                       device: str = "cpu") -> Dict[str, object]:
    """The items' query embeddings [Q, D], each catalog track's window embeddings, and each item's
    track index: everything catalog_ranks needs from the model."""
    model.eval()
    # The whole catalog of the items' datasets, not only the tracks the items use: a real catalog
    # holds tracks nobody has chosen yet, and they compete too.
    tracks = sorted({(it.root, it.track_id) for root in {it.root for it in items} for it in load_manifest(root)})
    index = {t: i for i, t in enumerate(tracks)}
    dataset = ClipDataset(list(items), [(i, 0.0) for i in range(len(items))], cfg, pool_frames=pool_frames)
    windows = []
    for root, track_id in tracks:
        music = np.load(f"{root}/music/{track_id}.npy", mmap_mode="r")
        duration = music.reshape(-1, music.shape[-1]).shape[0] / MEL_FRAMES_PER_SECOND
        windows.append(embed_windows(model, music, window_starts(duration, cfg.clip_seconds, hop), cfg, device=device))
    return {"queries": embed_queries(model, dataset, device=device), "windows": windows,
            "truth": torch.tensor([index[(it.root, it.track_id)] for it in items])}


def ranks_from_embeddings(queries: torch.Tensor, windows: Sequence[torch.Tensor], truth: torch.Tensor,
                          references: Optional[torch.Tensor] = None, reference_beta: float = 0.0) -> Dict[str, object]:
    """Each query's rank of its own track (best window), standardised per track over `references`
    as serving does when given (reference_scaling.py), with the top-1 and top-5 tracks."""
    # Imported here: reference_scaling imports embed_queries from this module.
    from .reference_scaling import scaled_scores, track_scaling

    best = torch.stack([(queries @ w.T).max(dim=1).values for w in windows], dim=1)
    scaling = [track_scaling(references, w, reference_beta) for w in windows] if references is not None else None
    best = scaled_scores(best, scaling)
    own = best[torch.arange(len(truth)), truth]
    ranks = 1 + (best > own[:, None]).sum(dim=1)
    order = best.argsort(dim=1, descending=True)
    return {"ranks": ranks.numpy(), "tracks": len(windows), "top1": order[:, 0].numpy(),
            "top5": order[:, :5].numpy()}


def catalog_ranks(model, items: Sequence[Item], cfg, hop: float, pool_frames: int = 0,
                  device: str = "cpu", references: Optional[torch.Tensor] = None,
                  reference_beta: float = 0.0) -> Dict[str, object]:
    """Ranks of each item's track among all tracks of the items' datasets (best window); each item's
    root should be the same dataset (the training loop validates dataset by dataset). With
    `references`, scores are standardised per track as serving does (reference_scaling.py), with
    the centre's sharpness `reference_beta`."""
    out = catalog_embeddings(model, items, cfg, hop, pool_frames, device)
    refs = references.to(out["queries"].device) if references is not None else None
    return ranks_from_embeddings(out["queries"], out["windows"], out["truth"], refs, reference_beta)


def summarise(ranks: np.ndarray, n_tracks: int, top1: Optional[np.ndarray] = None,
              top5: Optional[np.ndarray] = None) -> Dict[str, float]:
    out = {f"R@{k}": round(100.0 * float((ranks <= k).mean()), 2) for k in (1, 3, 5, 10)}
    out["medianRank"] = float(np.median(ranks))
    out["meanRank"] = round(float(np.mean(ranks)), 2)
    out["tracks"] = n_tracks
    out["queries"] = int(len(ranks))
    if top1 is not None and top5 is not None:
        out.update({k: round(v, 3) for k, v in hubness(top1, top5, n_tracks).items()})
    return out
