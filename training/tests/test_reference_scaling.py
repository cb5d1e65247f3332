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
