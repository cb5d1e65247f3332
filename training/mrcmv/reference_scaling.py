"""Hubness reduction at serving time: each track's score is standardised against a fixed set of
reference queries (training videos' query embeddings shipped with the model).

A track whose windows sit close to where many queries point scores high for every video (a hub).
For track t, let s_r(t) be its best-window score for reference query r; serving ranks by
(score - c(t)) / max(std_r s_r(t), STD_FLOOR): how unusually well this video matches the track
compared with how well videos in general match it. The centre c(t) is the log-mean-exp of the s_r(t)
at sharpness beta (the manifest's `referenceSoftmaxBeta`): their mean at beta 0, nearer their
maximum as beta grows (the inverted softmax of Smith et al. 2017, querybank normalisation of
Bogolin et al. 2022: a hub is marked by how high its closest references score). c and std depend
only on the track, so they are computed once, when the track is embedded
(src/inference/track-scaling.ts does the same).
"""
import random
from typing import Optional, Sequence, Tuple

import torch

from .catalog_eval import embed_queries
from .data import ClipDataset, Item

# Below this the spread of a track's reference scores is noise; it also keeps the division finite.
STD_FLOOR = 0.02
# The manifest's bound on beta (src/inference/track-scaling.ts MAX_SOFTMAX_BETA).
MAX_SOFTMAX_BETA = 1000.0


@torch.no_grad()
def reference_queries(model, items: Sequence[Item], cfg, count: int, pool_frames: int = 0, seed: int = 0,
                      device: str = "cpu") -> torch.Tensor:
    """[count, D] query embeddings of the items' videos (first 32 s), drawn without replacement."""
    rng = random.Random(seed)
    # Keyed by dataset and video: every dataset names its videos v0000, v0001, ...
    unique = list({(it.root, it.video_id): it for it in items}.values())
    chosen = rng.sample(unique, min(count, len(unique)))
    model.eval()
    dataset = ClipDataset(chosen, [(i, 0.0) for i in range(len(chosen))], cfg, pool_frames=pool_frames)
    return embed_queries(model, dataset, device=device)


def reference_beta(value) -> float:
    """A centre sharpness the manifest accepts, else ValueError (also the argparse type of
    --reference-beta, so a bad value is refused before anything is trained or written)."""
    beta = float(value)
    if not 0.0 <= beta <= MAX_SOFTMAX_BETA:
        raise ValueError(f"beta must be in [0, {MAX_SOFTMAX_BETA}], got {value}")
    return beta


def log_mean_exp(values: torch.Tensor, beta: float) -> float:
    """(1 / beta) log mean exp(beta x), from the maximum so it cannot overflow; the mean at beta 0."""
    beta = reference_beta(beta)
    values = values.double()
    if beta == 0:
        return float(values.mean())
    top = values.max()
    return float(top + torch.log(torch.exp(beta * (values - top)).mean()) / beta)


def track_scaling(references: torch.Tensor, windows: torch.Tensor, beta: float = 0.0) -> Tuple[float, float]:
    """(centre, std) over reference queries of the track's best-window score: the centre is the
    log-mean-exp at `beta` (the mean at 0), std the population std, floored at STD_FLOOR."""
    best = (references @ windows.T).max(dim=1).values.double()
    mean = float(best.mean())
    std = float(((best - mean) ** 2).mean().sqrt())
    return log_mean_exp(best, beta), max(std, STD_FLOOR)


def scaled_scores(best: torch.Tensor, scaling: Optional[Sequence[Tuple[float, float]]]) -> torch.Tensor:
    """best [Q, T] raw best-window scores -> standardised per track (unchanged without scaling)."""
    if scaling is None:
        return best
    means = torch.tensor([m for m, _ in scaling], dtype=best.dtype)
    stds = torch.tensor([s for _, s in scaling], dtype=best.dtype)
    return (best - means) / stds
