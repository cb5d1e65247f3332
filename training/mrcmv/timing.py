"""A timing head: the voice-over's loudness over time against the music's energy over time.

Why: the generator (docs/DATASET.md) sets each line's gain from the music's energy at the moment
the line starts, so the voice-over's loudness envelope follows the music's energy envelope second
by second. A model that only keeps the voice-over's overall character can at best match the
model-free `rule` row (docs/RESULTS.md); the envelope says *when* the music is loud, which pins
down the window of a track, not only its kind. Learning that alignment from a few hundred clips
failed (rounds 1-17), so it is computed, not learned: both branches append an envelope of
ENVELOPE_BINS numbers to the learned embedding, and the dot product of two envelopes is the
correlation of voice loudness with music energy over the voiced part of the clip.

- Voice: per bin (1 s), the mean level of the frames that are voiced (4 dB above the clip's
  quietest frame); bins with less than 30 % voiced frames are left out. Centred over the kept bins,
  zero elsewhere, unit length (all zero when fewer than two bins are voiced: the timing then adds
  nothing, and the learned part decides alone).
- Music: per bin, the level of the mean power, mapped through the empirical quantiles of the
  training music's bins (the generator follows energy quantiles, not decibels), centred over the
  clip, unit length.

Because the voice envelope sums to zero over its kept bins, the dot product centres the music over
exactly those bins too. The embedding is [sqrt(1 - w) * learned (unit, D - ENVELOPE_BINS dims),
sqrt(w) * envelope] renormalised, so the cosine is (1 - w) x learned cosine + w x timing
correlation. Everything is plain tensor arithmetic and exports to ONNX in both branches.
"""
import math
from typing import Optional, Sequence

import numpy as np
import torch
import torch.nn.functional as F
from torch import nn

ENVELOPE_BINS = 31
# One bin per second of the 31.68 s clip: the generator's envelopes are per second.
BIN_FRAMES = 100
VOICED_DB = 4.0
VOICED_SHARE = 0.3
QUANTILES = 64
# line_envelope: a new line starts after 250 ms without voice (espeak-ng's pauses between words are
# shorter); at most 64 lines in a 31 s clip.
LINE_GAP_FRAMES = 25
MAX_LINES = 64
_DB_PER_NEPER = 10.0 / math.log(10.0)


def frame_levels_db(logmel: torch.Tensor) -> torch.Tensor:
    """[..., patches, frames, bins] log-mel patches -> [..., patches * frames] dB of mean mel power."""
    frames = logmel.reshape(*logmel.shape[:-3], -1, logmel.shape[-1])
    return _DB_PER_NEPER * (torch.logsumexp(frames, dim=-1) - math.log(logmel.shape[-1]))


def _bins(levels: torch.Tensor) -> torch.Tensor:
    """[B, F] -> [B, ENVELOPE_BINS, BIN_FRAMES] (the trailing 0.68 s are dropped)."""
    return levels[:, : BIN_FRAMES * ENVELOPE_BINS].reshape(levels.shape[0], ENVELOPE_BINS, BIN_FRAMES)


def voice_envelope(voice: torch.Tensor) -> torch.Tensor:
    levels = frame_levels_db(voice)
    floor = levels.min(dim=1, keepdim=True).values
    on = (levels > floor + VOICED_DB).to(levels.dtype)
    on_bins, level_bins = _bins(on), _bins(levels)
    count = on_bins.sum(dim=-1)
    level = (on_bins * level_bins).sum(dim=-1) / count.clamp(min=1.0)
    kept = (count >= VOICED_SHARE * on_bins.shape[-1]).to(levels.dtype)
    mean = (level * kept).sum(dim=1, keepdim=True) / kept.sum(dim=1, keepdim=True).clamp(min=1.0)
    return F.normalize((level - mean) * kept, dim=1)


def music_bin_db(music: torch.Tensor) -> torch.Tensor:
    """[B, ENVELOPE_BINS] dB of each bin's mean power."""
    power = _bins(torch.exp(frame_levels_db(music) / _DB_PER_NEPER)).mean(dim=-1)
    return _DB_PER_NEPER * torch.log(power)


def quantile_breakpoints(bin_db: np.ndarray, count: int = QUANTILES) -> torch.Tensor:
    """count + 1 strictly increasing quantiles of the music's bin levels (ties nudged apart)."""
    points = np.quantile(np.asarray(bin_db, dtype=np.float64), np.linspace(0.0, 1.0, count + 1))
    points = points + 1e-4 * np.arange(count + 1)
    return torch.tensor(np.maximum.accumulate(points), dtype=torch.float32)


def music_envelope(music: torch.Tensor, breakpoints: torch.Tensor) -> torch.Tensor:
    return level_envelope(music_bin_db(music), breakpoints)


def level_envelope(bin_db: torch.Tensor, breakpoints: torch.Tensor) -> torch.Tensor:
    """[B, ENVELOPE_BINS] levels (dB) -> their quantiles under `breakpoints`, centred, unit length."""
    db = bin_db.unsqueeze(-1)
    lower, width = breakpoints[:-1], breakpoints[1:] - breakpoints[:-1]
    quantile = torch.clamp((db - lower) / width, 0.0, 1.0).mean(dim=-1)
    return F.normalize(quantile - quantile.mean(dim=1, keepdim=True), dim=1)


def line_envelope(voice: torch.Tensor, gap_frames: int = LINE_GAP_FRAMES, max_lines: int = MAX_LINES,
                  seconds: Optional[torch.Tensor] = None) -> torch.Tensor:
    """The voice-over as lines: [B, ENVELOPE_BINS], each line's level placed at the second it starts.

    Why: a creator sets a line's loudness when the line starts (the generator sets it from the
    music's energy in that second, docs/DATASET.md), and keeps it to the line's end. The per-second
    `voice_envelope` gives each second the level of whichever line is sounding, so a 3 s line
    repeats one second's energy over three; here each line counts once, at its first second.
    A line starts at a voiced frame after at least `gap_frames` unvoiced ones; its level is the
    level of the mean power of its voiced frames up to the next line. Bins where no line starts are
    zero; the rest are centred over those bins and the whole is unit length (zero with fewer than two).
    Lines after the first `max_lines` are left out (a bound: 31 s hold far fewer real lines).
    `seconds` [B], when given, is each voice-over's real length: a voice-over shorter than the clip
    is looped to fill it (the learned part was trained so), and the loop's lines would repeat the
    first ones against music that goes on; frames from `seconds` on count as unvoiced.
    Plain tensor arithmetic (max-pool, cumsum, one-hot sums), so it exports to ONNX.
    """
    frames = ENVELOPE_BINS * BIN_FRAMES
    levels = frame_levels_db(voice)[:, :frames]
    floor = levels.min(dim=1, keepdim=True).values
    on = (levels > floor + VOICED_DB).to(levels.dtype)
    if seconds is not None:
        at = torch.arange(frames, device=levels.device, dtype=levels.dtype) / BIN_FRAMES
        on = on * (at.unsqueeze(0) < seconds.to(levels.dtype).reshape(-1, 1)).to(levels.dtype)
    # before[f] = 1 when any of the gap_frames frames before f is voiced.
    before = F.max_pool1d(F.pad(on, (gap_frames, 0))[:, None, :-1], gap_frames, stride=1)[:, 0]
    starts = on * (1.0 - before)
    line = torch.cumsum(starts, dim=1)  # 0 before the first line, then 1, 2, ...
    ids = torch.arange(1, max_lines + 1, dtype=levels.dtype, device=levels.device)
    member = (line.unsqueeze(-1) == ids).to(levels.dtype)  # [B, frames, lines]
    voiced = on.unsqueeze(-1) * member
    count = voiced.sum(dim=1)
    power = torch.exp(levels / _DB_PER_NEPER).unsqueeze(-1)
    line_db = _DB_PER_NEPER * torch.log((voiced * power).sum(dim=1) / count.clamp(min=1.0) + 1e-12)
    second = torch.div(torch.arange(frames, device=levels.device), BIN_FRAMES, rounding_mode="floor")
    first = (starts.unsqueeze(-1) * member).transpose(1, 2) @ F.one_hot(second, ENVELOPE_BINS).to(levels.dtype)
    first = first * (count > 0).to(levels.dtype).unsqueeze(-1)  # [B, lines, bins]: where each line starts
    lines_in_bin = first.sum(dim=1)
    level = (first * line_db.unsqueeze(-1)).sum(dim=1) / lines_in_bin.clamp(min=1.0)
    kept = (lines_in_bin > 0).to(levels.dtype)
    mean = (level * kept).sum(dim=1, keepdim=True) / kept.sum(dim=1, keepdim=True).clamp(min=1.0)
    return F.normalize((level - mean) * kept, dim=1)


def weigh(parts: torch.Tensor, weight: float) -> torch.Tensor:
    """[B, D] = [learned (unit), envelope (unit or zero)] -> the served embedding at `weight`."""
    learned, envelope = parts[:, :-ENVELOPE_BINS], parts[:, -ENVELOPE_BINS:]
    return F.normalize(torch.cat([math.sqrt(1.0 - weight) * learned, math.sqrt(weight) * envelope], dim=1), dim=1)


class Timed(nn.Module):
    """A model whose embedding (dimension D - ENVELOPE_BINS, unit length) is extended by the timing
    envelopes. `weight` None returns the unweighted parts (for sweeping the weight cheaply)."""

    def __init__(self, base: nn.Module, breakpoints: torch.Tensor, weight: Optional[float]):
        super().__init__()
        if weight is not None and not 0.0 <= weight < 1.0:
            raise ValueError(f"timing weight must be in [0, 1), got {weight}")
        self.base = base
        self.cfg = base.cfg
        self.weight = weight
        self.register_buffer("breakpoints", breakpoints)

    def _out(self, learned: torch.Tensor, envelope: torch.Tensor) -> torch.Tensor:
        parts = torch.cat([learned, envelope], dim=1)
        return parts if self.weight is None else weigh(parts, self.weight)

    def encode_query(self, video_fast, video_slow, voice):
        return self._out(self.base.encode_query(video_fast, video_slow, voice), voice_envelope(voice))

    def encode_music(self, music):
        return self._out(self.base.encode_music(music), music_envelope(music, self.breakpoints))


def training_breakpoints(music_files: Sequence[str], clip_frames: int, count: int = QUANTILES) -> torch.Tensor:
    """Breakpoints from the bins of whole tracks (exported log-mel .npy files), cut into clips of
    `clip_frames` back to back so that the bins are as long as a served clip's."""
    levels = []
    for path in music_files:
        frames = np.load(path, mmap_mode="r")
        frames = frames.reshape(-1, frames.shape[-1])
        usable = (frames.shape[0] // clip_frames) * clip_frames
        if usable == 0:
            continue
        clips = torch.from_numpy(np.array(frames[:usable])).reshape(-1, 1, clip_frames, frames.shape[-1])
        levels.append(music_bin_db(clips).flatten().numpy())
    if not levels:
        raise ValueError("no music long enough to fit the timing quantiles")
    return quantile_breakpoints(np.concatenate(levels), count)
