import hashlib
import json
import os

import numpy as np
import onnx
import pytest
import torch

from training.mrcmv.config import MRCMVConfig
from training.mrcmv.export import export_model, main as export_main
from training.mrcmv.model import MRCMV, example_inputs
from training.tests.node_parity import run_in_node

CONTRACT_KEYS = {"format", "name", "version", "embeddingDim", "clipSeconds", "windowHopSeconds", "audio", "video", "files",
                 "sha256", "metrics", "training"}


@pytest.fixture(scope="module")
def exported(tmp_path_factory):
    out = str(tmp_path_factory.mktemp("model") / "untrained")
    export_main(["--out", out, "--seed", "7"])
    torch.manual_seed(7)  # the CLI's initialisation, rebuilt for the parity check
    return out, MRCMV(MRCMVConfig()).eval()


def test_manifest_matches_the_contract(exported):
    out, _ = exported
    assert sorted(os.listdir(out)) == ["bgm.onnx", "manifest.json", "query.onnx"]
    with open(os.path.join(out, "manifest.json")) as fh:
        m = json.load(fh)
    assert set(m) == CONTRACT_KEYS
    assert (m["format"], m["name"], m["embeddingDim"], m["clipSeconds"]) == ("bgm-model/1", "mrcmv", 512, 32)
    assert m["audio"] == {"sampleRate": 16000, "windowSeconds": 0.025, "hopSeconds": 0.010, "fftSize": 512,
                          "melBins": 64, "melMinHz": 125, "melMaxHz": 7500, "logOffset": 0.01,
                          "patchFrames": 96, "patchesPerClip": 33}
    assert m["video"] == {"fastFrames": 64, "slowFrames": 8, "height": 64, "width": 64}
    assert m["files"] == {"query": "query.onnx", "bgm": "bgm.onnx"}
    # Serving refuses a copy whose bytes differ from these (src/inference/model-manifest.ts).
    for name in ("query.onnx", "bgm.onnx"):
        with open(os.path.join(out, name), "rb") as fh:
            assert m["sha256"][name] == hashlib.sha256(fh.read()).hexdigest()
    assert m["version"] == "untrained-full-seed7" and m["training"]["trained"] is False
    total = sum(os.path.getsize(os.path.join(out, f)) for f in os.listdir(out))
    assert total <= 25 * 1024 * 1024


def _io(path):
    graph = onnx.load(path).graph
    dims = lambda v: [d.dim_param or d.dim_value for d in v.type.tensor_type.shape.dim]  # noqa: E731
    return {i.name: dims(i) for i in graph.input}, {o.name: dims(o) for o in graph.output}


def test_onnx_graphs_are_valid_with_contract_names_and_dynamic_batch(exported):
    out, _ = exported
    for name in ("query.onnx", "bgm.onnx"):
        onnx.checker.check_model(os.path.join(out, name))
        assert onnx.load(os.path.join(out, name)).opset_import[0].version == 17
    inputs, outputs = _io(os.path.join(out, "query.onnx"))
    assert inputs == {"video_fast": ["batch", 64, 3, 64, 64], "video_slow": ["batch", 8, 3, 64, 64],
                      "voice": ["batch", 33, 96, 64]}
    assert outputs == {"embedding": ["batch", 512]}
    assert _io(os.path.join(out, "bgm.onnx")) == ({"music": ["batch", 33, 96, 64]}, {"embedding": ["batch", 512]})


def test_export_leaves_the_model_in_eval_mode(tmp_path):
    torch.manual_seed(0)
    model = MRCMV(MRCMVConfig()).eval()
    music = example_inputs(model.cfg, batch=2)[3]
    with torch.no_grad():
        before = model.encode_music(music)
        export_model(model, str(tmp_path / "m"), "mode-check")
        assert not any(m.training for m in model.modules())
        assert torch.equal(before, model.encode_music(music))


def test_visual_only_export_keeps_the_voice_input(tmp_path):
    out = str(tmp_path / "cmmr")
    export_main(["--out", out, "--variant", "cmmr"])
    assert set(_io(os.path.join(out, "query.onnx"))[0]) == {"video_fast", "video_slow", "voice"}


def _reference(model, batch):
    fast, slow, voice, music = example_inputs(model.cfg, batch=batch, seed=11)
    with torch.no_grad():
        e_j, e_m = model(fast, slow, voice, music)
    return {"query": ({"video_fast": fast, "video_slow": slow, "voice": voice}, e_j),
            "bgm": ({"music": music}, e_m)}


def test_python_onnxruntime_matches_pytorch_if_installed(exported):
    ort = pytest.importorskip("onnxruntime")
    out, model = exported
    for name, (feeds, expected) in _reference(model, 3).items():
        session = ort.InferenceSession(os.path.join(out, f"{name}.onnx"), providers=["CPUExecutionProvider"])
        got = session.run(["embedding"], {k: v.numpy() for k, v in feeds.items()})[0]
        assert np.abs(got - expected.numpy()).max() <= 1e-4


def test_onnxruntime_node_matches_pytorch(exported, tmp_path):
    out, model = exported
    for name, (feeds, expected) in _reference(model, 3).items():  # batch 3: not the export's batch
        got = run_in_node(os.path.join(out, f"{name}.onnx"), feeds, tmp_path, name)
        assert got.shape == (3, 512)
        diff = np.abs(got - expected.numpy()).max()
        assert diff <= 1e-4, f"{name}: max abs difference {diff}"
