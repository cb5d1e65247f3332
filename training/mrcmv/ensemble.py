"""Ensembles of trained runs, exported as one model version (docs/MODEL_CONTRACT.md).

/usr/bin/python3 -m training.mrcmv.ensemble --run runs/a --run runs/b --run runs/c \
    --export models/ens --version V [--dataset D ...] [--reference-queries 256] [--reference-beta B]
    [--reference-dataset R ...] [--timing-weight W [W ...]] [--window-hop S]

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

from .catalog_eval import (catalog_embeddings, embed_queries, embed_windows, ranks_from_embeddings, summarise,
                           window_starts)
from .data import MEL_FRAMES_PER_SECOND, ClipDataset, Item, load_manifests
from .export import export_model, load_checkpoint, model_from_checkpoint
from .model import MRCMV
from .reference_scaling import reference_beta, reference_queries
from .timing import ENVELOPE_BINS, Timed, training_breakpoints, weigh


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


def _validation_embeddings(model: nn.Module, items: Sequence[Item], cfg, hop: float,
                           pool_frames: int) -> List[Dict[str, object]]:
    """Catalog embeddings of the held-back videos, dataset by dataset (each against its own tracks,
    as train.py validates)."""
    by_root: Dict[str, List[Item]] = {}
    for item in items:
        by_root.setdefault(item.root, []).append(item)
    return [catalog_embeddings(model, group, cfg, hop, pool_frames) for group in by_root.values()]


def _validation(groups: Sequence[Dict[str, object]], references: Optional[torch.Tensor], reference_beta: float = 0.0,
                transform=lambda x: x) -> Dict[str, float]:
    """Catalog ranking of the held-back videos, pooled over datasets; `transform` maps every
    embedding first (the timing weight)."""
    ranks, top1, top5, tracks = [], [], [], 0
    refs = transform(references) if references is not None else None
    for group in groups:
        out = ranks_from_embeddings(transform(group["queries"]), [transform(w) for w in group["windows"]],
                                    group["truth"], refs, reference_beta)
        ranks.append(out["ranks"])
        top1.append(out["top1"] + tracks)
        top5.append(out["top5"] + tracks)
        tracks += out["tracks"]
    return summarise(np.concatenate(ranks), tracks, np.concatenate(top1), np.concatenate(top5))


def _sweep_timing(groups, references, beta: float, weights: Sequence[float], log):
    """Validation at each timing weight from one embedding pass; the weight with the lowest mean
    rank wins (the smaller on a tie)."""
    results = []
    for weight in sorted(weights):
        summary = _validation(groups, references, beta, lambda x, w=weight: weigh(x, w))
        results.append({"weight": weight, **summary})
        log(json.dumps({"timingWeight": weight, "meanRank": summary.get("meanRank"), "R@3": summary.get("R@3")}))
    best = min(results, key=lambda r: (r["meanRank"], r["weight"]))
    return best["weight"], results


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
          reference_datasets: Optional[Sequence[str]] = None, timing_weights: Optional[Sequence[float]] = None,
          window_hop: Optional[float] = None) -> Dict[str, object]:
    # Read first, so that a reference dataset without videos is refused before any work.
    reference_pool = load_manifests(reference_datasets) if reference_datasets else None
    if reference_datasets and not reference_pool:
        raise ValueError(f"--reference-dataset {', '.join(reference_datasets)} holds no videos")
    checkpoints = [load_checkpoint(os.path.join(run, "checkpoint.pt")) for run in runs]
    members = [model_from_checkpoint(c).eval() for c in checkpoints]
    trainings = [c.get("training", {}) for c in checkpoints]
    hop = float(window_hop or trainings[0].get("windowHopSeconds") or members[0].cfg.clip_seconds)
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
    # With the timing head the learned part gives up ENVELOPE_BINS of the contract's dimensions.
    learned_dim = cfg.embed_dim - (ENVELOPE_BINS if timing_weights else 0)
    fitted = fit_projection(queries, windows, learned_dim)
    log(json.dumps({"queries": len(queries), "windows": len(windows), "queryEnergyKept": fitted["queryEnergyKept"],
                    "musicEnergyKept": fitted["musicEnergyKept"]}))
    model: nn.Module = Ensemble(members, fitted["projection"]).eval()
    projected = model
    timing: Dict[str, object] = {}
    if timing_weights:
        music_files = sorted({f"{it.root}/music/{it.track_id}.npy" for it in train_items})
        model = Timed(projected, training_breakpoints(music_files, cfg.patches * cfg.patch_frames), None).eval()
    seed = int(trainings[0].get("seed", 0))
    # By default the training videos; reference_datasets draws them from videos the members never
    # trained on (every split of those datasets), which land where new voice-overs land.
    references = reference_queries(model, reference_pool or train_items, cfg, reference_count, pool_frames, seed=seed) \
        if reference_count else None
    metrics: Dict[str, object] = {}
    groups = _validation_embeddings(model, test_items, cfg, hop, pool_frames) if test_items else []
    if timing_weights:
        if not groups:
            raise ValueError("choosing the timing weight needs held-back (test split) videos in the datasets")
        weight, sweep = _sweep_timing(groups, references, reference_beta, timing_weights, log)
        model = Timed(projected, model.breakpoints, weight).eval()
        references = weigh(references, weight) if references is not None else None
        timing = {"weight": weight, "bins": ENVELOPE_BINS, "sweep": sweep}
        groups = [{**g, "queries": weigh(g["queries"], weight), "windows": [weigh(w, weight) for w in g["windows"]]}
                  for g in groups]
        metrics["timing"] = timing
    if test_items:
        metrics["fidelity"] = _fidelity(exact, projected, test_items, cfg, hop, pool_frames)
        metrics["catalogScaled"] = _validation(groups, references, reference_beta)
        metrics["members"] = [c.get("metrics", {}).get("catalogScaled") for c in checkpoints]
        log(json.dumps({"fidelity": metrics["fidelity"], "catalogScaled": metrics["catalogScaled"],
                        "membersMeanRank": [m and m.get("meanRank") for m in metrics["members"]]}))
    training = {"trained": True, "ensemble": [{"run": os.path.abspath(r), "seed": t.get("seed"),
                                               "variant": t.get("variant")} for r, t in zip(runs, trainings)],
                "projection": {"from": len(members) * cfg.embed_dim, "to": learned_dim,
                               "queryEnergyKept": fitted["queryEnergyKept"],
                               "musicEnergyKept": fitted["musicEnergyKept"]},
                "member": trainings[0], "config": cfg.to_dict(), "windowHopSeconds": hop,
                "referenceQueries": reference_count, "referenceSoftmaxBeta": reference_beta, "datasets": [os.path.abspath(r) for r in roots],
                "referenceDatasets": [os.path.abspath(r) for r in reference_datasets or []],
                "timing": {k: v for k, v in timing.items() if k != "sweep"} or None,
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
    parser.add_argument("--timing-weight", type=float, nargs="+",
                        help="add the timing head (training/mrcmv/timing.py) at this weight; several: the one with "
                             "the best validation mean rank is exported. With it, one --run is enough.")
    parser.add_argument("--window-hop", type=float,
                        help="seconds between music windows at serving (default: the members' training hop)")
    parser.add_argument("--windows-per-track", type=int, default=40,
                        help="music windows per training track for fitting the projection")
    args = parser.parse_args(argv)
    if len(args.run) < 2 and not args.timing_weight:
        raise SystemExit("an ensemble needs at least two --run folders (one is enough with --timing-weight)")
    built = build(args.run, args.dataset, args.reference_queries, args.windows_per_track,
                  reference_beta=args.reference_beta, reference_datasets=args.reference_dataset,
                  timing_weights=args.timing_weight, window_hop=args.window_hop)
    export_model(built["model"], args.export, args.version, built["metrics"], built["training"],
                 window_hop=built["hop"], reference_queries=built["references"], beta=built["referenceBeta"])
    size = sum(os.path.getsize(os.path.join(args.export, f)) for f in os.listdir(args.export))
    print(json.dumps({"out": args.export, "version": args.version, "bytes": size}))


if __name__ == "__main__":
    main()
