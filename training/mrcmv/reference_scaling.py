"""Hubness reduction at serving time: each track's score is standardised against a fixed set of
reference queries (training videos' query embeddings shipped with the model).

A track whose windows sit close to where many queries point scores high for every video (a hub).
For track t, let s_r(t) be its best-window score for reference query r; serving ranks by
(score - mean_r s_r(t)) / max(std_r s_r(t), STD_FLOOR): how unusually well this video matches the
track compared with how well videos in general match it. mean and std depend only on the track,
so they are computed once, when the track is embedded (src/inference/track-scaling.ts does the same).
"""
import random
from typing import Optional, Sequence, Tuple

import torch

from .catalog_eval import embed_queries
from .data import ClipDataset, Item

# Below this the spread of a track's reference scores is noise; it also keeps the division finite.
STD_FLOOR = 0.02


@torch.no_grad()
def reference_queries(model, items: Sequence[Item], cfg, count: int, pool_frames: int = 0, seed: int = 0,
                      device: str = "cpu") -> torch.Tensor:
    """[count, D] query embeddings of training videos (first 32 s), drawn without replacement."""
    rng = random.Random(seed)
    unique = list({it.video_id: it for it in items}.values())
    chosen = rng.sample(unique, min(count, len(unique)))
    model.eval()
    dataset = ClipDataset(chosen, [(i, 0.0) for i in range(len(chosen))], cfg, pool_frames=pool_frames)
    return embed_queries(model, dataset, device=device)


def track_scaling(references: torch.Tensor, windows: torch.Tensor) -> Tuple[float, float]:
    """(mean, std) over reference queries of the track's best-window score; std is the population
    std, floored at STD_FLOOR."""
    best = (references @ windows.T).max(dim=1).values.double()
    mean = float(best.mean())
    std = float(((best - mean) ** 2).mean().sqrt())
    return mean, max(std, STD_FLOOR)


def scaled_scores(best: torch.Tensor, scaling: Optional[Sequence[Tuple[float, float]]]) -> torch.Tensor:
    """best [Q, T] raw best-window scores -> standardised per track (unchanged without scaling)."""
    if scaling is None:
        return best
    means = torch.tensor([m for m, _ in scaling], dtype=best.dtype)
    stds = torch.tensor([s for _, s in scaling], dtype=best.dtype)
    return (best - means) / stds
