"""Hubness reduction by centring: after training, the mean query embedding and the mean music-window
embedding are measured on training data and taken off each branch's output (before the final
L2 normalisation; both are buffers of the branches, so the exported ONNX files do it too).

A retrieval space where every query shares a direction, and some music windows point along it,
makes those windows everyone's nearest neighbours (hubs). Centring removes the shared direction;
the cosine then ranks by what distinguishes a query from the average query.
"""
import random
from typing import Sequence

import numpy as np
import torch

from .catalog_eval import embed_queries
from .data import MEL_FRAMES_PER_SECOND, ClipDataset, Item, cut_patches


@torch.no_grad()
def fit_centres(model, items: Sequence[Item], cfg, pool_frames: int = 0, samples: int = 2000,
                seed: int = 0, device: str = "cpu") -> dict:
    rng = random.Random(seed)
    model.eval()
    model.query.centre.zero_()
    model.bgm.centre.zero_()
    chosen = rng.sample(list(items), min(samples, len(items)))
    queries = embed_queries(model, ClipDataset(chosen, [(i, 0.0) for i in range(len(chosen))], cfg,
                                               pool_frames=pool_frames), device=device)
    windows = []
    for i in range(0, len(chosen), 64):
        clips = []
        for item in chosen[i:i + 64]:
            music = np.load(f"{item.root}/music/{item.track_id}.npy", mmap_mode="r")
            seconds = music.reshape(-1, music.shape[-1]).shape[0] / MEL_FRAMES_PER_SECOND
            clips.append(cut_patches(music, rng.uniform(0, max(0.0, seconds - cfg.clip_seconds)), cfg.patches,
                                     cfg.patch_frames))
        windows.append(model.encode_music(torch.from_numpy(np.stack(clips)).to(device)).cpu())
    music_mean = torch.cat(windows).mean(dim=0)
    query_mean = queries.mean(dim=0)
    model.query.centre.copy_(query_mean.to(model.query.centre.device))
    model.bgm.centre.copy_(music_mean.to(model.bgm.centre.device))
    return {"queries": len(chosen), "queryMeanNorm": round(float(query_mean.norm()), 4),
            "musicMeanNorm": round(float(music_mean.norm()), 4)}
