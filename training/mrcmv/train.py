"""Train MRCMV (or an ablation / baseline variant) on dataset directories of features.

/usr/bin/python3 -m training.mrcmv.train --dataset DIR [--dataset DIR ...] --out RUN_DIR [--epochs 100]
    [--recipe steps] [--batch-size 16] [--seed 0] [--variant full] [--device cpu|cuda]
    [--export MODEL_DIR] [--resume] [--max-minutes M]

Writes RUN_DIR/log.json (one record per epoch, rewritten after every epoch), RUN_DIR/state.pt (the
whole training state after every epoch: --resume continues from it) and RUN_DIR/checkpoint.pt (the
model kept: the last epoch, or with --select-by catalog the epoch with the best catalog ranking of
the datasets' test videos); --export also writes a model-version folder (docs/MODEL_CONTRACT.md).
"""
import argparse
import json
import os
import random
import sys
import time
from typing import Dict, List, Optional

import numpy as np
import torch
from torch.utils.data import DataLoader

from .catalog_eval import catalog_ranks, summarise
from .config import HEADS, VARIANTS, config_for_variant
from .data import build_datasets
from .evaluate import evaluate
from .losses import LossConfig, MRCMVLoss, NegativeQueue, margin_for_epoch, uniformity_loss
from .model import MRCMV, count_parameters


# Named sets of flags (training/README.md, "Recipes"). Flags given on the command line after
# --recipe win: argparse keeps the last value, and the recipe's flags are placed first.
RECIPES: Dict[str, List[str]] = {
    # The shipped default's recipe: statistics encoders (fast on 2 cores), a step-aligned head
    # matched against music windows every 2 s, best epoch by catalog ranking, and reference
    # queries for per-track score standardisation at serving time.
    "steps": ["--audio-encoder", "stats-peak", "--video-encoder", "frame-stats", "--head", "steps",
              "--step-dim", "48", "--global-dim", "128", "--d-model", "64", "--lr", "1e-3",
              "--weight-decay", "0.01", "--batch-size", "64", "--clips-per-video", "4",
              "--reduction", "mean", "--music-jitter", "1", "--window-hop", "2",
              "--select-by", "catalog", "--reference-queries", "256"],
}


def expand_recipe(argv: List[str]) -> List[str]:
    """--recipe NAME (anywhere in argv) becomes that recipe's flags, ahead of the other flags."""
    if "--recipe" not in argv:
        return argv
    at = argv.index("--recipe")
    if at + 1 >= len(argv) or argv[at + 1] not in RECIPES:
        raise SystemExit(f"--recipe needs one of {sorted(RECIPES)}")
    return RECIPES[argv[at + 1]] + argv[:at] + argv[at + 2:]


def parse_args(argv: Optional[List[str]] = None) -> argparse.Namespace:
    argv = expand_recipe(list(sys.argv[1:] if argv is None else argv))
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--dataset", required=True, action="append",
                   help="dataset directory; repeat to train on several (their test videos validate)")
    p.add_argument("--out", required=True)
    p.add_argument("--epochs", type=int, default=100)
    p.add_argument("--batch-size", type=int, default=16)
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--variant", choices=VARIANTS, default="full")
    p.add_argument("--device", choices=("cpu", "cuda"), default="cpu")
    p.add_argument("--optimizer", choices=("adam", "sgd"), default="adam")
    p.add_argument("--lr", type=float, default=1e-4)
    p.add_argument("--momentum", type=float, default=0.9, help="SGD only")
    p.add_argument("--clips-per-video", type=int, default=4, help="random training clips per video")
    p.add_argument("--margin-mode", choices=("scaled", "constant"), default="scaled")
    p.add_argument("--margin", type=float, default=0.2, help="constant margin (unit embeddings)")
    p.add_argument("--alpha-scale", type=float, default=150.0, help="scaled mode: margin = alpha / this")
    p.add_argument("--margin-warm-epochs", type=int, default=80, help="scaled mode: epochs before alpha grows")
    p.add_argument("--reduction", choices=("sum", "mean"), default="sum")
    p.add_argument("--lambda", dest="lam", type=float, default=0.1)
    p.add_argument("--classifier-scale", type=float, default=None,
                   help="embedding scale before W_J, W_M (default sqrt(alpha-scale))")
    p.add_argument("--d-model", type=int, default=None, help="width of the attention layers (default 128)")
    p.add_argument("--heads", type=int, default=None, help="attention heads (default 4)")
    p.add_argument("--audio-encoder", default=None, help="registered audio encoder (default 'small')")
    p.add_argument("--video-encoder", default=None, help="registered video encoder (default 'small')")
    p.add_argument("--head", choices=HEADS, default=None, help="embedding head (default 'flatten', the paper's)")
    p.add_argument("--steps", type=int, default=None, help="N, temporal steps of the branches (default 8)")
    p.add_argument("--step-dim", type=int, default=None, help="steps head: dimensions per step")
    p.add_argument("--global-dim", type=int, default=None, help="steps head: dimensions of the global part")
    p.add_argument("--window-hop", type=float, default=32.0,
                   help="seconds between the starts of a track's serving windows (recorded in the export; "
                        "catalog validation cuts windows so)")
    p.add_argument("--select-by", choices=("last", "catalog"), default="last",
                   help="catalog: keep the epoch whose catalog ranking of the test videos is best")
    p.add_argument("--max-minutes", type=float, default=0.0, help="stop after the epoch that passes this (0: none)")
    p.add_argument("--resume", action="store_true", help="continue from RUN_DIR/state.pt")
    p.add_argument("--centre", action="store_true",
                   help="after training, take the mean query and mean music-window embeddings off each "
                        "branch (hubness reduction; centring.py), and validate again")
    p.add_argument("--reference-queries", type=int, default=0,
                   help="ship this many training query embeddings for per-track score standardisation (0: none)")
    p.add_argument("--init-from", default=None,
                   help="pretrain.py checkpoint: start the audio encoders (and the BGM branch) from it")
    p.add_argument("--video-dropout", type=float, default=None, help="training: P(hide a clip's video features)")
    p.add_argument("--weight-decay", type=float, default=0.0, help="decoupled weight decay (AdamW)")
    p.add_argument("--music-jitter", type=float, default=0.0,
                   help="seconds: move each training music clip by up to this much from the voice's "
                        "position, so the model matches the music's character rather than its exact "
                        "alignment (serving compares fixed 32 s windows)")
    p.add_argument("--negative-queue", type=int, default=0,
                   help="music embeddings of recent batches kept as extra negatives (0: none; losses.NegativeQueue)")
    p.add_argument("--queue-weight", type=float, default=1.0, help="weight of the queue's contrastive term")
    p.add_argument("--queue-temperature", type=float, default=0.1)
    p.add_argument("--uniformity-weight", type=float, default=0.0,
                   help="weight of a uniformity term on the music embeddings (losses.uniformity_loss; 0: none)")
    p.add_argument("--eval-every", type=int, default=1, help="epochs between test evaluations (0: never)")
    p.add_argument("--max-steps", type=int, default=0, help="cap on steps per epoch (0: no cap)")
    p.add_argument("--num-workers", type=int, default=0)
    p.add_argument("--export", help="also export a model-version folder here")
    p.add_argument("--version", help="manifest version for --export")
    return p.parse_args(argv)


def seed_everything(seed: int) -> None:
    random.seed(seed)
    np.random.seed(seed)
    torch.manual_seed(seed)


def loss_config_from_args(args: argparse.Namespace) -> LossConfig:
    return LossConfig(margin_mode=args.margin_mode, margin=args.margin, alpha_scale=args.alpha_scale,
                      alpha_warm_epochs=args.margin_warm_epochs, reduction=args.reduction, lam=args.lam,
                      classifier_scale=args.classifier_scale)


def train_step(model: MRCMV, criterion: MRCMVLoss, optimizer, batch: dict, margin: float,
               device: str, queue: Optional[NegativeQueue] = None, queue_weight: float = 1.0,
               queue_temperature: float = 0.1, uniformity_weight: float = 0.0) -> Dict[str, float]:
    model.train()
    need_features = criterion.intra_modal_weight > 0
    inputs = {k: batch[k].to(device) for k in ("video_fast", "video_slow", "voice", "music")}
    q = model.encode_query(inputs["video_fast"], inputs["video_slow"], inputs["voice"], need_features)
    m = model.encode_music(inputs["music"], need_features)
    (e_j, f_j), (e_m, f_m) = (q, m) if need_features else ((q, None), (m, None))
    tracks = batch["track"].to(device)
    losses = criterion(e_j, e_m, batch["label"].to(device), margin, tracks, f_j, f_m)
    if queue is not None:
        losses["queue"] = queue.contrastive_loss(e_j, e_m, tracks, queue_temperature)
        losses["loss"] = losses["loss"] + queue_weight * losses["queue"]
        queue.push(e_m, tracks)
    if uniformity_weight > 0:
        losses["uniformity"] = uniformity_loss(e_m, tracks)
        losses["loss"] = losses["loss"] + uniformity_weight * losses["uniformity"]
    optimizer.zero_grad()
    losses["loss"].backward()
    optimizer.step()
    return {k: float(v.detach()) for k, v in losses.items()}


def _write_json(path: str, data: dict) -> None:
    tmp = path + ".tmp"
    with open(tmp, "w") as fh:
        json.dump(data, fh, indent=2)
    os.replace(tmp, path)


def _catalog_validation(model, test_set, cfg, hop: float, pool_frames: int, device: str,
                        references: Optional[torch.Tensor] = None) -> dict:
    """Catalog ranking of the test videos, each dataset against its own tracks, pooled."""
    by_root: Dict[str, list] = {}
    for item in test_set.items:
        by_root.setdefault(item.root, []).append(item)
    ranks, top1, top5, tracks = [], [], [], 0
    for items in by_root.values():
        out = catalog_ranks(model, items, cfg, hop, pool_frames, device, references)
        ranks.append(out["ranks"])
        top1.append(out["top1"] + tracks)
        top5.append(out["top5"] + tracks)
        tracks += out["tracks"]
    return summarise(np.concatenate(ranks), tracks, np.concatenate(top1), np.concatenate(top5))


def _references(model, train_set, cfg, args, pool_frames: int) -> torch.Tensor:
    from .reference_scaling import reference_queries
    return reference_queries(model, train_set.items, cfg, args.reference_queries, pool_frames,
                             seed=args.seed, device=args.device)


def train(argv: Optional[List[str]] = None) -> dict:
    args = parse_args(argv)
    if args.device == "cuda" and not torch.cuda.is_available():
        raise SystemExit("--device cuda but CUDA is not available")
    seed_everything(args.seed)
    os.makedirs(args.out, exist_ok=True)
    overrides = {k: v for k, v in (("d_model", args.d_model), ("n_heads", args.heads),
                                   ("audio_encoder", args.audio_encoder), ("video_encoder", args.video_encoder),
                                   ("head", args.head), ("n_steps", args.steps), ("step_dim", args.step_dim),
                                   ("global_dim", args.global_dim),
                                   ("video_dropout", args.video_dropout)) if v is not None}
    cfg = config_for_variant(args.variant, **overrides)
    loss_cfg = loss_config_from_args(args)
    # The frame-statistics encoder starts by averaging frames down: the loader can do it once.
    pool_frames = 16 if cfg.video_encoder == "frame-stats" else 0
    train_set, test_set, num_classes = build_datasets(args.dataset, cfg, args.clips_per_video, args.seed,
                                                        args.music_jitter, pool_frames)
    model = MRCMV(cfg).to(args.device)
    if args.init_from:
        from .pretrain import load_pretrained_audio
        load_pretrained_audio(model, args.init_from)
    criterion = MRCMVLoss(loss_cfg, cfg.embed_dim, num_classes, cfg.use_pseudo_label,
                          cfg.intra_modal_weight).to(args.device)
    queue = NegativeQueue(args.negative_queue, cfg.embed_dim).to(args.device) if args.negative_queue else None
    params = list(model.parameters()) + list(criterion.parameters())
    optimizer = (torch.optim.AdamW(params, lr=args.lr, weight_decay=args.weight_decay) if args.optimizer == "adam"
                 else torch.optim.SGD(params, lr=args.lr, momentum=args.momentum, weight_decay=args.weight_decay))
    shuffle = torch.Generator()  # reseeded every epoch, so a resumed run shuffles as an unbroken one
    loader = DataLoader(train_set, batch_size=args.batch_size, shuffle=True, num_workers=args.num_workers,
                        drop_last=len(train_set) > args.batch_size,
                        generator=shuffle)
    log = {"args": vars(args), "config": cfg.to_dict(), "lossConfig": loss_cfg.to_dict(),
           "pseudoLabels": num_classes, "trainClips": len(train_set),
           "testItems": len(test_set) if test_set else 0, "torch": str(torch.__version__),
           "parameters": {"query": count_parameters(model.query), "bgm": count_parameters(model.bgm)},
           "epochs": []}
    log_path = os.path.join(args.out, "log.json")
    state_path = os.path.join(args.out, "state.pt")
    metrics: dict = {}
    best: Optional[dict] = None  # {"score", "epoch", "model", "metrics"} when selecting by catalog
    first_epoch, started_all = 0, time.time()
    if args.resume and os.path.exists(state_path):
        state = torch.load(state_path, map_location=args.device)
        model.load_state_dict(state["model"])
        criterion.load_state_dict(state["criterion"])
        if queue is not None and state.get("queue"):
            queue.load_state_dict(state["queue"])
        optimizer.load_state_dict(state["optimizer"])
        torch.set_rng_state(state["torchRng"])
        random.setstate(state["pyRng"])
        log["epochs"], best, metrics = state["epochs"], state["best"], state["metrics"]
        first_epoch = len(log["epochs"])
        print(json.dumps({"resumed": state_path, "epoch": first_epoch}), flush=True)
    for epoch in range(first_epoch, args.epochs):
        shuffle.manual_seed(args.seed * 100_003 + epoch)
        margin, started, sums, steps = margin_for_epoch(loss_cfg, epoch), time.time(), {}, 0
        for batch in loader:
            for key, value in train_step(model, criterion, optimizer, batch, margin, args.device, queue,
                                         args.queue_weight, args.queue_temperature,
                                         args.uniformity_weight).items():
                sums[key] = sums.get(key, 0.0) + value
            steps += 1
            if args.max_steps and steps >= args.max_steps:
                break
        record = {"epoch": epoch + 1, "margin": margin, "steps": steps,
                  **{k: v / max(steps, 1) for k, v in sums.items()}}
        if test_set is not None and args.eval_every and (epoch + 1) % args.eval_every == 0:
            metrics = evaluate(model, test_set, args.device, args.batch_size)
            record["test"] = metrics
            if args.select_by == "catalog":
                # Select on the ranking suggestBgm serves: standardised by this epoch's reference
                # queries when the model will ship them (the raw ranking can prefer a hubbier epoch).
                refs = _references(model, train_set, cfg, args, pool_frames) if args.reference_queries else None
                catalog = _catalog_validation(model, test_set, cfg, args.window_hop, pool_frames, args.device, refs)
                catalog["scaled"] = refs is not None
                record["catalog"] = catalog
                metrics = {**metrics, "catalog": catalog}
                score = -catalog["meanRank"]
                if best is None or score > best["score"]:
                    best = {"score": score, "epoch": epoch + 1, "metrics": metrics,
                            "model": {k: v.detach().cpu().clone() for k, v in model.state_dict().items()}}
        record["seconds"] = round(time.time() - started, 3)
        log["epochs"].append(record)
        _write_json(log_path, log)
        torch.save({"model": model.state_dict(), "criterion": criterion.state_dict(),
                    "queue": queue.state_dict() if queue is not None else None,
                    "optimizer": optimizer.state_dict(), "torchRng": torch.get_rng_state(),
                    "pyRng": random.getstate(), "epochs": log["epochs"], "best": best, "metrics": metrics},
                   state_path + ".tmp")
        os.replace(state_path + ".tmp", state_path)
        print(json.dumps(record), flush=True)
        if args.max_minutes and (time.time() - started_all) / 60 >= args.max_minutes:
            print(json.dumps({"stopped": "max-minutes", "epoch": epoch + 1}), flush=True)
            break
    if best is not None:
        model.load_state_dict(best["model"])
        metrics = dict(best["metrics"], selectedEpoch=best["epoch"])
    if args.centre:
        from .centring import fit_centres
        centres = fit_centres(model, train_set.items, cfg, pool_frames, seed=args.seed, device=args.device)
        metrics = dict(metrics, centring=centres)
        if test_set is not None and args.select_by == "catalog":
            metrics["catalogCentred"] = _catalog_validation(model, test_set, cfg, args.window_hop, pool_frames,
                                                            args.device)
        print(json.dumps({"centred": centres, "catalog": metrics.get("catalogCentred")}), flush=True)
    references = None
    if args.reference_queries:
        references = _references(model, train_set, cfg, args, pool_frames)
        if test_set is not None and args.select_by == "catalog":
            metrics = dict(metrics, catalogScaled=_catalog_validation(model, test_set, cfg, args.window_hop,
                                                                      pool_frames, args.device, references))
            print(json.dumps({"referenceQueries": len(references), "catalog": metrics["catalogScaled"]}), flush=True)
    training = {"trained": True, "variant": args.variant, "seed": args.seed, "epochs": len(log["epochs"]),
                "config": cfg.to_dict(),
                "lossConfig": loss_cfg.to_dict(), "optimizer": args.optimizer, "lr": args.lr,
                "batchSize": args.batch_size, "weightDecay": args.weight_decay,
                "musicJitterSec": args.music_jitter, "clipsPerVideo": args.clips_per_video,
                "windowHopSeconds": args.window_hop, "selectBy": args.select_by,
                "negativeQueue": args.negative_queue, "queueWeight": args.queue_weight,
                "queueTemperature": args.queue_temperature, "uniformityWeight": args.uniformity_weight,
                "initFrom": args.init_from, "centred": args.centre, "referenceQueries": args.reference_queries, "datasets": [os.path.abspath(d) for d in args.dataset],
                "torch": str(torch.__version__)}
    version = args.version or f"{args.variant}-seed{args.seed}-{time.strftime('%Y.%m.%d-%H%M%S')}"
    checkpoint_path = os.path.join(args.out, "checkpoint.pt")
    torch.save({"config": cfg.to_dict(), "lossConfig": loss_cfg.to_dict(), "numClasses": num_classes,
                "model": {k: v.cpu() for k, v in model.state_dict().items()},
                "criterion": {k: v.cpu() for k, v in criterion.state_dict().items()},
                "referenceQueries": references.cpu() if references is not None else None,
                "metrics": metrics, "training": training, "version": version}, checkpoint_path)
    if args.export:
        from .export import export_model
        export_model(model, args.export, version, metrics, training, window_hop=args.window_hop,
                     reference_queries=references)
    return {"log": log, "checkpoint": checkpoint_path, "metrics": metrics}


def main(argv: Optional[List[str]] = None) -> None:
    train(argv)


if __name__ == "__main__":
    main()
