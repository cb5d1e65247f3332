"""Recall@K and median rank of the ground-truth music for each test query (paper section 4.3)."""
from typing import Dict, Sequence

import torch
from torch.utils.data import DataLoader

from .losses import squared_distances


@torch.no_grad()
def embed_dataset(model, dataset, device: str = "cpu", batch_size: int = 8):
    model.eval()
    queries, music, tracks = [], [], []
    for batch in DataLoader(dataset, batch_size=batch_size, shuffle=False):
        queries.append(model.encode_query(batch["video_fast"].to(device), batch["video_slow"].to(device),
                                          batch["voice"].to(device)).cpu())
        music.append(model.encode_music(batch["music"].to(device)).cpu())
        tracks.append(batch["track"])
    return torch.cat(queries), torch.cat(music), torch.cat(tracks)


def retrieval_metrics(queries: torch.Tensor, music: torch.Tensor, tracks: torch.Tensor,
                      ks: Sequence[int] = (1, 5, 10, 25)) -> Dict[str, float]:
    """Candidates are the test items' music clips; query i's ground truth is candidate i. A
    candidate of the same track is not counted against the query (it is the right music)."""
    d = squared_distances(queries, music)
    other_track = tracks[None, :] != tracks[:, None]
    closer = (d < d.diagonal()[:, None]) & other_track
    ranks = closer.sum(dim=1) + 1
    metrics = {f"R@{k}": 100.0 * (ranks <= k).float().mean().item() for k in ks}
    metrics["medianRank"] = ranks.float().median().item()
    metrics["candidates"] = int(music.shape[0])
    return metrics


def evaluate(model, dataset, device: str = "cpu", batch_size: int = 8) -> Dict[str, float]:
    return retrieval_metrics(*embed_dataset(model, dataset, device, batch_size))
