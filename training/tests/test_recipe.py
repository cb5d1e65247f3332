import json

from training.mrcmv.gpu_recipe_check import main as recipe_check
from training.mrcmv.train import parse_args


def test_recipe_flags_come_first_so_the_command_line_wins():
    args = parse_args(["--dataset", "d", "--out", "o", "--recipe", "steps", "--window-hop", "4"])
    assert (args.head, args.audio_encoder, args.reference_queries) == ("steps", "stats-peak", 256)
    assert args.window_hop == 4.0


def test_the_default_recipe_trains_exports_and_ships_reference_queries(tmp_path):
    assert recipe_check([str(tmp_path), "--device", "cpu"]) == 0
    manifest = json.loads((tmp_path / "model" / "manifest.json").read_text())
    assert manifest["windowHopSeconds"] == 2
    assert manifest["referenceQueryCount"] == 4
    assert manifest["training"]["referenceQueries"] == 4
