"""Export a model version folder per docs/MODEL_CONTRACT.md: manifest.json, query.onnx, bgm.onnx.

/usr/bin/python3 -m training.mrcmv.export --out DIR [--checkpoint FILE] [--seed S] [--version V]
Without a checkpoint the model is randomly initialised with the seed (a placeholder model).
"""
import argparse
import hashlib
import inspect
import json
import os
from typing import Optional

import onnx
import torch
from torch import nn

from .config import MRCMVConfig, config_for_variant
from .model import MRCMV, example_inputs
from .reference_scaling import reference_beta

OPSET = 17
FORMAT = "bgm-model/1"
AUDIO_FRONT_END = {"sampleRate": 16000, "windowSeconds": 0.025, "hopSeconds": 0.010, "fftSize": 512,
                   "melBins": 64, "melMinHz": 125, "melMaxHz": 7500, "logOffset": 0.01,
                   "patchFrames": 96, "patchesPerClip": 33}


class _QueryGraph(nn.Module):
    def __init__(self, model: MRCMV):
        super().__init__()
        self.model = model

    def forward(self, video_fast, video_slow, voice):
        return self.model.encode_query(video_fast, video_slow, voice)


class _BGMGraph(nn.Module):
    def __init__(self, model: MRCMV):
        super().__init__()
        self.model = model

    def forward(self, music):
        return self.model.encode_music(music)


def _export(module: nn.Module, inputs, names, path: str) -> None:
    kwargs = {}
    if "dynamo" in inspect.signature(torch.onnx.export).parameters:
        kwargs["dynamo"] = False  # PyTorch >= 2.9 defaults to the dynamo exporter
    dynamic = {name: {0: "batch"} for name in names + ["embedding"]}
    torch.onnx.export(module, tuple(inputs), path, input_names=names, output_names=["embedding"],
                      dynamic_axes=dynamic, opset_version=OPSET, do_constant_folding=True, **kwargs)
    graph = onnx.load(path)
    present = {i.name for i in graph.graph.input}
    missing = [n for n in names if n not in present]
    if missing:
        # The exporter drops unused inputs (visual-only variants ignore `voice`); the contract
        # fixes the input names, so put them back as unused graph inputs.
        for name, tensor in zip(names, inputs):
            if name in missing:
                shape = ["batch"] + list(tensor.shape[1:])
                graph.graph.input.append(onnx.helper.make_tensor_value_info(name, onnx.TensorProto.FLOAT, shape))
        onnx.save(graph, path)
    onnx.checker.check_model(path)


REFERENCE_QUERIES_FILE = "reference-queries.f32"


def build_manifest(cfg: MRCMVConfig, version: str, metrics: Optional[dict] = None,
                   training: Optional[dict] = None, window_hop: Optional[float] = None,
                   reference_count: int = 0, reference_beta: float = 0.0) -> dict:
    files = {"query": "query.onnx", "bgm": "bgm.onnx"}
    references = {}
    if reference_count:
        # Little-endian float32 [referenceQueryCount, embeddingDim]: serving standardises each track's
        # score against these queries (training/mrcmv/reference_scaling.py).
        files["referenceQueries"] = REFERENCE_QUERIES_FILE
        # referenceSoftmaxBeta: the sharpness of each track's centre over them (0: their mean).
        references = {"referenceQueryCount": reference_count, "referenceSoftmaxBeta": reference_beta}
    return {
        "format": FORMAT, "name": "mrcmv", "version": version, "embeddingDim": cfg.embed_dim,
        "clipSeconds": int(cfg.clip_seconds),
        # Serving cuts a track into windows this far apart (the model was trained to match them).
        "windowHopSeconds": window_hop if window_hop is not None else cfg.clip_seconds,
        "audio": {**AUDIO_FRONT_END, "melBins": cfg.mel_bins, "patchFrames": cfg.patch_frames,
                  "patchesPerClip": cfg.patches},
        "video": {"fastFrames": cfg.fast_frames, "slowFrames": cfg.slow_frames,
                  "height": cfg.height, "width": cfg.width},
        "files": files, **references,
        "metrics": metrics or {}, "training": training or {},
    }


def file_hashes(out_dir: str, names) -> dict:
    """Hex sha256 per model file: serving checks them before loading a copy (a download from the
    object store, a mounted volume), so a corrupt or altered file is refused rather than run."""
    hashes = {}
    for name in names:
        digest = hashlib.sha256()
        with open(os.path.join(out_dir, name), "rb") as fh:
            for block in iter(lambda: fh.read(1 << 20), b""):
                digest.update(block)
        hashes[name] = digest.hexdigest()
    return hashes


def export_model(model: MRCMV, out_dir: str, version: str, metrics: Optional[dict] = None,
                 training: Optional[dict] = None, window_hop: Optional[float] = None,
                 reference_queries: Optional[torch.Tensor] = None, beta: float = 0.0) -> dict:
    # Checked before anything is written: serving refuses a manifest with a beta out of bounds.
    beta = reference_beta(beta)
    os.makedirs(out_dir, exist_ok=True)
    model = model.cpu().eval()
    cfg = model.cfg
    fast, slow, voice, music = example_inputs(cfg, batch=2)
    with torch.no_grad():
        # Wrappers in eval mode: the exporter restores the wrapper's mode on the whole tree after.
        _export(_QueryGraph(model).eval(), (fast, slow, voice), ["video_fast", "video_slow", "voice"],
                os.path.join(out_dir, "query.onnx"))
        _export(_BGMGraph(model).eval(), (music,), ["music"], os.path.join(out_dir, "bgm.onnx"))
    count = 0
    if reference_queries is not None and len(reference_queries):
        array = reference_queries.detach().cpu().numpy().astype("<f4")
        array.tofile(os.path.join(out_dir, REFERENCE_QUERIES_FILE))
        count = int(array.shape[0])
    manifest = build_manifest(cfg, version, metrics, training, window_hop, count, beta)
    manifest["sha256"] = file_hashes(out_dir, manifest["files"].values())
    with open(os.path.join(out_dir, "manifest.json"), "w") as fh:
        json.dump(manifest, fh, indent=2)
        fh.write("\n")
    return manifest


def load_checkpoint(path: str) -> dict:
    # PyTorch 2.6+ loads with weights_only=True by default: the checkpoint must hold tensors and plain
    # values only (the training record keeps the torch version as a str for this reason). 1.13's
    # weights_only unpickler refuses floats, so the default is left to each version.
    return torch.load(path, map_location="cpu")


def model_from_checkpoint(checkpoint: dict) -> MRCMV:
    model = MRCMV(MRCMVConfig.from_dict(checkpoint["config"]))
    model.load_state_dict(checkpoint["model"])
    return model


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--out", required=True, help="model-version folder to write")
    parser.add_argument("--checkpoint", help="checkpoint from training.mrcmv.train")
    parser.add_argument("--seed", type=int, default=0, help="initialisation seed without a checkpoint")
    parser.add_argument("--variant", default="full", help="model variant without a checkpoint")
    parser.add_argument("--version", help="manifest version (default: derived)")
    parser.add_argument("--reference-beta", type=reference_beta, default=0.0,
                        help="sharpness of each track's centre over the reference queries (0: their mean)")
    args = parser.parse_args(argv)
    if args.checkpoint:
        checkpoint = load_checkpoint(args.checkpoint)
        model = model_from_checkpoint(checkpoint)
        training = dict(checkpoint.get("training", {}), checkpoint=os.path.basename(args.checkpoint))
        metrics = checkpoint.get("metrics", {})
        version = args.version or checkpoint.get("version") or f"{model.cfg.variant}-trained"
    else:
        torch.manual_seed(args.seed)
        model = MRCMV(config_for_variant(args.variant))
        training = {"trained": False, "seed": args.seed, "variant": args.variant,
                    "config": model.cfg.to_dict(), "torch": str(torch.__version__)}
        metrics = {}
        version = args.version or f"untrained-{args.variant}-seed{args.seed}"
    references = checkpoint.get("referenceQueries") if args.checkpoint else None
    export_model(model, args.out, version, metrics, training, training.get("windowHopSeconds"), references,
                 args.reference_beta)
    size = sum(os.path.getsize(os.path.join(args.out, f)) for f in os.listdir(args.out))
    print(json.dumps({"out": args.out, "version": version, "bytes": size}))


if __name__ == "__main__":
    main()
