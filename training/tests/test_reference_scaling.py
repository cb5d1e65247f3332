import json
import os

import numpy as np
import torch

from training.mrcmv.config import MRCMVConfig
from training.mrcmv.export import REFERENCE_QUERIES_FILE, export_model
from training.mrcmv.model import MRCMV
from training.mrcmv.reference_scaling import STD_FLOOR, scaled_scores, track_scaling


def test_track_scaling_is_the_mean_and_std_of_each_references_best_window():
    references = torch.tensor([[1.0, 0.0], [0.0, 1.0], [0.6, 0.8]])
    windows = torch.tensor([[1.0, 0.0], [0.0, 1.0]])
    # best windows: 1.0, 1.0, 0.8
    mean, std = track_scaling(references, windows)
    assert np.isclose(mean, (1.0 + 1.0 + 0.8) / 3)
    assert np.isclose(std, np.std([1.0, 1.0, 0.8]))


def test_a_track_every_reference_matches_equally_gets_the_floor_not_a_division_by_zero():
    mean, std = track_scaling(torch.ones(4, 2) / np.sqrt(2), torch.ones(1, 2) / np.sqrt(2))
    assert std == STD_FLOOR
    assert np.isclose(mean, 1.0)


def test_scaling_can_reorder_a_hub_below_a_specific_match():
    best = torch.tensor([[0.9, 0.5]])  # the hub (track 0) scores higher raw...
    scaled = scaled_scores(best, [(0.88, 0.05), (0.2, 0.1)])  # ...but it scores that high for everyone
    assert scaled.argmax().item() == 1
    assert torch.equal(scaled_scores(best, None), best)


def test_export_ships_reference_queries_as_little_endian_float32(tmp_path):
    torch.manual_seed(0)
    model = MRCMV(MRCMVConfig())
    refs = torch.randn(5, model.cfg.embed_dim)
    manifest = export_model(model, str(tmp_path), "t", reference_queries=refs)
    assert manifest["files"]["referenceQueries"] == REFERENCE_QUERIES_FILE
    assert manifest["referenceQueryCount"] == 5
    raw = np.fromfile(os.path.join(tmp_path, REFERENCE_QUERIES_FILE), dtype="<f4").reshape(5, -1)
    np.testing.assert_array_equal(raw, refs.numpy())
    with open(os.path.join(tmp_path, "manifest.json")) as fh:
        assert json.load(fh)["referenceQueryCount"] == 5



def test_catalog_selection_ranks_as_served_when_the_model_ships_reference_queries(synthetic_dataset, tmp_path):
    # The epoch is chosen on the standardised ranking suggestBgm serves, so the selected epoch's
    # validation figures are the ones the shipped references reproduce.
    from training.mrcmv.train import train

    result = train(["--dataset", synthetic_dataset, "--out", str(tmp_path / "run"), "--epochs", "2",
                    "--batch-size", "4", "--clips-per-video", "2", "--seed", "3", "--select-by", "catalog",
                    "--reference-queries", "4", "--audio-encoder", "stats", "--d-model", "32", "--heads", "2"])
    epochs = result["log"]["epochs"]
    assert all(e["catalog"]["scaled"] is True for e in epochs)
    metrics = result["metrics"]
    chosen = epochs[metrics["selectedEpoch"] - 1]["catalog"]
    assert chosen["meanRank"] == min(e["catalog"]["meanRank"] for e in epochs)
    assert metrics["catalogScaled"]["meanRank"] == chosen["meanRank"]


def test_a_sharper_centre_moves_from_the_mean_towards_the_best_reference_and_keeps_the_spread():
    from training.mrcmv.reference_scaling import MAX_SOFTMAX_BETA, log_mean_exp
    references = torch.tensor([[1.0, 0.0], [0.0, 1.0], [0.6, 0.8], [0.8, 0.6]])
    windows = torch.tensor([[1.0, 0.0]])  # reference scores 1, 0, 0.6, 0.8
    centres = [track_scaling(references, windows, beta)[0] for beta in (0, 1, 5, 20, 100)]
    assert np.isclose(centres[0], 0.6)
    assert all(a < b for a, b in zip(centres, centres[1:]))
    assert 0.98 < centres[-1] < 1.0
    assert track_scaling(references, windows, 20)[1] == track_scaling(references, windows, 0)[1]
    # The same numbers as src/inference/track-scaling.ts logMeanExp (its unit test).
    assert np.isclose(log_mean_exp(torch.tensor([0.2, 0.4]), 3), np.log((np.exp(0.6) + np.exp(1.2)) / 2) / 3)
    assert np.isclose(log_mean_exp(torch.tensor([0.9, 0.95, 1.0]), MAX_SOFTMAX_BETA), 1 - np.log(3) / MAX_SOFTMAX_BETA)
    for bad in (-1.0, MAX_SOFTMAX_BETA + 1):
        try:
            track_scaling(references, windows, bad)
        except ValueError:
            continue
        raise AssertionError(f"beta {bad} was accepted")


def test_export_writes_the_centre_sharpness_serving_reads(tmp_path):
    torch.manual_seed(0)
    model = MRCMV(MRCMVConfig())
    manifest = export_model(model, str(tmp_path), "t", reference_queries=torch.randn(3, model.cfg.embed_dim),
                            beta=20.0)
    assert manifest["referenceSoftmaxBeta"] == 20.0
    with open(os.path.join(tmp_path, "manifest.json")) as fh:
        assert json.load(fh)["referenceSoftmaxBeta"] == 20.0


def test_a_beta_serving_would_refuse_is_refused_before_anything_is_written(tmp_path):
    from training.mrcmv.export import main as export_main
    torch.manual_seed(0)
    model = MRCMV(MRCMVConfig())
    out = tmp_path / "bad"
    for bad in (-1.0, 1001.0):
        try:
            export_model(model, str(out), "t", reference_queries=torch.randn(3, model.cfg.embed_dim), beta=bad)
        except ValueError:
            pass
        else:
            raise AssertionError(f"beta {bad} was exported")
        assert not out.exists()
    try:
        export_main(["--out", str(out), "--reference-beta", "-1"])
    except SystemExit as exit_:
        assert exit_.code == 2  # argparse's usage error
    else:
        raise AssertionError("--reference-beta -1 was accepted")
    assert not out.exists()
