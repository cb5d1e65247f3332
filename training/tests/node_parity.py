"""Runs an exported ONNX graph in onnxruntime-node (what serving runs) on given inputs."""
import json
import os
import shutil
import subprocess

import numpy as np

from training.tests.conftest import REPO_ROOT

NODE_SCRIPT = os.path.join("training", "tests", "onnx_parity_node.js")


def run_in_node(model_path: str, feeds: dict, work_dir, name: str = "graph") -> np.ndarray:
    """feeds: input name -> tensor; returns the `embedding` output as float32 [B, D]."""
    node = shutil.which("node")
    assert node, "node is not on PATH: the parity check needs Node and onnxruntime-node"
    spec = {"model": model_path, "inputs": [], "outputs": [{"name": "embedding", "file": f"{name}-embedding.bin"}]}
    for key, tensor in feeds.items():
        tensor.numpy().astype("<f4").tofile(os.path.join(str(work_dir), f"{key}.bin"))
        spec["inputs"].append({"name": key, "dims": list(tensor.shape), "file": f"{key}.bin"})
    spec_path = os.path.join(str(work_dir), f"{name}-spec.json")
    with open(spec_path, "w") as fh:
        json.dump(spec, fh)
    run = subprocess.run([node, NODE_SCRIPT, spec_path], cwd=REPO_ROOT, capture_output=True, text=True, timeout=120)
    assert run.returncode == 0, f"onnxruntime-node failed:\n{run.stderr}"
    dims = json.loads(run.stdout)["outputs"][0]["dims"]
    return np.fromfile(os.path.join(str(work_dir), f"{name}-embedding.bin"), dtype="<f4").reshape(dims)
