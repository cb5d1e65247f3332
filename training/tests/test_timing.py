import json
import math
import os

import numpy as np
import pytest
import torch

from training.mrcmv.timing import (BIN_FRAMES, ENVELOPE_BINS, Timed, level_envelope, line_envelope, music_envelope,
                                   quantile_breakpoints, voice_envelope, weigh)

FRAMES = 33 * 96
LOG_FLOOR = math.log(0.01)  # the front end's log offset: digital silence


def _clip(levels_db, speech=None):
    """[1, 33, 96, 64] log-mel whose frames have mean power 10^(level/10) in each second
    (speech: a [seconds] mask of which seconds are voiced; the rest is silence)."""
    frames = np.full((FRAMES, 64), LOG_FLOOR, dtype=np.float32)
    for s, level in enumerate(levels_db):
        if speech is not None and not speech[s]:
            continue
        rows = slice(s * BIN_FRAMES, min(FRAMES, (s + 1) * BIN_FRAMES))
        frames[rows] = level / (10 / math.log(10))
    return torch.from_numpy(frames.reshape(1, 33, 96, 64))


def _breakpoints():
    return quantile_breakpoints(np.linspace(-40.0, 0.0, 1000))


def test_a_voice_that_follows_the_music_in_time_matches_that_window_best():
    rng = np.random.default_rng(0)
    energy = rng.uniform(-35, -5, size=40)
    speech = rng.random(32) > 0.2
    # The creator's lines are louder where the music is loud (an affine map, as the generator's gain).
    voice = voice_envelope(_clip(-8 + 0.3 * (energy[4:36] + 20), speech))
    windows = torch.cat([music_envelope(_clip(energy[k:k + 32]), _breakpoints()) for k in range(9)])
    scores = windows @ voice[0]
    assert int(scores.argmax()) == 4
    assert float(scores[4]) > 0.9
    assert float(scores[[0, 1, 2, 3, 5, 6, 7, 8]].max()) < 0.6


def test_a_silent_voice_over_adds_nothing_and_envelopes_are_unit_or_zero():
    silent = voice_envelope(_clip(np.zeros(32), speech=np.zeros(32, bool)))
    assert torch.count_nonzero(silent) == 0
    music = music_envelope(_clip(np.linspace(-30, -10, 32)), _breakpoints())
    assert music.shape == (1, ENVELOPE_BINS)
    assert float(music.norm()) == pytest.approx(1.0, abs=1e-5)
    assert float(music.sum()) == pytest.approx(0.0, abs=1e-5)


def test_the_weighted_cosine_is_the_mix_of_the_learned_cosine_and_the_timing_correlation():
    torch.manual_seed(0)
    learned = torch.nn.functional.normalize(torch.randn(2, 512 - ENVELOPE_BINS), dim=1)
    envelope = torch.nn.functional.normalize(torch.randn(2, ENVELOPE_BINS), dim=1)
    parts = torch.cat([learned, envelope], dim=1)
    for w in (0.0, 0.25, 0.6):
        a, b = weigh(parts, w)
        want = (1 - w) * learned[0] @ learned[1] + w * envelope[0] @ envelope[1]
        assert float(a @ b) == pytest.approx(float(want), abs=1e-5)
        assert float(a.norm()) == pytest.approx(1.0, abs=1e-5)


def test_a_weight_outside_zero_to_one_is_refused():
    with pytest.raises(ValueError, match="timing weight"):
        Timed(torch.nn.Identity(), _breakpoints(), 1.0)


def _spoken(lines):
    """[1, 33, 96, 64] log-mel of lines (start s, length s, level dB) over digital silence (-20 dB
    here: a line is voiced from 4 dB above it)."""
    frames = np.full((FRAMES, 64), LOG_FLOOR, dtype=np.float32)
    for start, length, level in lines:
        frames[int(round(start * 100)): int(round((start + length) * 100))] = level / (10 / math.log(10))
    return torch.from_numpy(frames.reshape(1, 33, 96, 64))


def test_each_line_counts_once_at_the_second_it_starts():
    envelope = line_envelope(_spoken([(2.0, 2.5, -4.0), (5.0, 1.2, -14.0), (8.3, 3.0, -11.0)]))[0]
    assert torch.nonzero(envelope).flatten().tolist() == [2, 5, 8]
    assert float(envelope[2]) > float(envelope[8]) > float(envelope[5])
    assert float(envelope.sum()) == pytest.approx(0.0, abs=1e-5)
    assert float(envelope.norm()) == pytest.approx(1.0, abs=1e-5)
    # Pauses shorter than a line break (here 0.1 s) do not start a new line.
    one = line_envelope(_spoken([(2.0, 1.0, -4.0), (3.1, 1.0, -4.0), (6.0, 1.0, -14.0)]))[0]
    assert torch.nonzero(one).flatten().tolist() == [2, 6]


def test_a_single_line_or_silence_adds_nothing():
    assert torch.count_nonzero(line_envelope(_spoken([(3.0, 20.0, -4.0)]))) == 0
    assert torch.count_nonzero(line_envelope(_spoken([]))) == 0


def test_lines_set_by_the_music_at_their_start_find_that_window_more_clearly_than_seconds():
    rng = np.random.default_rng(3)
    energy = rng.uniform(-35, -5, size=60)
    lines, t = [], 0.5
    while t < 29.0:
        length = rng.uniform(1.5, 3.5)
        lines.append((t, length, -8 + 0.3 * (energy[10 + int(t)] + 20)))  # the generator's rule, at offset 10
        t += length + 0.4
    voice = _spoken(lines)
    windows = level_envelope(torch.tensor(np.stack([energy[k:k + ENVELOPE_BINS] for k in range(25)]),
                                          dtype=torch.float32), _breakpoints())
    by_lines, by_seconds = windows @ line_envelope(voice)[0], windows @ voice_envelope(voice)[0]
    # Both find the window; read as lines, the voice-over matches it more closely (the score is at
    # most the share of the music's variance in the seconds where lines start, here about 0.57).
    assert int(by_lines.argmax()) == int(by_seconds.argmax()) == 10
    assert float(by_lines[10]) > float(by_seconds[10]) + 0.05
