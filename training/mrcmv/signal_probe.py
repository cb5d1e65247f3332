"""How much can any model learn from a benchmark's voice-overs? A model-free ceiling check.

/usr/bin/python3 -m training.mrcmv.signal_probe --features EXPORT_DIR [--dataset RAW_DIR] [--json]

The benchmark's rule (docs/DATASET.md) makes the voice-over follow a few global properties of the
music segment (energy, brightness, tempo). A retrieval model that learns that rule perfectly can
at best predict those properties and rank the catalog by them, so the probe ranks every query's
tracks (best 32 s window, the serving rule) by distance in a small music-statistics space:

- oracle: the query's own music segment, measured. The ceiling of any "voice predicts the music's
  character" model (windows are cut every 32 s, so the segment itself is rarely one of them).
- rule: the generator's recorded voice parameters (mean gain, pitch, rate, excited share; needs
  --dataset), mapped by leave-one-out ridge regression. What a model could reach if it heard the
  parameters without rendering loss.
- voice: per-bin mean and deviation of the voice-over's voiced log-mel frames, same regression.
  Roughly what a well-regularised small model can reach on this data.
- timing: no regression at all: each track scores by its best window's correlation of the
  voice-over's per-second loudness with the music's per-second energy (training/mrcmv/timing.py,
  quantiles fitted on the dataset's own music). What keeping time is worth without any learning.
- timing-lines: the same, with the voice-over read as lines (one level per line, at the second
  it starts: timing.line_envelope) instead of second by second.
- timing-rms, timing-rms-lines (need --dataset): the music side from each second's full-band RMS
  level of the track's audio, the generator's own measure, instead of the log-mel's level (the
  log-mel starts at 125 Hz). How much of the timing signal the served front end cannot see.

If "voice" is close to chance, no training recipe will show the voice-over helping on this data;
the knobs or the preset size have to change first.
"""
import argparse
import json
import os
from typing import Dict, List, Optional, Sequence

import numpy as np

from .music_levels import rms_per_second_db

MEL_FPS = 100  # 10 ms hop
CLIP_FRAMES = 33 * 96  # the 31.68 s the model sees of a 32 s clip
WINDOW_FRAMES = 32 * MEL_FPS  # serving cuts tracks every 32 s (src/features/clip.ts)
MIN_TAIL_FRAMES = 8 * MEL_FPS
RIDGE = 10.0


def _frames(logmel: np.ndarray) -> np.ndarray:
    return logmel.reshape(-1, logmel.shape[-1])


def _clip(frames: np.ndarray, start_seconds: float, count: int = CLIP_FRAMES) -> np.ndarray:
    index = (int(round(start_seconds * MEL_FPS)) + np.arange(count)) % frames.shape[0]
    return frames[index]


def music_stats(clip: np.ndarray) -> np.ndarray:
    """[mean level, spectral centroid in mel bins, level modulation] of a log-mel clip."""
    level = clip.mean(axis=1)
    power = np.exp(clip)
    centroid = (power * np.arange(clip.shape[1])).sum(axis=1) / power.sum(axis=1)
    return np.array([level.mean(), centroid.mean(), np.abs(np.diff(level)).mean()])


def voice_stats(clip: np.ndarray) -> np.ndarray:
    """Per-bin mean and deviation over the voiced frames, the voiced share and the median level."""
    level = clip.mean(axis=1)
    voiced = level > np.percentile(level, 20) + 3.0  # 3 dB-ish above the quietest fifth
    if voiced.sum() < 10:
        voiced = level >= np.median(level)
    frames = clip[voiced]
    return np.concatenate([frames.mean(axis=0), frames.std(axis=0), [voiced.mean(), np.median(level[voiced])]])


def window_starts(n_frames: int, hop_seconds: float = 32.0) -> List[float]:
    """Starts (s) of the serving windows of a track, as src/features/clip.ts musicWindows."""
    if hop_seconds < 32.0:
        last = n_frames - CLIP_FRAMES
        hop = int(round(hop_seconds * MEL_FPS))
        return [k * hop / MEL_FPS for k in range(last // hop + 1)] if last >= 0 else [0.0]
    starts, start = [], 0
    while start < n_frames:
        if start > 0 and n_frames - start < min(WINDOW_FRAMES, MIN_TAIL_FRAMES):
            break
        starts.append(start / MEL_FPS)
        start += WINDOW_FRAMES
    return starts


def loo_ridge(x: np.ndarray, y: np.ndarray, ridge: float = RIDGE) -> np.ndarray:
    """Leave-one-out predictions of y from x (features standardised on the training rows)."""
    out = np.zeros_like(y)
    for i in range(len(x)):
        rest = np.arange(len(x)) != i
        mean, std = x[rest].mean(axis=0), x[rest].std(axis=0) + 1e-6
        xs = (x[rest] - mean) / std
        y_mean = y[rest].mean(axis=0)
        coef = np.linalg.solve(xs.T @ xs + ridge * np.eye(x.shape[1]), xs.T @ (y[rest] - y_mean))
        out[i] = ((x[i] - mean) / std) @ coef + y_mean
    return out


def ranks_by_best_window(predicted: np.ndarray, truth: Sequence[str], windows: Dict[str, np.ndarray]) -> np.ndarray:
    tracks = sorted(windows)
    distance = np.stack([[((windows[t] - p) ** 2).sum(axis=1).min() for t in tracks] for p in predicted])
    truth_index = np.array([tracks.index(t) for t in truth])
    return 1 + (distance < distance[np.arange(len(truth)), truth_index][:, None]).sum(axis=1)


def summarise(ranks: np.ndarray) -> Dict[str, float]:
    out = {f"R@{k}": round(100.0 * float((ranks <= k).mean()), 1) for k in (1, 3, 5, 10)}
    out["medianRank"] = float(np.median(ranks))
    return out


def chance(n_tracks: int) -> Dict[str, float]:
    out = {f"R@{k}": round(100.0 * min(k, n_tracks) / n_tracks, 1) for k in (1, 3, 5, 10)}
    out["medianRank"] = (n_tracks + 1) / 2
    return out


def probe(features_dir: str, dataset_dir: Optional[str] = None, hop_seconds: float = 32.0) -> dict:
    with open(os.path.join(features_dir, "manifest.json")) as fh:
        items = json.load(fh)["items"]
    generation, track_files = {}, {}
    if dataset_dir:
        with open(os.path.join(dataset_dir, "manifest.json")) as fh:
            raw = json.load(fh)
        generation = {row["videoId"]: row.get("generation", {}).get("voice") for row in raw["items"]}
        track_files = {t["trackId"]: os.path.join(dataset_dir, t["file"]) for t in raw["tracks"]}
    music = {t: _frames(np.load(os.path.join(features_dir, "music", f"{t}.npy"))) for t in sorted({i["trackId"] for i in items})}
    raw_windows = {t: np.stack([music_stats(_clip(f, s)) for s in window_starts(f.shape[0], hop_seconds)])
                   for t, f in music.items()}
    pooled = np.concatenate(list(raw_windows.values()))
    centre, scale = pooled.mean(axis=0), pooled.std(axis=0) + 1e-6
    windows = {t: (w - centre) / scale for t, w in raw_windows.items()}

    segments, voices, params, truth = [], [], [], []
    for item in items:
        voice = _frames(np.load(os.path.join(features_dir, "items", item["videoId"], "voice.npy")))
        voices.append(voice_stats(_clip(voice, 0.0)))
        segments.append((music_stats(_clip(music[item["trackId"]], float(item.get("musicOffsetSec", 0.0)))) - centre) / scale)
        truth.append(item["trackId"])
        g = generation.get(item["videoId"])
        if g:
            params.append([g["meanGainDb"], g["meanPitch"], g["meanRateWpm"], g["excitedLines"] / max(1, g["lines"])])
    segments_arr = np.stack(segments)
    rows = {"oracle": summarise(ranks_by_best_window(segments_arr, truth, windows)),
            "voice": summarise(ranks_by_best_window(loo_ridge(np.stack(voices), segments_arr), truth, windows))}
    if len(params) == len(items):
        rows["rule"] = summarise(ranks_by_best_window(loo_ridge(np.array(params), segments_arr), truth, windows))
    rows["timing"] = summarise(timing_ranks(features_dir, items, hop_seconds))
    rows["timing-lines"] = summarise(timing_ranks(features_dir, items, hop_seconds, "lines"))
    if dataset_dir:
        energy = {t: rms_per_second_db(track_files[t]) for t in music}
        rows["timing-rms"] = summarise(timing_ranks(features_dir, items, hop_seconds, "seconds", energy))
        rows["timing-rms-lines"] = summarise(timing_ranks(features_dir, items, hop_seconds, "lines", energy))
    rows["chance"] = chance(len(music))
    return {"features": os.path.abspath(features_dir), "queries": len(items), "tracks": len(music),
            "windowHopSeconds": hop_seconds,
            "protocol": f"leave-one-out over all items; tracks ranked by their best 32 s window (windows every "
                        f"{hop_seconds:g} s) in [level, centroid, modulation] space", "rows": rows}


def timing_ranks(features_dir: str, items: Sequence[dict], hop_seconds: float, voice_side: str = "seconds",
                 music_energy: Optional[Dict[str, np.ndarray]] = None) -> np.ndarray:
    """Ranks by the timing correlation alone. voice_side "seconds": the served per-second voice
    envelope; "lines": one level per line at the second it starts (timing.line_envelope).
    music_energy (track -> per-second RMS dB, rms_per_second_db): the music side from those levels
    instead of the log-mel's (which starts at 125 Hz and so misses the bass)."""
    import torch  # the head's arithmetic is torch (it is exported to ONNX); the rest of the probe is numpy

    from .timing import (ENVELOPE_BINS, level_envelope, line_envelope, music_envelope, quantile_breakpoints,
                         training_breakpoints, voice_envelope)

    tracks = sorted({i["trackId"] for i in items})
    files = [os.path.join(features_dir, "music", f"{t}.npy") for t in tracks]
    if music_energy is None:
        breakpoints = training_breakpoints(files, CLIP_FRAMES)
    else:
        breakpoints = quantile_breakpoints(np.concatenate([music_energy[t] for t in tracks]))
    windows = {}
    for track, path in zip(tracks, files):
        frames = _frames(np.load(path))
        starts = window_starts(frames.shape[0], hop_seconds)
        if music_energy is None:
            clips = np.stack([_clip(frames, s) for s in starts])
            windows[track] = music_envelope(torch.from_numpy(clips.reshape(-1, 33, 96, frames.shape[1])), breakpoints)
        else:
            # Window k's bin b is the track's second start_k + b, looped like the clip.
            energy = music_energy[track]
            rows = np.stack([energy[(int(round(s)) + np.arange(ENVELOPE_BINS)) % len(energy)] for s in starts])
            windows[track] = level_envelope(torch.from_numpy(rows).float(), breakpoints)
    encode = line_envelope if voice_side == "lines" else voice_envelope
    ranks = []
    for item in items:
        voice = _clip(_frames(np.load(os.path.join(features_dir, "items", item["videoId"], "voice.npy"))), 0.0)
        query = encode(torch.from_numpy(voice.reshape(1, 33, 96, -1)))[0]
        scores = torch.stack([(windows[t] @ query).max() for t in tracks])
        own = scores[tracks.index(item["trackId"])]
        ranks.append(1 + int((scores > own).sum()))
    return np.array(ranks)


def format_table(report: dict) -> str:
    keys = ["R@1", "R@3", "R@5", "R@10", "medianRank"]
    lines = [f"{report['queries']} queries, {report['tracks']} tracks; {report['protocol']}",
             "| source | " + " | ".join(keys) + " |", "|---|" + "---:|" * len(keys)]
    for name in ("oracle", "rule", "voice", "timing", "timing-lines", "timing-rms", "timing-rms-lines", "chance"):
        if name in report["rows"]:
            lines.append(f"| {name} | " + " | ".join(f"{report['rows'][name][k]:g}" for k in keys) + " |")
    return "\n".join(lines)


def main(argv: Optional[List[str]] = None) -> None:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--features", required=True, help="dataset:export output (log-mel features)")
    p.add_argument("--dataset", help="dataset:make output (for the rule's recorded voice parameters)")
    p.add_argument("--window-hop", type=float, default=32.0,
                   help="seconds between window starts, as the served model's manifest windowHopSeconds")
    p.add_argument("--json", action="store_true")
    args = p.parse_args(argv)
    report = probe(args.features, args.dataset, args.window_hop)
    print(json.dumps(report, indent=2) if args.json else format_table(report))


if __name__ == "__main__":
    main()
