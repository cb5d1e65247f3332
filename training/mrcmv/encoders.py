"""Feature extractors: a VGGish-shaped audio encoder and a SlowFast-shaped video encoder.

Both are small CNNs that train on a CPU. They keep the I/O of the backbones the paper uses so
that converted pretrained networks can replace them through the registries below:

- audio encoder: forward(x [B, P, 96, 64] log-mel patches) -> [B, P, out_dim]; attribute out_dim.
- video encoder: forward(fast [B, Tf, 3, H, W], slow [B, Ts, 3, H, W], both in [0, 1])
  -> (per-frame fast features [B, Tf, fast_dim], per-frame slow features [B, Ts, slow_dim]);
  attributes fast_dim, slow_dim. Pixel mean/std normalisation happens inside the module.

Register a replacement with register_audio_encoder("vggish", factory) where factory(config)
returns the module (loading its converted weights), then set MRCMVConfig.audio_encoder="vggish".
"""
from typing import Callable, Dict, Sequence

import torch
from torch import nn

AUDIO_ENCODERS: Dict[str, Callable[..., nn.Module]] = {}
VIDEO_ENCODERS: Dict[str, Callable[..., nn.Module]] = {}


def register_audio_encoder(name: str, factory: Callable[..., nn.Module]) -> None:
    AUDIO_ENCODERS[name] = factory


def register_video_encoder(name: str, factory: Callable[..., nn.Module]) -> None:
    VIDEO_ENCODERS[name] = factory


def build_audio_encoder(config) -> nn.Module:
    if config.audio_encoder not in AUDIO_ENCODERS:
        raise KeyError(f"unknown audio encoder {config.audio_encoder!r}; known: {sorted(AUDIO_ENCODERS)}")
    return AUDIO_ENCODERS[config.audio_encoder](config)


def build_video_encoder(config) -> nn.Module:
    if config.video_encoder not in VIDEO_ENCODERS:
        raise KeyError(f"unknown video encoder {config.video_encoder!r}; known: {sorted(VIDEO_ENCODERS)}")
    return VIDEO_ENCODERS[config.video_encoder](config)


def _conv_bn_relu(c_in: int, c_out: int, stride: int = 1) -> Sequence[nn.Module]:
    return [nn.Conv2d(c_in, c_out, 3, stride=stride, padding=1, bias=False), nn.BatchNorm2d(c_out), nn.ReLU()]


class SmallAudioEncoder(nn.Module):
    """VGG-style stack over one 96x64 patch -> out_dim (VGGish gives 128)."""

    def __init__(self, mel_bins: int = 64, patch_frames: int = 96,
                 channels: Sequence[int] = (16, 32, 64, 128), out_dim: int = 128):
        super().__init__()
        c1, c2, c3, c4 = channels
        # A strided first conv instead of VGGish's full-resolution one: 4x cheaper on a CPU.
        layers = [*_conv_bn_relu(1, c1, stride=2), nn.MaxPool2d(2),
                  *_conv_bn_relu(c1, c2), nn.MaxPool2d(2),
                  *_conv_bn_relu(c2, c3), nn.MaxPool2d(2),
                  *_conv_bn_relu(c3, c4)]
        self.features = nn.Sequential(*layers)
        freq_out = mel_bins // 16
        if patch_frames % 16 or mel_bins % 16:
            raise ValueError("patch_frames and mel_bins must be multiples of 16")
        # Average over time only: the frequency layout carries timbre, which matters for music.
        self.fc = nn.Sequential(nn.Linear(c4 * freq_out, out_dim), nn.ReLU())
        self.patch_frames, self.mel_bins, self.out_dim = patch_frames, mel_bins, out_dim

    def forward(self, patches: torch.Tensor) -> torch.Tensor:
        n_patches = patches.shape[1]
        x = patches.reshape(-1, 1, self.patch_frames, self.mel_bins)
        x = self.features(x).mean(dim=2)  # [B*P, C, F']
        x = self.fc(x.flatten(1))
        return x.reshape(-1, n_patches, self.out_dim)


class StatsAudioEncoder(nn.Module):
    """A tiny front end for small datasets: each patch's per-bin mean and standard deviation over
    time (level, spectral shape and how much each band moves), then one learned layer. It has no
    convolutions to overfit, so a model trained on a few dozen videos generalises from what the
    statistics carry (loudness, brightness, speech rate) instead of memorising clips."""

    def __init__(self, mel_bins: int = 64, patch_frames: int = 96, out_dim: int = 128, peak: bool = False):
        super().__init__()
        # With peak, also each bin's loudest frame: a voice-over is silent between lines, so the
        # mean mixes its level with how much of the patch it speaks; the peak keeps the level.
        self.peak = peak
        self.fc = nn.Sequential(nn.Linear((3 if peak else 2) * mel_bins, out_dim), nn.ReLU())
        self.patch_frames, self.mel_bins, self.out_dim = patch_frames, mel_bins, out_dim

    def forward(self, patches: torch.Tensor) -> torch.Tensor:
        # One pass for both moments (a difference tensor the size of the input took half the step).
        var, mean = torch.var_mean(patches, dim=2, unbiased=False)  # [B, P, mel]
        std = torch.sqrt(var + 1e-6)
        parts = [mean, std, patches.max(dim=2).values] if self.peak else [mean, std]
        return self.fc(torch.cat(parts, dim=-1))


def _frame_cnn(channels: Sequence[int]) -> nn.Sequential:
    layers, c_in = [], 3
    for c_out in channels:
        layers += _conv_bn_relu(c_in, c_out, stride=2)
        c_in = c_out
    return nn.Sequential(*layers)


class SmallSlowFast(nn.Module):
    """Two pathways in the spirit of SlowFast: many frames with few channels (fast, with a
    temporal convolution for motion), few frames with many channels (slow). Lateral
    connections of the original are left out; the two streams meet in the model's fc."""

    # Kinetics statistics, as used by SlowFast.
    MEAN = (0.45, 0.45, 0.45)
    STD = (0.225, 0.225, 0.225)

    def __init__(self, fast_channels: Sequence[int] = (8, 16, 32, 64),
                 slow_channels: Sequence[int] = (16, 32, 64, 128)):
        super().__init__()
        self.register_buffer("mean", torch.tensor(self.MEAN).view(1, 3, 1, 1))
        self.register_buffer("std", torch.tensor(self.STD).view(1, 3, 1, 1))
        self.fast = _frame_cnn(fast_channels)
        self.slow = _frame_cnn(slow_channels)
        self.fast_dim, self.slow_dim = fast_channels[-1], slow_channels[-1]
        self.fast_temporal = nn.Sequential(
            nn.Conv1d(self.fast_dim, self.fast_dim, 3, padding=1), nn.ReLU())

    def _per_frame(self, cnn: nn.Module, frames: torch.Tensor, dim: int) -> torch.Tensor:
        n_frames = frames.shape[1]
        x = frames.reshape(-1, 3, frames.shape[-2], frames.shape[-1])
        x = cnn((x - self.mean) / self.std).mean(dim=(2, 3))
        return x.reshape(-1, n_frames, dim)

    def forward(self, fast: torch.Tensor, slow: torch.Tensor):
        f_fast = self._per_frame(self.fast, fast, self.fast_dim)
        f_fast = f_fast + self.fast_temporal(f_fast.transpose(1, 2)).transpose(1, 2)
        f_slow = self._per_frame(self.slow, slow, self.slow_dim)
        return f_fast, f_slow


class TinySlowFast(SmallSlowFast):
    """SmallSlowFast on frames averaged down 2x (64x64 -> 32x32) with three stages: about 16x
    cheaper, so a CPU can train on thousands of videos. The synthetic arena's cues (motion
    intensity, cuts) survive the downsampling."""

    def __init__(self):
        super().__init__(fast_channels=(8, 16, 32), slow_channels=(16, 32, 64))
        self.pool = nn.AvgPool2d(2)

    def _per_frame(self, cnn: nn.Module, frames: torch.Tensor, dim: int) -> torch.Tensor:
        n_frames = frames.shape[1]
        x = frames.reshape(-1, 3, frames.shape[-2], frames.shape[-1])
        x = cnn(self.pool((x - self.mean) / self.std)).mean(dim=(2, 3))
        return x.reshape(-1, n_frames, dim)


class FrameStatsVideo(nn.Module):
    """A fixed, cheap front end for CPU training on thousands of videos, with learned layers on
    top: per fast frame, the mean absolute change from the previous frame on a 4x4 grid (where and
    how much things move; a cut is a spike), the grid's brightness and the whole frame's change;
    per slow frame, the mean colour of a 4x4 grid (layout and team colour). The arena's cues that
    follow the music (motion intensity, cuts) are in these statistics; a convolutional backbone
    can be swapped in through the registry where a GPU is available."""

    GRID = 4
    # Frames are averaged down to this size first. The statistics need no more, and a training
    # loader may hand over frames already averaged down (data.pool_frames): same numbers, less work.
    SIZE = 16

    def __init__(self, fast_dim: int = 32, slow_dim: int = 64):
        super().__init__()
        g = self.GRID * self.GRID
        self.fast_fc = nn.Sequential(nn.Linear(2 * g + 1, fast_dim), nn.ReLU())
        self.slow_fc = nn.Sequential(nn.Linear(3 * g, slow_dim), nn.ReLU())
        self.fast_temporal = nn.Sequential(nn.Conv1d(fast_dim, fast_dim, 3, padding=1), nn.ReLU())
        self.fast_dim, self.slow_dim = fast_dim, slow_dim

    def _grid(self, x: torch.Tensor) -> torch.Tensor:
        # [B, T, C, H, W] -> [B, T, C * GRID * GRID]: mean over each cell.
        b, t, c, h, w = x.shape
        cells = x.reshape(b, t, c, self.GRID, h // self.GRID, self.GRID, w // self.GRID).mean(dim=(4, 6))
        return cells.reshape(b, t, c * self.GRID * self.GRID)

    def _shrink(self, x: torch.Tensor) -> torch.Tensor:
        b, t, c, h, w = x.shape
        if h == self.SIZE and w == self.SIZE:
            return x
        return x.reshape(b, t, c, self.SIZE, h // self.SIZE, self.SIZE, w // self.SIZE).mean(dim=(4, 6))

    def forward(self, fast: torch.Tensor, slow: torch.Tensor):
        fast, slow = self._shrink(fast), self._shrink(slow)
        grey = fast.mean(dim=2, keepdim=True)  # [B, T, 1, H, W]
        change = torch.cat([torch.zeros_like(grey[:, :1]), (grey[:, 1:] - grey[:, :-1]).abs()], dim=1)
        fast_stats = torch.cat([self._grid(change), self._grid(grey), change.mean(dim=(2, 3, 4))[..., None]], dim=-1)
        f_fast = self.fast_fc(fast_stats * 4.0)  # changes are small fractions of the pixel range
        f_fast = f_fast + self.fast_temporal(f_fast.transpose(1, 2)).transpose(1, 2)
        f_slow = self.slow_fc(self._grid(slow))
        return f_fast, f_slow


register_audio_encoder("small", lambda cfg: SmallAudioEncoder(cfg.mel_bins, cfg.patch_frames, out_dim=cfg.d_model))
register_audio_encoder("stats", lambda cfg: StatsAudioEncoder(cfg.mel_bins, cfg.patch_frames, out_dim=cfg.d_model))
register_audio_encoder(
    "stats-peak", lambda cfg: StatsAudioEncoder(cfg.mel_bins, cfg.patch_frames, out_dim=cfg.d_model, peak=True)
)
register_video_encoder("small", lambda cfg: SmallSlowFast())
register_video_encoder("tiny", lambda cfg: TinySlowFast())
register_video_encoder("frame-stats", lambda cfg: FrameStatsVideo())
