"""Re-time a shipped timed model: the same learned networks, a new timing head (round 22).

/usr/bin/python3 -m training.mrcmv.retime --model models/default --out DIR --version V --weight W \
    --training-dataset RAW --training-features EXPORT [--training-dataset RAW2 --training-features EXPORT2]

The served timing head (timing.py) compared the voice-over's loudness second by second with the
log-mel's level of the music. Round 22 (docs/RESULTS.md) found where that loses the signal: the
log-mel starts at 125 Hz and so misses the bass, and a line that lasts three seconds repeats one
second's level three times. The re-timed folder keeps every learned weight and changes only the
envelopes:

- query.onnx: the old graph, whose learned part (its first 512 - ENVELOPE_BINS numbers,
  renormalised) is joined with `line_envelope` of the same voice input;
- bgm.onnx: the old graph's learned part joined with `level_envelope` of a new input,
  `music_level_db` [batch, 31]: each second's full-band RMS level, which serving computes from the
  audio (src/features/second-levels.ts; manifest `musicLevels`). Its quantiles are fitted on the
  training music's seconds (the training datasets' tracks, never held-out music);
- reference-queries.f32: each reference keeps its learned part; its envelope is recomputed from
  its own training video, found by matching the old envelope against every training video's
  (exact up to float error; a reference that matches no video is refused, not guessed);
- the weight W of the timing part in the cosine: (1 - W) x learned + W x timing;
- with --mask-loop (round 26), query.onnx also takes `voice_seconds` [batch], the voice-over's real
  length (manifest `voiceSeconds`): a voice-over shorter than the 32 s clip is looped to fill it, and
  the loop's lines are left out of the envelope (`line_envelope(seconds=)`); each reference gets its
  own training video's length.

Everything else in the manifest is kept; the version, the timing block and the sha256 are new, and
the old head's metrics are dropped.
"""
import argparse
import json
import math
import os
from typing import List, Optional, Sequence

import numpy as np
import onnx
import torch
import torch.nn.functional as F
from torch import nn

from .config import MRCMVConfig
from .data import cut_patches, load_manifests
from .export import file_hashes
from .music_levels import rms_per_second_db
from .timing import ENVELOPE_BINS, level_envelope, line_envelope, quantile_breakpoints, voice_envelope

LEVEL_INPUT = "music_level_db"
SECONDS_INPUT = "voice_seconds"
OLD_OUTPUT = "embedding_untimed"
# The old reference's envelope and its video's must agree to this cosine to count as the same video.
MATCH_COSINE = 0.999


def _join(learned_and_old: torch.Tensor, envelope: torch.Tensor, weight: float) -> torch.Tensor:
    learned = F.normalize(learned_and_old[:, :-ENVELOPE_BINS], dim=1)
    return F.normalize(torch.cat([math.sqrt(1.0 - weight) * learned, math.sqrt(weight) * envelope], dim=1), dim=1)


class QueryTail(nn.Module):
    def __init__(self, weight: float):
        super().__init__()
        self.weight = weight

    def forward(self, embedding, voice, seconds=None):
        return _join(embedding, line_envelope(voice, seconds=seconds), self.weight)


class MusicTail(nn.Module):
    def __init__(self, weight: float, breakpoints: torch.Tensor):
        super().__init__()
        self.weight = weight
        self.register_buffer("breakpoints", breakpoints)

    def forward(self, embedding, levels):
        return _join(embedding, level_envelope(levels, self.breakpoints), self.weight)


def _export(tail: nn.Module, example: Sequence[torch.Tensor], names: List[str], path: str) -> onnx.ModelProto:
    torch.onnx.export(tail, tuple(example), path, input_names=names, output_names=["embedding"],
                      dynamic_axes={n: {0: "batch"} for n in names + ["embedding"]}, opset_version=17)
    return onnx.load(path)


def splice(old: onnx.ModelProto, tail: onnx.ModelProto, new_inputs: Sequence[str]) -> onnx.ModelProto:
    """old's graph, its output renamed OLD_OUTPUT and fed to tail, whose output becomes `embedding`.
    tail's other inputs are old's inputs of the same name, or new graph inputs (new_inputs)."""
    graph = old.graph
    for node in graph.node:
        node.output[:] = [OLD_OUTPUT if o == "embedding" else o for o in node.output]
        node.input[:] = [OLD_OUTPUT if i == "embedding" else i for i in node.input]
    keep = {i.name for i in tail.graph.input} | {"embedding"}
    rename = {}
    for node in tail.graph.node:
        for name in list(node.input) + list(node.output):
            if name and name not in keep:
                rename.setdefault(name, f"retime/{name}")
    for init in tail.graph.initializer:
        rename.setdefault(init.name, f"retime/{init.name}")
        init.name = rename[init.name]
    for node in tail.graph.node:
        node.name = f"retime/{node.name}"
        node.input[:] = [OLD_OUTPUT if i == "embedding_in" else rename.get(i, i) for i in node.input]
        node.output[:] = [rename.get(o, o) for o in node.output]
    graph.node.extend(tail.graph.node)
    graph.initializer.extend(tail.graph.initializer)
    del graph.output[:]
    graph.output.extend(tail.graph.output)
    for name in new_inputs:
        graph.input.extend([i for i in tail.graph.input if i.name == name])
    del graph.value_info[:]
    onnx.checker.check_model(old)
    return old


def training_level_breakpoints(datasets: Sequence[str]) -> torch.Tensor:
    """Quantiles of every second of every track the training datasets use."""
    files = {}
    for root in datasets:
        with open(os.path.join(root, "manifest.json")) as fh:
            for track in json.load(fh)["tracks"]:
                files.setdefault(track["trackId"], os.path.join(root, track["file"]))
    return quantile_breakpoints(np.concatenate([rms_per_second_db(f) for _, f in sorted(files.items())]))


def retime_references(references: np.ndarray, feature_roots: Sequence[str], weight: float, patches: int = 33,
                      patch_frames: int = 96, mask_loop: bool = False,
                      clip_seconds: float = MRCMVConfig.clip_seconds) -> np.ndarray:
    """[N, 512] old references -> new: learned parts kept, envelopes from the matched videos' lines."""
    unique = list({(it.root, it.video_id): it for it in load_manifests(list(feature_roots))}.values())
    voices = torch.from_numpy(np.stack([cut_patches(np.load(os.path.join(it.root, "items", it.video_id, "voice.npy")),
                                                    0.0, patches, patch_frames) for it in unique]))
    old_envelopes = torch.cat([voice_envelope(v) for v in voices.split(64)])
    refs = torch.from_numpy(references)
    target = F.normalize(refs[:, -ENVELOPE_BINS:], dim=1)
    similarity = target @ old_envelopes.T
    best, index = similarity.max(dim=1)
    silent = refs[:, -ENVELOPE_BINS:].norm(dim=1) < 1e-6
    unmatched = (~silent) & (best < MATCH_COSINE)
    if bool(unmatched.any()):
        raise ValueError(f"{int(unmatched.sum())} of {len(refs)} reference queries match no training video "
                         f"(best cosine {float(best[unmatched].min()):.4f}); are these the datasets the model was built on?")
    def lines(i: int) -> torch.Tensor:
        seconds = torch.tensor([min(unique[i].duration, clip_seconds)]) if mask_loop else None
        return line_envelope(voices[i:i + 1], seconds=seconds)

    envelopes = torch.cat([lines(i) for i in index.tolist()])
    envelopes[silent] = 0.0
    return _join(refs, envelopes, weight).numpy().astype(np.float32)


def retime(model_dir: str, out: str, version: str, weight: float, datasets: Sequence[str],
           features: Sequence[str], log=print, mask_loop: bool = False) -> dict:
    if not 0.0 < weight < 1.0:
        raise ValueError(f"timing weight must be in (0, 1), got {weight}")
    with open(os.path.join(model_dir, "manifest.json")) as fh:
        manifest = json.load(fh)
    if manifest.get("musicLevels"):
        raise ValueError(f"{model_dir} is already re-timed")
    os.makedirs(out, exist_ok=True)
    files = manifest["files"]
    breakpoints = training_level_breakpoints(datasets)
    log(f"level quantiles from the training music: {float(breakpoints[0]):.1f} .. {float(breakpoints[-1]):.1f} dBFS")
    dim = manifest["embeddingDim"]
    tmp = os.path.join(out, "tail.onnx")
    query_inputs = ["embedding_in", "voice"] + ([SECONDS_INPUT] if mask_loop else [])
    query_example = [torch.randn(2, dim), torch.randn(2, 33, 96, 64)] + ([torch.tensor([20.0, 32.0])] if mask_loop else [])
    query = splice(onnx.load(os.path.join(model_dir, files["query"])),
                   _export(QueryTail(weight), query_example, query_inputs, tmp), query_inputs[2:])
    onnx.save(query, os.path.join(out, files["query"]))
    bgm = splice(onnx.load(os.path.join(model_dir, files["bgm"])),
                 _export(MusicTail(weight, breakpoints), [torch.randn(2, dim), -30 + 10 * torch.randn(2, ENVELOPE_BINS)],
                         ["embedding_in", LEVEL_INPUT], tmp), [LEVEL_INPUT])
    onnx.save(bgm, os.path.join(out, files["bgm"]))
    os.remove(tmp)
    if files.get("referenceQueries"):
        old = np.fromfile(os.path.join(model_dir, files["referenceQueries"]), dtype="<f4").reshape(-1, dim)
        retime_references(old, features, weight, mask_loop=mask_loop,
                          clip_seconds=manifest["clipSeconds"]).astype("<f4").tofile(os.path.join(out, files["referenceQueries"]))
        log(f"{len(old)} reference queries re-timed")
    # The old folder's model card and metrics describe the old head: a re-timed folder gets its own
    # once it is measured (docs/RESULTS.md), not a copy that would be read as its figures.
    manifest.pop("metrics", None)
    source = manifest["version"]
    manifest["version"] = version
    manifest["musicLevels"] = {"input": LEVEL_INPUT, "bins": ENVELOPE_BINS, "measure": "rms-dbfs"}
    if mask_loop:
        manifest["voiceSeconds"] = {"input": SECONDS_INPUT}
    manifest.setdefault("training", {})["retimed"] = {
        "from": source, "fromDir": os.path.abspath(model_dir), "weight": weight,
        "voice": "line_envelope" + (" of the voice-over's real seconds" if mask_loop else ""), "music": "level_envelope of full-band RMS per second",
        "levelDatasets": [os.path.abspath(d) for d in datasets]}
    manifest["training"]["timing"] = {"weight": weight, "bins": ENVELOPE_BINS}
    manifest["sha256"] = file_hashes(out, manifest.get("sha256", {}))
    with open(os.path.join(out, "manifest.json"), "w") as fh:
        json.dump(manifest, fh, indent=2)
        fh.write("\n")
    return manifest


def main(argv: Optional[List[str]] = None) -> None:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--model", required=True, help="a timed model folder (timing.py), e.g. models/default")
    p.add_argument("--out", required=True)
    p.add_argument("--version", required=True)
    p.add_argument("--weight", type=float, required=True, help="the timing part's weight in the cosine, in (0, 1)")
    p.add_argument("--training-dataset", action="append", required=True,
                   help="dataset:make output the model trained on (its tracks fit the level quantiles)")
    p.add_argument("--training-features", action="append", required=True,
                   help="dataset:export output of the same datasets (the reference queries' voice-overs)")
    p.add_argument("--mask-loop", action="store_true",
                   help="leave the looped part of a voice-over shorter than 32 s out of its envelope (voice_seconds input)")
    args = p.parse_args(argv)
    retime(args.model, args.out, args.version, args.weight, args.training_dataset, args.training_features,
           mask_loop=args.mask_loop)


if __name__ == "__main__":
    main()
