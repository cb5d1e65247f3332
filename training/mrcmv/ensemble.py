"""Ensembles of trained runs, exported as one model version (docs/MODEL_CONTRACT.md).

/usr/bin/python3 -m training.mrcmv.ensemble --run runs/a --run runs/b --run runs/c \
    --export models/ens --version V [--dataset D ...] [--reference-queries 256] [--reference-beta B]
    [--reference-dataset R ...]

Why: held-out results vary a lot with the training seed (docs/RESULTS.md), and averaging the
scores of several seeds is the standard cure for that variance. The mean of N members' cosines is
the cosine of their concatenated embeddings (each divided by sqrt(N)), but the contract fixes
`embeddingDim` at 512 (the pgvector columns are vector(512)), so the concatenation is projected
onto its 512 principal directions, fitted on the training videos' queries and the training
tracks' music windows (uncentred, both sets weighted equally), and normalised again. The export
reports how closely the projected scores follow the exact ensemble's on the validation videos.
"""
import argparse
import json
import math
import os
import random
from typing import Dict, List, Optional, Sequence

import numpy as np
import torch
import torch.nn.functional as F
from torch import nn

from .catalog_eval import catalog_ranks, embed_queries, embed_windows, summarise, window_starts
from .data import MEL_FRAMES_PER_SECOND, ClipDataset, Item, load_manifests
from .export import export_model, load_checkpoint, model_from_checkpoint
from .model import MRCMV
from .reference_scaling import reference_beta, reference_queries


class Ensemble(nn.Module):
    """Members' embeddings concatenated (scaled so the dot product is the mean cosine), then
    `projection` [sum of member dims, D] and L2 normalisation; without a projection the exact
    concatenation (dimension N x member dim) is returned."""

    def __init__(self, members: Sequence[MRCMV], projection: Optional[torch.Tensor] = None):
        super().__init__()
        configs = [m.cfg.to_dict() for m in members]
        for key in ("clip_seconds", "patches", "patch_frames", "mel_bins", "fast_frames", "slow_frames", "height",
                    "width", "embed_dim"):
            if len({json.dumps(c[key]) for c in configs}) != 1:
                raise ValueError(f"ensemble members differ in {key}: they must share the model contract")
        self.members = nn.ModuleList(members)
        self.cfg = members[0].cfg
        # A plain flag, not a test on the buffer: the ONNX tracer would freeze such a test.
        self.projected = projection is not None
        self.register_buffer("projection", projection if projection is not None else torch.empty(0))

    def _combine(self, parts: List[torch.Tensor]) -> torch.Tensor:
        joined = torch.cat(parts, dim=1) / math.sqrt(len(parts))
        if not self.projected:
            return joined
        return F.normalize(joined @ self.projection, dim=1)

    def encode_query(self, video_fast, video_slow, voice):
        return self._combine([m.encode_query(video_fast, video_slow, voice) for m in self.members])

    def encode_music(self, music):
        return self._combine([m.encode_music(music) for m in self.members])


def fit_projection(queries: torch.Tensor, windows: torch.Tensor, dim: int) -> Dict[str, object]:
    """Top `dim` eigenvectors of the (uncentred) second moment of queries and windows, each set
    weighted equally; also the share of each set's energy they keep."""
    moment = queries.double().T @ queries.double() / len(queries) + windows.double().T @ windows.double() / len(windows)
    values, vectors = torch.linalg.eigh(moment)
    basis = vectors[:, values.argsort(descending=True)[:dim]]

    def kept(x: torch.Tensor) -> float:
        x = x.double()
        return float(((x @ basis) ** 2).sum() / (x ** 2).sum())

    return {"projection": basis.float(), "queryEnergyKept": round(kept(queries), 5),
            "musicEnergyKept": round(kept(windows), 5)}


def _track_windows(members_model: nn.Module, items: Sequence[Item], cfg, hop: float, per_track: int,
                   rng: random.Random) -> torch.Tensor:
    out = []
    for root, track_id in sorted({(it.root, it.track_id) for it in items}):
        music = np.load(f"{root}/music/{track_id}.npy", mmap_mode="r")
        duration = music.reshape(-1, music.shape[-1]).shape[0] / MEL_FRAMES_PER_SECOND
        starts = window_starts(duration, cfg.clip_seconds, hop)
        if len(starts) > per_track:
            starts = sorted(rng.sample(starts, per_track))
        out.append(embed_windows(members_model, music, starts, cfg))
    return torch.cat(out)


def _validation(model: nn.Module, items: Sequence[Item], cfg, hop: float, pool_frames: int,
                references: Optional[torch.Tensor], reference_beta: float = 0.0) -> Dict[str, float]:
    """Catalog ranking of the held-back videos, each dataset against its own tracks, pooled (as
    train.py validates)."""
    by_root: Dict[str, List[Item]] = {}
    for item in items:
        by_root.setdefault(item.root, []).append(item)
    ranks, top1, top5, tracks = [], [], [], 0
    for group in by_root.values():
        out = catalog_ranks(model, group, cfg, hop, pool_frames, "cpu", references, reference_beta)
        ranks.append(out["ranks"])
        top1.append(out["top1"] + tracks)
        top5.append(out["top5"] + tracks)
        tracks += out["tracks"]
    return summarise(np.concatenate(ranks), tracks, np.concatenate(top1), np.concatenate(top5))


def _fidelity(exact: nn.Module, projected: nn.Module, items: Sequence[Item], cfg, hop: float,
              pool_frames: int) -> Dict[str, float]:
    """How closely the projected ensemble's cosines follow the exact ensemble's, over the
    validation queries and the windows of their tracks."""
    dataset = ClipDataset(list(items), [(i, 0.0) for i in range(len(items))], cfg, pool_frames=pool_frames)
    rng = random.Random(0)
    windows_exact = _track_windows(exact, items, cfg, hop, 16, rng)
    rng = random.Random(0)
    windows_proj = _track_windows(projected, items, cfg, hop, 16, rng)
    a = (embed_queries(exact, dataset) @ windows_exact.T).flatten().double()
    b = (embed_queries(projected, dataset) @ windows_proj.T).flatten().double()
    corr = float(torch.corrcoef(torch.stack([a, b]))[0, 1])
    return {"scoreCorrelation": round(corr, 5), "meanAbsoluteError": round(float((a - b).abs().mean()), 5)}


def build(runs: Sequence[str], datasets: Optional[Sequence[str]] = None, reference_count: int = 256,
          windows_per_track: int = 40, log=print, reference_beta: float = 0.0,
          reference_datasets: Optional[Sequence[str]] = None) -> Dict[str, object]:
    # Read first, so that a reference dataset without videos is refused before any work.
    reference_pool = load_manifests(reference_datasets) if reference_datasets else None
    if reference_datasets and not reference_pool:
        raise ValueError(f"--reference-dataset {', '.join(reference_datasets)} holds no videos")
    checkpoints = [load_checkpoint(os.path.join(run, "checkpoint.pt")) for run in runs]
    members = [model_from_checkpoint(c).eval() for c in checkpoints]
    trainings = [c.get("training", {}) for c in checkpoints]
    hop = float(trainings[0].get("windowHopSeconds") or members[0].cfg.clip_seconds)
    roots = list(datasets or trainings[0].get("datasets") or [])
    if not roots:
        raise ValueError("no --dataset given and the first run does not record its datasets")
    cfg = members[0].cfg
    pool_frames = 16 if cfg.video_encoder == "frame-stats" else 0
    items = load_manifests(roots)
    train_items = [it for it in items if it.split == "train"]
    test_items = [it for it in items if it.split == "test"]
    exact = Ensemble(members).eval()
    unique = list({(it.root, it.video_id): it for it in train_items}.values())
    queries = embed_queries(exact, ClipDataset(unique, [(i, 0.0) for i in range(len(unique))], cfg,
                                               pool_frames=pool_frames))
    windows = _track_windows(exact, train_items, cfg, hop, windows_per_track, random.Random(0))
    fitted = fit_projection(queries, windows, cfg.embed_dim)
    log(json.dumps({"queries": len(queries), "windows": len(windows), "queryEnergyKept": fitted["queryEnergyKept"],
                    "musicEnergyKept": fitted["musicEnergyKept"]}))
    model = Ensemble(members, fitted["projection"]).eval()
    seed = int(trainings[0].get("seed", 0))
    # By default the training videos; reference_datasets draws them from videos the members never
    # trained on (every split of those datasets), which land where new voice-overs land.
    references = reference_queries(model, reference_pool or train_items, cfg, reference_count, pool_frames, seed=seed) \
        if reference_count else None
    metrics: Dict[str, object] = {}
    if test_items:
        metrics["fidelity"] = _fidelity(exact, model, test_items, cfg, hop, pool_frames)
        metrics["catalogScaled"] = _validation(model, test_items, cfg, hop, pool_frames, references, reference_beta)
        metrics["members"] = [c.get("metrics", {}).get("catalogScaled") for c in checkpoints]
        log(json.dumps({"fidelity": metrics["fidelity"], "catalogScaled": metrics["catalogScaled"],
                        "membersMeanRank": [m and m.get("meanRank") for m in metrics["members"]]}))
    training = {"trained": True, "ensemble": [{"run": os.path.abspath(r), "seed": t.get("seed"),
                                               "variant": t.get("variant")} for r, t in zip(runs, trainings)],
                "projection": {"from": len(members) * cfg.embed_dim, "to": cfg.embed_dim,
                               "queryEnergyKept": fitted["queryEnergyKept"],
                               "musicEnergyKept": fitted["musicEnergyKept"]},
                "member": trainings[0], "config": cfg.to_dict(), "windowHopSeconds": hop,
                "referenceQueries": reference_count, "referenceSoftmaxBeta": reference_beta, "datasets": [os.path.abspath(r) for r in roots],
                "referenceDatasets": [os.path.abspath(r) for r in reference_datasets or []],
                "torch": str(torch.__version__)}
    return {"model": model, "references": references, "metrics": metrics, "training": training, "hop": hop,
            "referenceBeta": reference_beta}


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--run", required=True, action="append", help="training run folder (holds checkpoint.pt)")
    parser.add_argument("--dataset", action="append", help="datasets (default: the first run's)")
    parser.add_argument("--export", required=True, help="model-version folder to write")
    parser.add_argument("--version", required=True)
    parser.add_argument("--reference-queries", type=int, default=256)
    parser.add_argument("--reference-beta", type=reference_beta, default=0.0,
                        help="sharpness of each track's centre over the reference queries (0: their mean)")
    parser.add_argument("--reference-dataset", action="append",
                        help="draw the reference queries from this dataset's videos (all splits) instead of the "
                             "training videos")
    parser.add_argument("--windows-per-track", type=int, default=40,
                        help="music windows per training track for fitting the projection")
    args = parser.parse_args(argv)
    if len(args.run) < 2:
        raise SystemExit("an ensemble needs at least two --run folders")
    built = build(args.run, args.dataset, args.reference_queries, args.windows_per_track,
                  reference_beta=args.reference_beta, reference_datasets=args.reference_dataset)
    export_model(built["model"], args.export, args.version, built["metrics"], built["training"],
                 window_hop=built["hop"], reference_queries=built["references"], beta=built["referenceBeta"])
    size = sum(os.path.getsize(os.path.join(args.export, f)) for f in os.listdir(args.export))
    print(json.dumps({"out": args.export, "version": args.version, "bytes": size}))


if __name__ == "__main__":
    main()
