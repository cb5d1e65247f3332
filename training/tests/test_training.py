import json
import os

import torch

from training.mrcmv.config import config_for_variant
from training.mrcmv.export import load_checkpoint, model_from_checkpoint
from training.mrcmv.losses import LossConfig, MRCMVLoss, uniformity_loss
from training.mrcmv.model import MRCMV, example_inputs
from training.mrcmv.train import train, train_step


def _full_model_and_batch():
    """The full model, its loss and optimizer, and a fixed batch of four clips of four tracks."""
    torch.manual_seed(0)
    model = MRCMV(config_for_variant("full"))
    criterion = MRCMVLoss(LossConfig(), model.cfg.embed_dim, num_classes=4)
    optimizer = torch.optim.Adam(list(model.parameters()) + list(criterion.parameters()), lr=1e-4)
    fast, slow, voice, music = example_inputs(model.cfg, batch=4, seed=1)
    batch = {"video_fast": fast, "video_slow": slow, "voice": voice, "music": music,
             "label": torch.arange(4), "track": torch.arange(4)}
    return model, criterion, optimizer, batch


def test_twenty_steps_on_a_fixed_batch_reduce_the_loss():
    model, criterion, optimizer, batch = _full_model_and_batch()
    losses = [train_step(model, criterion, optimizer, batch, 0.2, "cpu")["loss"] for _ in range(20)]
    assert losses[-1] < 0.7 * losses[0], losses


def test_uniformity_is_lower_for_spread_embeddings_and_skips_same_track_pairs():
    tracks = torch.arange(4)
    crowded = torch.nn.functional.normalize(torch.tensor([[1.0, 0.1], [1.0, 0.0], [1.0, -0.1], [1.0, 0.05]]), dim=1)
    spread = torch.tensor([[1.0, 0.0], [0.0, 1.0], [-1.0, 0.0], [0.0, -1.0]])
    assert float(uniformity_loss(spread, tracks)) < float(uniformity_loss(crowded, tracks)) - 1.0
    # All four clips of one track: no pair counts, and the term is zero (with a gradient path).
    assert float(uniformity_loss(crowded, torch.zeros(4, dtype=torch.long))) == 0.0
    # Two tracks, two clips each: only the four cross-track pairs (both orders) count.
    x = torch.tensor([[1.0, 0.0], [1.0, 0.0], [0.0, 1.0], [0.0, 1.0]])
    expected = torch.log(torch.exp(torch.tensor(-2.0 * 2.0)))
    assert abs(float(uniformity_loss(x, torch.tensor([0, 0, 1, 1]))) - float(expected)) < 1e-6


def test_step_adds_the_uniformity_term_when_weighted():
    model, criterion, optimizer, batch = _full_model_and_batch()
    out = train_step(model, criterion, optimizer, batch, 0.2, "cpu", uniformity_weight=0.5)
    assert out["uniformity"] < 0
    assert abs(out["loss"] - (out["l1"] + 0.1 * out["l2"] + 0.5 * out["uniformity"])) < 1e-4
    assert "uniformity" not in train_step(model, criterion, optimizer, batch, 0.2, "cpu")


def test_cbvmr_step_uses_the_intra_modal_term():
    torch.manual_seed(0)
    model = MRCMV(config_for_variant("cbvmr"))
    criterion = MRCMVLoss(LossConfig(), 512, 4, use_pseudo_label=False, intra_modal_weight=0.2)
    optimizer = torch.optim.Adam(model.parameters(), lr=1e-4)
    fast, slow, voice, music = example_inputs(model.cfg, batch=4)
    out = train_step(model, criterion, optimizer, {"video_fast": fast, "video_slow": slow, "voice": voice,
                     "music": music, "label": torch.arange(4), "track": torch.arange(4)}, 0.2, "cpu")
    assert "intra" in out and "l2" not in out


def test_cli_trains_logs_checkpoints_and_exports(synthetic_dataset, tmp_path):
    run, model_dir = str(tmp_path / "run"), str(tmp_path / "model")
    result = train(["--dataset", synthetic_dataset, "--out", run, "--epochs", "2", "--batch-size", "4",
                    "--clips-per-video", "2", "--seed", "3", "--export", model_dir, "--version", "test-1"])
    with open(os.path.join(run, "log.json")) as fh:
        log = json.load(fh)
    assert [e["epoch"] for e in log["epochs"]] == [1, 2]
    assert all(e["loss"] > 0 and "l2" in e and "R@1" in e["test"] for e in log["epochs"])
    checkpoint = load_checkpoint(result["checkpoint"])
    model = model_from_checkpoint(checkpoint)
    assert model.cfg.variant == "full" and checkpoint["numClasses"] == log["pseudoLabels"]
    with open(os.path.join(model_dir, "manifest.json")) as fh:
        manifest = json.load(fh)
    assert manifest["version"] == "test-1" and manifest["training"]["trained"] is True
    assert "R@1" in manifest["metrics"]


def test_cli_small_data_knobs_reach_the_model_and_the_export(synthetic_dataset, tmp_path):
    run, model_dir = str(tmp_path / "run"), str(tmp_path / "model")
    train(["--dataset", synthetic_dataset, "--out", run, "--epochs", "1", "--batch-size", "4",
           "--clips-per-video", "2", "--audio-encoder", "stats", "--d-model", "32", "--heads", "2",
           "--weight-decay", "0.01", "--music-jitter", "4", "--video-dropout", "0.5", "--eval-every", "0",
           "--export", model_dir])
    with open(os.path.join(run, "log.json")) as fh:
        log = json.load(fh)
    assert log["config"]["audio_encoder"] == "stats" and log["config"]["d_model"] == 32
    assert log["config"]["video_dropout"] == 0.5 and log["args"]["music_jitter"] == 4.0
    with open(os.path.join(model_dir, "manifest.json")) as fh:
        manifest = json.load(fh)
    assert manifest["training"]["config"]["n_heads"] == 2 and manifest["embeddingDim"] == 512


def test_device_check_first_loss_is_deterministic_on_cpu(synthetic_dataset, tmp_path):
    # The GPU check compares this loss between CPU and CUDA: it must not vary between runs.
    from training.mrcmv.device_check import first_loss
    a = first_loss(synthetic_dataset, str(tmp_path / "a"), "cpu")
    b = first_loss(synthetic_dataset, str(tmp_path / "b"), "cpu")
    assert a == b and a > 0
