"""More steps than slow frames (N = 16, 32): the exported query graph must run at any batch."""
import os

import numpy as np
import pytest
import torch

from training.mrcmv.config import config_for_variant
from training.mrcmv.export import export_model
from training.mrcmv.model import MRCMV, example_inputs
from training.tests.node_parity import run_in_node


@pytest.mark.parametrize("steps,step_dim", [(16, 24), (32, 12)])
def test_finer_steps_export_runs_in_onnxruntime_node_at_other_batches(tmp_path, steps, step_dim):
    torch.manual_seed(3)
    cfg = config_for_variant("full", audio_encoder="stats-peak", video_encoder="frame-stats", head="steps",
                             n_steps=steps, step_dim=step_dim, global_dim=128, d_model=64)
    model = MRCMV(cfg).eval()
    out = str(tmp_path / "model")
    export_model(model, out, "steps-check")
    for batch in (1, 3):  # the export traces batch 2
        fast, slow, voice, _ = example_inputs(cfg, batch=batch)
        with torch.no_grad():
            expected = model.encode_query(fast, slow, voice).numpy()
        got = run_in_node(os.path.join(out, "query.onnx"), {"video_fast": fast, "video_slow": slow, "voice": voice},
                          tmp_path, f"q{batch}")
        assert got.shape == (batch, 512)
        assert np.abs(got - expected).max() <= 1e-4
