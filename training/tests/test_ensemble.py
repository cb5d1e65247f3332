import json
import os

import numpy as np
import pytest
import torch

from training.mrcmv.catalog_eval import embed_queries
from training.mrcmv.config import MRCMVConfig
from training.mrcmv.data import ClipDataset, load_manifests
from training.mrcmv.ensemble import Ensemble, build, fit_projection
from training.mrcmv.export import export_model
from training.mrcmv.model import MRCMV, example_inputs
from training.mrcmv.synthetic import write_synthetic_dataset
from training.mrcmv.timing import ENVELOPE_BINS
from training.tests.node_parity import run_in_node

SMALL = dict(audio_encoder="stats", d_model=32, n_heads=2)


def _members(seeds):
    out = []
    for seed in seeds:
        torch.manual_seed(seed)
        out.append(MRCMV(MRCMVConfig(**SMALL)).eval())
    return out


@torch.no_grad()
def test_the_exact_ensemble_scores_by_the_mean_of_its_members_cosines():
    members = _members([1, 2, 3])
    fast, slow, voice, music = example_inputs(members[0].cfg, batch=3)
    ensemble = Ensemble(members).eval()
    got = ensemble.encode_query(fast, slow, voice) @ ensemble.encode_music(music).T
    want = sum(m.encode_query(fast, slow, voice) @ m.encode_music(music).T for m in members) / 3
    assert torch.allclose(got, want, atol=1e-5)


def test_the_projection_keeps_inner_products_that_live_in_its_dimension():
    # Queries and windows of a 1,024-d space that only span 48 directions: a 64-d projection
    # fitted on them keeps every inner product, and says it kept all the energy.
    torch.manual_seed(0)
    basis = torch.linalg.qr(torch.randn(1024, 48)).Q
    queries, windows = torch.randn(200, 48) @ basis.T, torch.randn(300, 48) @ basis.T
    fitted = fit_projection(queries, windows, 64)
    p = fitted["projection"]
    assert p.shape == (1024, 64)
    assert torch.allclose((queries @ p) @ (windows @ p).T, queries @ windows.T, atol=1e-3)
    assert fitted["queryEnergyKept"] == pytest.approx(1.0, abs=1e-4)
    assert fitted["musicEnergyKept"] == pytest.approx(1.0, abs=1e-4)


def test_members_with_another_contract_are_refused():
    torch.manual_seed(0)
    other = MRCMV(MRCMVConfig(**SMALL, fast_frames=32))
    with pytest.raises(ValueError, match="fast_frames"):
        Ensemble([_members([1])[0], other])


def test_two_trained_runs_export_as_one_contract_folder(synthetic_dataset, tmp_path):
    from training.mrcmv.train import train

    runs = []
    for seed in (1, 2):
        run = str(tmp_path / f"run{seed}")
        train(["--dataset", synthetic_dataset, "--out", run, "--epochs", "1", "--batch-size", "4",
               "--clips-per-video", "2", "--seed", str(seed), "--select-by", "catalog", "--reference-queries", "4",
               "--audio-encoder", "stats", "--d-model", "32", "--heads", "2", "--window-hop", "8"])
        runs.append(run)
    out = str(tmp_path / "ensemble")
    built = build(runs, reference_count=4, windows_per_track=8)
    export_model(built["model"], out, "ens-test", built["metrics"], built["training"], window_hop=built["hop"],
                 reference_queries=built["references"])
    with open(os.path.join(out, "manifest.json")) as fh:
        manifest = json.load(fh)
    assert manifest["embeddingDim"] == 512
    assert manifest["windowHopSeconds"] == 8
    assert manifest["referenceQueryCount"] == 4
    assert [m["seed"] for m in manifest["training"]["ensemble"]] == [1, 2]
    assert manifest["training"]["projection"]["from"] == 1024
    # Two members' 1,024 dimensions, of which the few synthetic queries and windows span far
    # fewer than 512: the projection changes the scores by rounding only.
    assert manifest["metrics"]["fidelity"]["meanAbsoluteError"] < 1e-3
    assert "meanRank" in manifest["metrics"]["catalogScaled"]
    # What serving runs (onnxruntime-node) is the ensemble: [B, 512], as PyTorch computes it.
    model = built["model"].eval()
    fast, slow, voice, music = example_inputs(model.cfg, batch=3, seed=5)
    with torch.no_grad():
        cases = {"query": ({"video_fast": fast, "video_slow": slow, "voice": voice},
                           model.encode_query(fast, slow, voice)),
                 "bgm": ({"music": music}, model.encode_music(music))}
    for name, (feeds, expected) in cases.items():
        got = run_in_node(os.path.join(out, f"{name}.onnx"), feeds, tmp_path, name)
        assert got.shape == (3, 512)
        assert np.abs(got - expected.numpy()).max() <= 1e-4

    # --reference-dataset: the same ensemble, its reference queries drawn from another dataset's
    # videos (all splits), here all six of a second synthetic dataset's.
    other = write_synthetic_dataset(str(tmp_path / "references"), seed=7)
    rebuilt = build(runs, reference_count=6, windows_per_track=8, reference_datasets=[other])
    assert rebuilt["training"]["referenceDatasets"] == [os.path.abspath(other)]
    assert built["training"]["referenceDatasets"] == []
    cfg = rebuilt["model"].cfg

    def queries_of(root):
        items = load_manifests(root)
        return embed_queries(rebuilt["model"], ClipDataset(items, [(i, 0.0) for i in range(len(items))], cfg))

    refs, others, own = rebuilt["references"], queries_of(other), queries_of(synthetic_dataset)
    assert refs.shape == (6, 512)
    # Each reference is one of the other dataset's videos, each video once; none is a training video.
    nearest = torch.cdist(refs, others).min(dim=1)
    assert nearest.values.max() < 1e-4
    assert sorted(nearest.indices.tolist()) == list(range(6))
    assert torch.cdist(refs, own).min() > 1e-3

    # --timing-weight: the learned part is projected to 512 - ENVELOPE_BINS dimensions, the timing
    # envelopes fill the rest, the weight is chosen on the held-back videos among those given, and
    # what onnxruntime-node runs is what PyTorch computes.
    timed = build(runs, reference_count=4, windows_per_track=8, timing_weights=[0.0, 0.3], window_hop=4)
    assert timed["hop"] == 4
    assert timed["training"]["projection"]["to"] == 512 - ENVELOPE_BINS
    sweep = timed["metrics"]["timing"]["sweep"]
    assert [row["weight"] for row in sweep] == [0.0, 0.3]
    chosen = min(sweep, key=lambda r: (r["meanRank"], r["weight"]))["weight"]
    assert timed["training"]["timing"]["weight"] == chosen == timed["model"].weight
    assert timed["metrics"]["catalogScaled"]["meanRank"] == min(r["meanRank"] for r in sweep)
    timed_out = str(tmp_path / "timed")
    export_model(timed["model"], timed_out, "timed-test", timed["metrics"], timed["training"], window_hop=timed["hop"],
                 reference_queries=timed["references"])
    model = timed["model"].eval()
    with torch.no_grad():
        want_query, want_music = model.encode_query(fast, slow, voice), model.encode_music(music)
    assert np.abs(run_in_node(os.path.join(timed_out, "query.onnx"), cases["query"][0], tmp_path, "tq")
                  - want_query.numpy()).max() <= 1e-4
    assert np.abs(run_in_node(os.path.join(timed_out, "bgm.onnx"), cases["bgm"][0], tmp_path, "tb")
                  - want_music.numpy()).max() <= 1e-4


def test_a_reference_dataset_without_videos_is_refused_before_any_run_is_read(tmp_path):
    empty = tmp_path / "empty"
    empty.mkdir()
    (empty / "manifest.json").write_text(json.dumps({"items": []}))
    with pytest.raises(ValueError, match="holds no videos"):
        build([str(tmp_path / "no-run-1"), str(tmp_path / "no-run-2")], reference_datasets=[str(empty)])
