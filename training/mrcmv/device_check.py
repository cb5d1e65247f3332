"""CUDA check of the training pipeline (python3 -m training.mrcmv.device_check --out DIR).

The project machines have no GPU and PyTorch 1.13; GPU nodes and users run PyTorch 2.x with
CUDA. On such a machine this runs, on a tiny synthetic dataset (training/mrcmv/synthetic.py):
1. the training CLI on CPU and on CUDA from the same seed, one step each: the first losses must
   agree (float32; cuDNN may use TF32 convolutions, hence a loose bound);
2. the CLI on CUDA for two epochs with --export: the exported ONNX (exported from the CUDA model)
   must match the checkpoint run by PyTorch on the CPU, through Python onnxruntime when present;
3. training steps per second of the paper-size model (defaults of config.py) at batch 16 and 64
   on CUDA, from batches already on the device (the data loader is not timed).
It writes DIR/device_check.json and prints a short table; exit 1 when a check fails.
"""
import argparse
import json
import os
import sys
import tempfile
import time

import numpy as np
import torch

from .config import MRCMVConfig, config_for_variant
from .export import load_checkpoint
from .losses import LossConfig, MRCMVLoss
from .model import MRCMV, example_inputs
from .synthetic import write_synthetic_dataset
from .train import train, train_step

# Relative bound on the CPU/CUDA difference of the first loss (cuDNN may use TF32 convolutions),
# and absolute bound on |ONNX - PyTorch| of the exported embeddings (the export tests' bound).
LOSS_RTOL = 2e-2
ONNX_ATOL = 1e-4


def first_loss(dataset: str, out: str, device: str) -> float:
    result = train(["--dataset", dataset, "--out", out, "--epochs", "1", "--max-steps", "1", "--batch-size", "4",
                    "--seed", "7", "--eval-every", "0", "--device", device])
    return float(result["log"]["epochs"][0]["loss"])


def onnx_parity(model_dir: str, checkpoint: str) -> dict:
    """Max |ONNX - PyTorch(CPU)| of both branches on random contract-shaped inputs."""
    try:
        import onnxruntime as ort
    except ImportError:
        return {"skipped": "python onnxruntime is not installed"}
    state = load_checkpoint(checkpoint)
    manifest = json.load(open(os.path.join(model_dir, "manifest.json")))
    model = MRCMV(MRCMVConfig.from_dict(state["config"])).eval()
    model.load_state_dict(state["model"])
    fast, slow, voice, music = example_inputs(model.cfg, batch=2, seed=0)
    query = ort.InferenceSession(os.path.join(model_dir, manifest["files"]["query"]), providers=["CPUExecutionProvider"])
    bgm = ort.InferenceSession(os.path.join(model_dir, manifest["files"]["bgm"]), providers=["CPUExecutionProvider"])
    # Fed by the contract's input names (docs/MODEL_CONTRACT.md), not by position.
    onnx_query = query.run(["embedding"], {"video_fast": fast.numpy(), "video_slow": slow.numpy(), "voice": voice.numpy()})[0]
    onnx_music = bgm.run(["embedding"], {"music": music.numpy()})[0]
    with torch.no_grad():
        torch_query = model.encode_query(fast, slow, voice).numpy()
        torch_music = model.encode_music(music).numpy()
    return {"queryMaxAbsDiff": float(np.abs(onnx_query - torch_query).max()),
            "bgmMaxAbsDiff": float(np.abs(onnx_music - torch_music).max())}


def steps_per_second(batch_size: int, steps: int = 30) -> float:
    cfg = config_for_variant("full")
    model = MRCMV(cfg).cuda()
    criterion = MRCMVLoss(LossConfig(), cfg.embed_dim, 64, cfg.use_pseudo_label, cfg.intra_modal_weight).cuda()
    optimizer = torch.optim.AdamW(list(model.parameters()) + list(criterion.parameters()), lr=1e-4)
    fast, slow, voice, music = (t.cuda() for t in example_inputs(cfg, batch=batch_size, seed=0))
    batch = {"video_fast": fast, "video_slow": slow, "voice": voice, "music": music,
             "label": torch.arange(batch_size, device="cuda") % 64, "track": torch.arange(batch_size, device="cuda")}
    for _ in range(3):
        train_step(model, criterion, optimizer, batch, 0.2, "cuda")
    torch.cuda.synchronize()
    started = time.perf_counter()
    for _ in range(steps):
        train_step(model, criterion, optimizer, batch, 0.2, "cuda")
    torch.cuda.synchronize()
    return steps / (time.perf_counter() - started)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", required=True)
    args = parser.parse_args()
    if not torch.cuda.is_available():
        print("CUDA is not available: nothing to check here", file=sys.stderr)
        return 2
    os.makedirs(args.out, exist_ok=True)
    report: dict = {"torch": str(torch.__version__), "cuda": torch.version.cuda, "gpu": torch.cuda.get_device_name(0),
                    "cudnnTf32": torch.backends.cudnn.allow_tf32, "checks": {}}
    failed = []
    with tempfile.TemporaryDirectory() as work:
        dataset = write_synthetic_dataset(os.path.join(work, "dataset"))
        cpu, cuda = (first_loss(dataset, os.path.join(work, f"run-{d}"), d) for d in ("cpu", "cuda"))
        relative = abs(cpu - cuda) / max(abs(cpu), 1e-12)
        report["checks"]["firstLoss"] = {"cpu": cpu, "cuda": cuda, "relativeDiff": relative, "bound": LOSS_RTOL}
        if not relative <= LOSS_RTOL:
            failed.append("firstLoss")

        model_dir = os.path.join(work, "model")
        result = train(["--dataset", dataset, "--out", os.path.join(work, "run-export"), "--epochs", "2",
                        "--batch-size", "4", "--seed", "3", "--eval-every", "1", "--device", "cuda",
                        "--export", model_dir, "--version", "device-check"])
        parity = onnx_parity(model_dir, result["checkpoint"])
        parity["epochs"] = [{k: e[k] for k in ("epoch", "loss", "seconds") if k in e} for e in result["log"]["epochs"]]
        report["checks"]["cudaTrainExport"] = parity
        if "skipped" not in parity and not max(parity["queryMaxAbsDiff"], parity["bgmMaxAbsDiff"]) <= ONNX_ATOL:
            failed.append("cudaTrainExport")
    report["checks"]["stepsPerSecond"] = {str(b): steps_per_second(b) for b in (16, 64)}
    report["failed"] = failed
    with open(os.path.join(args.out, "device_check.json"), "w") as fh:
        json.dump(report, fh, indent=2)
    print(json.dumps(report, indent=2))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
