import json
import math
import os

import numpy as np
import onnx
import pytest
import torch
import torch.nn.functional as F

from training.mrcmv.retime import LEVEL_INPUT, MusicTail, QueryTail, _export, retime_references, splice
from training.mrcmv.timing import ENVELOPE_BINS, line_envelope, quantile_breakpoints, voice_envelope, weigh

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


def test_the_spliced_graphs_keep_the_old_inputs_and_add_only_the_levels(tmp_path):
    old_path = str(tmp_path / "old.onnx")
    torch.onnx.export(_OldMusic(), (torch.randn(2, 33, 96, 64),), old_path, input_names=["music"],
                      output_names=["embedding"], dynamic_axes={"music": {0: "batch"}, "embedding": {0: "batch"}},
                      opset_version=17)
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
    old_query = str(tmp_path / "query.onnx")
    torch.onnx.export(_OldMusic(), (torch.randn(2, 33, 96, 64),), old_query, input_names=["voice"],
                      output_names=["embedding"], dynamic_axes={"voice": {0: "batch"}, "embedding": {0: "batch"}},
                      opset_version=17)
    query = splice(onnx.load(old_query), query_tail, [])
    assert [i.name for i in query.graph.input] == ["voice"]
