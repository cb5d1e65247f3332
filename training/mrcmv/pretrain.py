"""Self-supervised pretraining of the audio encoder on music alone (no labels).

/usr/bin/python3 -m training.mrcmv.pretrain --dataset DIR [--dataset DIR ...] --out FILE
    [--minutes 10] [--batch-size 64] [--seed 0] [model options as in train.py]

Two views of the same 32 s of a track, each changed the way a phone recording changes sound
(gain, a tilt of the spectrum, background noise, a shift of up to half a second), must embed
closer to each other than to the other clips of the batch (InfoNCE, temperature 0.1). The model is
the BGM branch of MRCMV (audio encoder, SA, step alignment, head), so the weights drop into the
BGM branch; train.py --init-from also starts the voice encoder from the music encoder's weights.
"""
import argparse
import json
import math
import os
import random
import time
from typing import List, Optional

import numpy as np
import torch
from torch.nn import functional as F

from .config import config_for_variant
from .data import MEL_FRAMES_PER_SECOND, cut_patches, load_manifests
from .model import MRCMV

# log(mel + 0.01): a gain of g dB adds about g * ln(10) / 10 where the band is well above the offset.
DB_TO_LOG = math.log(10) / 10


def augment(clip: np.ndarray, rng: np.random.Generator, max_gain_db: float) -> np.ndarray:
    """[P, F, mel] log-mel: gain, spectral tilt (cheap microphone), additive noise floor."""
    mel = clip.shape[-1]
    out = clip + rng.uniform(-max_gain_db, max_gain_db) * DB_TO_LOG
    out = out + rng.uniform(-1.0, 1.0) * np.linspace(-0.5, 0.5, mel, dtype=np.float32)
    noise = rng.uniform(0.0, 0.05)
    return np.log(np.exp(out) + noise).astype(np.float32)


class MusicViews:
    def __init__(self, roots: List[str], cfg, max_gain_db: float, seed: int):
        tracks = sorted({(it.root, it.track_id) for it in load_manifests(roots) if it.split == "train"})
        # One copy of each track even when several datasets hold it.
        seen, self.music = set(), []
        for root, track_id in tracks:
            if track_id not in seen:
                seen.add(track_id)
                self.music.append(np.load(os.path.join(root, "music", f"{track_id}.npy"), mmap_mode="r"))
        self.cfg, self.max_gain_db = cfg, max_gain_db
        self.rng = np.random.default_rng(seed)

    def batch(self, size: int):
        a, b = [], []
        for _ in range(size):
            music = self.music[self.rng.integers(len(self.music))]
            seconds = music.reshape(-1, music.shape[-1]).shape[0] / MEL_FRAMES_PER_SECOND
            start = self.rng.uniform(0.5, max(0.5, seconds - self.cfg.clip_seconds - 0.5))
            for views in (a, b):
                shift = self.rng.uniform(-0.5, 0.5)
                clip = cut_patches(music, start + shift, self.cfg.patches, self.cfg.patch_frames)
                views.append(augment(clip, self.rng, self.max_gain_db))
        return torch.from_numpy(np.stack(a)), torch.from_numpy(np.stack(b))


def info_nce(a: torch.Tensor, b: torch.Tensor, temperature: float = 0.1) -> torch.Tensor:
    logits = a @ b.T / temperature
    target = torch.arange(a.shape[0])
    return 0.5 * (F.cross_entropy(logits, target) + F.cross_entropy(logits.T, target))


def pretrain(argv: Optional[List[str]] = None) -> dict:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--dataset", required=True, action="append")
    p.add_argument("--out", required=True)
    p.add_argument("--minutes", type=float, default=10.0)
    p.add_argument("--max-steps", type=int, default=0)
    p.add_argument("--batch-size", type=int, default=64)
    p.add_argument("--lr", type=float, default=1e-3)
    p.add_argument("--max-gain-db", type=float, default=3.0)
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--d-model", type=int, default=None)
    p.add_argument("--heads", type=int, default=None)
    p.add_argument("--audio-encoder", default=None)
    p.add_argument("--head", default=None)
    p.add_argument("--steps", type=int, default=None)
    p.add_argument("--step-dim", type=int, default=None)
    p.add_argument("--global-dim", type=int, default=None)
    args = p.parse_args(argv)
    random.seed(args.seed)
    torch.manual_seed(args.seed)
    overrides = {k: v for k, v in (("d_model", args.d_model), ("n_heads", args.heads),
                                   ("audio_encoder", args.audio_encoder), ("head", args.head),
                                   ("n_steps", args.steps), ("step_dim", args.step_dim),
                                   ("global_dim", args.global_dim)) if v is not None}
    cfg = config_for_variant("full", **overrides)
    bgm = MRCMV(cfg).bgm
    views = MusicViews(args.dataset, cfg, args.max_gain_db, args.seed)
    optimizer = torch.optim.AdamW(bgm.parameters(), lr=args.lr, weight_decay=0.01)
    started, log, step = time.time(), [], 0
    while (time.time() - started) / 60 < args.minutes and (not args.max_steps or step < args.max_steps):
        bgm.train()
        a, b = views.batch(args.batch_size)
        loss = info_nce(bgm(a), bgm(b))
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        step += 1
        if step % 20 == 0:
            log.append({"step": step, "loss": round(float(loss), 4), "seconds": round(time.time() - started, 1)})
            print(json.dumps(log[-1]), flush=True)
    os.makedirs(os.path.dirname(os.path.abspath(args.out)), exist_ok=True)
    torch.save({"config": cfg.to_dict(), "bgm": bgm.state_dict(), "steps": step, "log": log,
                "tracks": len(views.music), "args": vars(args)}, args.out)
    return {"steps": step, "tracks": len(views.music), "out": args.out}


def load_pretrained_audio(model: MRCMV, path: str) -> None:
    """Starts the BGM branch from a pretrain checkpoint and the voice encoder from its music encoder
    (the voice-over is audio too: level, timbre and rhythm features transfer)."""
    state = torch.load(path, map_location="cpu")
    model.bgm.load_state_dict(state["bgm"])
    voice = getattr(model.query, "voice_encoder", None)
    if voice is not None and voice is not model.bgm.music_encoder:
        voice.load_state_dict(model.bgm.music_encoder.state_dict())


if __name__ == "__main__":
    print(json.dumps(pretrain()))
