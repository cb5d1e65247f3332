import json
import math
import os

import numpy as np
import onnx
import pytest
import torch
import torch.nn.functional as F

from training.mrcmv.retime import LEVEL_INPUT, SECONDS_INPUT, MusicTail, QueryTail, _export, retime_references, splice
from training.mrcmv.timing import (ENVELOPE_BINS, level_envelope, line_envelope, quantile_breakpoints, voice_envelope,
                                   weigh)
from training.tests.node_parity import run_in_node

LOG_FLOOR = math.log(0.01)


def _voice(rng) -> np.ndarray:
    """[3168, 64] log-mel frames: lines of random length and level with pauses between them."""
    frames = np.full((33 * 96, 64), LOG_FLOOR, dtype=np.float32)
    t = int(rng.integers(20, 80))
    while t < 3000:
        length = int(rng.integers(120, 300))
        frames[t:t + length] = rng.uniform(-12.0, -2.0) / (10 / math.log(10))
        t += length + int(rng.integers(30, 60))
    return frames


def _features(root, count: int, seed: int = 0):
    rng = np.random.default_rng(seed)
    items = []
    for i in range(count):
        os.makedirs(root / "items" / f"v{i}")
        np.save(root / "items" / f"v{i}" / "voice.npy", _voice(rng))
        items.append({"videoId": f"v{i}", "trackId": f"t{i % 3}", "split": "train", "durationSec": 33.0})
    with open(root / "manifest.json", "w") as fh:
        json.dump({"items": items}, fh)
    return torch.from_numpy(np.stack([np.load(root / "items" / f"v{i}" / "voice.npy") for i in range(count)]))


def test_each_reference_keeps_its_learned_part_and_gets_its_own_video_s_lines(tmp_path):
    voices = _features(tmp_path, 6).reshape(6, 33, 96, 64)
    torch.manual_seed(0)
    learned = F.normalize(torch.randn(3, 512 - ENVELOPE_BINS), dim=1)
    chosen = [4, 1, 2]
    old = weigh(torch.cat([learned, voice_envelope(voices[chosen])], dim=1), 0.3).numpy()
    new = torch.from_numpy(retime_references(old, [str(tmp_path)], 0.5))
    assert torch.allclose(F.normalize(new[:, :-ENVELOPE_BINS], dim=1), learned, atol=1e-5)
    want = line_envelope(voices[chosen])
    assert torch.allclose(F.normalize(new[:, -ENVELOPE_BINS:], dim=1), want, atol=1e-5)
    # The two parts at the new weight: (1 - 0.5) x learned + 0.5 x timing in the cosine.
    assert float(new[0, -ENVELOPE_BINS:].norm()) == pytest.approx(math.sqrt(0.5), abs=1e-5)


def test_a_reference_from_another_dataset_is_refused(tmp_path):
    _features(tmp_path / "train", 4, seed=0)
    other = _features(tmp_path / "other", 1, seed=9).reshape(1, 33, 96, 64)
    old = weigh(torch.cat([F.normalize(torch.randn(1, 512 - ENVELOPE_BINS), dim=1), voice_envelope(other)], dim=1), 0.3)
    with pytest.raises(ValueError, match="match no training video"):
        retime_references(old.numpy(), [str(tmp_path / "train")], 0.5)


class _OldMusic(torch.nn.Module):
    """A stand-in for a shipped bgm.onnx: input `music`, output `embedding`."""

    def forward(self, music):
        return F.normalize(music.mean(dim=(1, 2)).repeat(1, 8), dim=1)


def _export_old(path: str, input_name: str) -> str:
    """_OldMusic as an ONNX file whose one input is `input_name` (music for bgm, voice for query)."""
    torch.onnx.export(_OldMusic(), (torch.randn(2, 33, 96, 64),), path, input_names=[input_name],
                      output_names=["embedding"], dynamic_axes={input_name: {0: "batch"}, "embedding": {0: "batch"}},
                      opset_version=17)
    return path


def test_the_spliced_graphs_keep_the_old_inputs_and_add_only_the_levels(tmp_path):
    old_path = _export_old(str(tmp_path / "old.onnx"), "music")
    tail = _export(MusicTail(0.5, quantile_breakpoints(np.linspace(-60, 0, 500))),
                   [torch.randn(2, 512), torch.randn(2, ENVELOPE_BINS)], ["embedding_in", LEVEL_INPUT],
                   str(tmp_path / "tail.onnx"))
    music = splice(onnx.load(old_path), tail, [LEVEL_INPUT])
    assert [i.name for i in music.graph.input] == ["music", LEVEL_INPUT]
    assert [o.name for o in music.graph.output] == ["embedding"]
    names = [o for n in music.graph.node for o in n.output]
    assert len(names) == len(set(names))  # no name written twice

    query_tail = _export(QueryTail(0.5), [torch.randn(2, 512), torch.randn(2, 33, 96, 64)], ["embedding_in", "voice"],
                         str(tmp_path / "qtail.onnx"))
    old_query = _export_old(str(tmp_path / "query.onnx"), "voice")
    query = splice(onnx.load(old_query), query_tail, [])
    assert [i.name for i in query.graph.input] == ["voice"]


def test_onnxruntime_node_serves_the_old_learned_part_with_the_new_envelopes(tmp_path):
    """What serving runs: the spliced bgm graph in onnxruntime-node gives the old graph's learned part
    (renormalised) and level_envelope of the levels input, at the new weight."""
    old_path = _export_old(str(tmp_path / "old.onnx"), "music")
    breakpoints = quantile_breakpoints(np.linspace(-60, 0, 500))
    tail = _export(MusicTail(0.4, breakpoints), [torch.randn(2, 512), torch.randn(2, ENVELOPE_BINS)],
                   ["embedding_in", LEVEL_INPUT], str(tmp_path / "tail.onnx"))
    new_path = str(tmp_path / "new.onnx")
    onnx.save(splice(onnx.load(old_path), tail, [LEVEL_INPUT]), new_path)
    torch.manual_seed(1)
    music = torch.randn(3, 33, 96, 64)
    levels = -30 + 8 * torch.randn(3, ENVELOPE_BINS)
    got = torch.from_numpy(run_in_node(new_path, {"music": music, LEVEL_INPUT: levels}, tmp_path))
    old = _OldMusic()(music)
    want = F.normalize(torch.cat([math.sqrt(0.6) * F.normalize(old[:, :-ENVELOPE_BINS], dim=1),
                                  math.sqrt(0.4) * level_envelope(levels, breakpoints)], dim=1), dim=1)
    assert torch.allclose(got, want, atol=1e-5)

    query_tail = _export(QueryTail(0.4), [torch.randn(2, 512), torch.randn(2, 33, 96, 64)], ["embedding_in", "voice"],
                         str(tmp_path / "qtail.onnx"))
    old_query, new_query = _export_old(str(tmp_path / "oldq.onnx"), "voice"), str(tmp_path / "newq.onnx")
    onnx.save(splice(onnx.load(old_query), query_tail, []), new_query)
    rng = np.random.default_rng(2)
    voices = torch.from_numpy(np.stack([_voice(rng) for _ in range(2)]).reshape(2, 33, 96, 64))
    got = torch.from_numpy(run_in_node(new_query, {"voice": voices}, tmp_path, name="query"))
    old = _OldMusic()(voices)
    want = F.normalize(torch.cat([math.sqrt(0.6) * F.normalize(old[:, :-ENVELOPE_BINS], dim=1),
                                  math.sqrt(0.4) * line_envelope(voices)], dim=1), dim=1)
    assert torch.allclose(got, want, atol=1e-5)


def _looped(rng, seconds: int) -> torch.Tensor:
    """[1, 33, 96, 64]: a voice-over of `seconds` looped to fill the clip, as serving and training read it."""
    real = _voice(rng)[:seconds * 100]
    return torch.from_numpy(np.resize(real, (33 * 96, 64)).reshape(1, 33, 96, 64).copy())


def test_the_loop_of_a_short_voice_over_is_left_out_of_its_lines():
    voice = _looped(np.random.default_rng(3), 20)
    whole = line_envelope(voice)
    masked = line_envelope(voice, seconds=torch.tensor([20.0]))
    assert bool((whole[0, 20:] != 0).any()), "the loop repeats lines after 20 s"
    assert bool((masked[0, 20:] == 0).all())
    assert float(masked.norm()) == pytest.approx(1.0, abs=1e-5)
    # A voice-over that fills the clip is read as before.
    long = torch.from_numpy(_voice(np.random.default_rng(4)).reshape(1, 33, 96, 64))
    assert torch.allclose(line_envelope(long, seconds=torch.tensor([32.0])), line_envelope(long))


def test_onnxruntime_node_masks_the_loop_with_the_voice_seconds_input(tmp_path):
    """What serving runs with manifest voiceSeconds: the spliced query graph takes voice_seconds."""
    query_tail = _export(QueryTail(0.4), [torch.randn(2, 512), torch.randn(2, 33, 96, 64), torch.tensor([20.0, 32.0])],
                         ["embedding_in", "voice", SECONDS_INPUT], str(tmp_path / "qtail.onnx"))
    old_query, new_query = _export_old(str(tmp_path / "oldq.onnx"), "voice"), str(tmp_path / "newq.onnx")
    onnx.save(splice(onnx.load(old_query), query_tail, [SECONDS_INPUT]), new_query)
    rng = np.random.default_rng(5)
    voices = torch.cat([_looped(rng, 17), _looped(rng, 40)])
    seconds = torch.tensor([17.0, 32.0])
    got = torch.from_numpy(run_in_node(new_query, {"voice": voices, SECONDS_INPUT: seconds}, tmp_path, name="query"))
    old = _OldMusic()(voices)
    want = F.normalize(torch.cat([math.sqrt(0.6) * F.normalize(old[:, :-ENVELOPE_BINS], dim=1),
                                  math.sqrt(0.4) * line_envelope(voices, seconds=seconds)], dim=1), dim=1)
    assert torch.allclose(got, want, atol=1e-5)
    assert bool((got[0, -ENVELOPE_BINS + 17:] == 0).all())


def test_a_reference_from_a_short_video_gets_its_masked_lines(tmp_path):
    rng = np.random.default_rng(6)
    os.makedirs(tmp_path / "items" / "v0")
    np.save(tmp_path / "items" / "v0" / "voice.npy", _looped(rng, 21)[0].reshape(33 * 96, 64).numpy())
    with open(tmp_path / "manifest.json", "w") as fh:
        json.dump({"items": [{"videoId": "v0", "trackId": "t0", "split": "train", "durationSec": 21.0}]}, fh)
    voice = torch.from_numpy(np.load(tmp_path / "items" / "v0" / "voice.npy")).reshape(1, 33, 96, 64)
    old = weigh(torch.cat([F.normalize(torch.randn(1, 512 - ENVELOPE_BINS), dim=1), voice_envelope(voice)], dim=1), 0.3)
    new = torch.from_numpy(retime_references(old.numpy(), [str(tmp_path)], 0.5, mask_loop=True))
    want = line_envelope(voice, seconds=torch.tensor([21.0]))
    assert torch.allclose(F.normalize(new[:, -ENVELOPE_BINS:], dim=1), want, atol=1e-5)
    assert not torch.allclose(want, line_envelope(voice), atol=1e-3)
