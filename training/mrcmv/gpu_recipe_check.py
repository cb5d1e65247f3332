"""Check of the shipped recipe on a device (python3 -m training.mrcmv.gpu_recipe_check OUT [--device cuda]).

Trains `--recipe steps` (the default model's recipe: step head, statistics encoders, catalog
validation, reference queries) for three epochs on the tiny synthetic dataset, on the device,
with --export; then runs the exported ONNX (Python onnxruntime, when installed) against the
checkpoint in PyTorch on the CPU. Prints a JSON report; exit 1 when the export disagrees.
device_check.py covers the paper-size model; this covers what models/default is trained with.
"""
import argparse
import json
import os
import sys
import tempfile
import time

import numpy as np
import torch

from .export import load_checkpoint, model_from_checkpoint
from .model import example_inputs
from .synthetic import write_synthetic_dataset
from .train import train

ONNX_ATOL = 1e-4


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("out")
    p.add_argument("--device", choices=("cpu", "cuda"), default="cuda")
    args = p.parse_args(argv)
    work = tempfile.mkdtemp()
    dataset = write_synthetic_dataset(os.path.join(work, "ds"))
    model_dir = os.path.join(args.out, "model")
    started = time.time()
    result = train(["--recipe", "steps", "--dataset", dataset, "--out", os.path.join(work, "run"), "--epochs", "3",
                    "--eval-every", "1", "--batch-size", "4", "--device", args.device, "--reference-queries", "4",
                    "--export", model_dir, "--version", "recipe-check"])
    report = {"torch": str(torch.__version__), "device": args.device,
              "deviceName": torch.cuda.get_device_name(0) if args.device == "cuda" else "cpu",
              "trainSeconds": round(time.time() - started, 2),
              "epochs": [{k: e[k] for k in ("epoch", "loss", "seconds")} for e in result["log"]["epochs"]],
              "catalog": result["metrics"].get("catalog"), "catalogScaled": result["metrics"].get("catalogScaled")}
    model = model_from_checkpoint(load_checkpoint(result["checkpoint"])).eval()
    fast, slow, voice, music = example_inputs(model.cfg, batch=2)
    with torch.no_grad():
        query, bgm = model.encode_query(fast, slow, voice).numpy(), model.encode_music(music).numpy()
    ok = True
    try:
        import onnxruntime as ort
        run = lambda name, feeds: ort.InferenceSession(os.path.join(model_dir, name)).run(None, feeds)[0]
        diff = {"query": float(np.abs(run("query.onnx", {"video_fast": fast.numpy(), "video_slow": slow.numpy(),
                                                          "voice": voice.numpy()}) - query).max()),
                "bgm": float(np.abs(run("bgm.onnx", {"music": music.numpy()}) - bgm).max())}
        report["onnxMaxAbsDiff"] = diff
        ok = max(diff.values()) <= ONNX_ATOL
    except ImportError:
        report["onnxMaxAbsDiff"] = "onnxruntime not installed"
    refs = np.fromfile(os.path.join(model_dir, "reference-queries.f32"), dtype="<f4")
    report["referenceQueries"] = int(refs.size // model.cfg.embed_dim)
    report["ok"] = ok
    print(json.dumps(report, indent=1))
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
