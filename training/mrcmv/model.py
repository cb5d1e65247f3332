"""MRCMV (paper section 3): the query branch (video + voice-over -> E_J) and the BGM branch
(music -> E_M). The two branches share nothing, so BGM embeddings can be computed offline."""
from typing import Optional, Tuple

import torch
from torch import nn

from .attention import CrossModalAttention, SelfAttention
from .config import MRCMVConfig
from .encoders import build_audio_encoder, build_video_encoder
from .fusion import TemporalAlign, build_fusion, fused_dim
from .heads import build_head, l2_normalise  # noqa: F401 (l2_normalise is part of this module's API)


def _projection(in_dim: int, out_dim: int) -> nn.Module:
    # Lets a swapped-in backbone with another feature size plug into d_model.
    return nn.Identity() if in_dim == out_dim else nn.Linear(in_dim, out_dim)


class QueryBranch(nn.Module):
    def __init__(self, cfg: MRCMVConfig, voice_encoder: Optional[nn.Module]):
        super().__init__()
        self.cfg = cfg
        d = cfg.d_model
        self.video_encoder = build_video_encoder(cfg)
        # F = fc([F_fast, F_slow]) after both pathways are pooled to the N steps.
        self.video_fc = nn.Linear(self.video_encoder.fast_dim + self.video_encoder.slow_dim, d)
        self.sa_video = SelfAttention(d, cfg.n_heads) if cfg.use_sa else None
        out_dim = d
        if cfg.use_voice:
            self.voice_encoder = voice_encoder
            self.voice_proj = _projection(voice_encoder.out_dim, d)
            self.sa_voice = SelfAttention(d, cfg.n_heads) if cfg.use_sa else None
            self.cma_video = CrossModalAttention(d, cfg.n_heads) if cfg.use_cma else None
            self.cma_voice = CrossModalAttention(d, cfg.n_heads) if cfg.use_cma else None
            self.align = TemporalAlign(cfg.n_steps, cfg.patches, cfg.clip_seconds, cfg.patch_seconds)
            self.fusion = build_fusion(cfg.fusion, d)
            out_dim = fused_dim(cfg.fusion, d)
        self.head = build_head(cfg, cfg.n_steps, out_dim)
        # Hubness reduction (set by centring.fit_centres after training; zero = off): the mean
        # query embedding is taken off before the final normalisation, so that no direction that
        # every query shares lifts the same few tracks for all of them.
        self.register_buffer("centre", torch.zeros(cfg.embed_dim))

    def _steps(self, seq: torch.Tensor, n_frames: int) -> torch.Tensor:
        # Group-average consecutive frames: with 64 fast frames and N = 8, step j covers the
        # fast frames 8j..8j+7, i.e. the same 4 s as slow frame j. With more steps than frames
        # (8 slow frames, N = 16) each frame stands for the steps it spans.
        n = self.cfg.n_steps
        if n_frames < n:
            # expand + reshape rather than repeat_interleave: torch 1.13 exports repeat_interleave
            # with the tracing batch's shape baked in (onnxruntime then fails on another batch).
            b, t, d = seq.shape
            return seq.unsqueeze(2).expand(b, t, n // n_frames, d).reshape(b, n, d)
        group = n_frames // n
        if group == 1:
            return seq
        return seq.reshape(-1, n, group, seq.shape[-1]).mean(dim=2)

    def video_features(self, video_fast: torch.Tensor, video_slow: torch.Tensor) -> torch.Tensor:
        f_fast, f_slow = self.video_encoder(video_fast, video_slow)
        f_fast = self._steps(f_fast, self.cfg.fast_frames)
        f_slow = self._steps(f_slow, self.cfg.slow_frames)
        return self.video_fc(torch.cat([f_fast, f_slow], dim=-1))  # [B, N, d]

    def forward(self, video_fast, video_slow, voice, return_features: bool = False):
        f = self.video_features(video_fast, video_slow)
        if self.training and self.cfg.use_voice and self.cfg.video_dropout > 0:
            keep = torch.rand(f.shape[0], 1, 1, device=f.device) >= self.cfg.video_dropout
            f = f * keep
        pooled = f.mean(dim=1)
        if self.sa_video is not None:
            f = self.sa_video(f)
        if self.cfg.use_voice:
            s = self.voice_proj(self.voice_encoder(voice))  # [B, P, d]
            if self.sa_voice is not None:
                s = self.sa_voice(s)
            if self.cma_video is not None:
                # Both directions read the same (self-attended) inputs.
                f, s = self.cma_video(f, s), self.cma_voice(s, f)
            # CMA ran at full voice resolution; the gate needs the steps aligned in time.
            h = self.fusion(f, self.align(s))
        else:
            h = f
        embedding = centre_embedding(self.head(h), self.centre)
        return (embedding, pooled) if return_features else embedding


def centre_embedding(embedding: torch.Tensor, centre: torch.Tensor) -> torch.Tensor:
    """L2(e - centre); with a zero centre, e itself (already unit length)."""
    return l2_normalise(embedding - centre)


class BGMBranch(nn.Module):
    def __init__(self, cfg: MRCMVConfig, music_encoder: nn.Module):
        super().__init__()
        self.music_encoder = music_encoder
        self.music_proj = _projection(music_encoder.out_dim, cfg.d_model)
        self.sa_music = SelfAttention(cfg.d_model, cfg.n_heads) if cfg.use_sa else None
        # The step-aligned head compares music and query at the same N steps; the paper's head
        # flattens all patches.
        self.align = (
            TemporalAlign(cfg.n_steps, cfg.patches, cfg.clip_seconds, cfg.patch_seconds)
            if cfg.head == "steps"
            else None
        )
        self.head = build_head(cfg, cfg.n_steps if self.align is not None else cfg.patches, cfg.d_model)
        self.register_buffer("centre", torch.zeros(cfg.embed_dim))  # the mean music window, see QueryBranch

    def forward(self, music: torch.Tensor, return_features: bool = False):
        m = self.music_proj(self.music_encoder(music))  # [B, P, d]
        pooled = m.mean(dim=1)
        if self.sa_music is not None:
            m = self.sa_music(m)
        if self.align is not None:
            m = self.align(m)
        embedding = centre_embedding(self.head(m), self.centre)
        return (embedding, pooled) if return_features else embedding


class MRCMV(nn.Module):
    def __init__(self, cfg: Optional[MRCMVConfig] = None):
        super().__init__()
        self.cfg = cfg or MRCMVConfig()
        music_encoder = build_audio_encoder(self.cfg)
        voice_encoder = None
        if self.cfg.use_voice:
            # Sharing makes the exported files carry the same weights twice; that is harmless.
            voice_encoder = music_encoder if self.cfg.share_audio_encoder else build_audio_encoder(self.cfg)
        self.query = QueryBranch(self.cfg, voice_encoder)
        self.bgm = BGMBranch(self.cfg, music_encoder)

    def encode_query(self, video_fast, video_slow, voice, return_features: bool = False):
        return self.query(video_fast, video_slow, voice, return_features)

    def encode_music(self, music, return_features: bool = False):
        return self.bgm(music, return_features)

    def forward(self, video_fast, video_slow, voice, music) -> Tuple[torch.Tensor, torch.Tensor]:
        return self.encode_query(video_fast, video_slow, voice), self.encode_music(music)


def count_parameters(module: nn.Module) -> int:
    return sum(p.numel() for p in module.parameters())


def example_inputs(cfg: MRCMVConfig, batch: int = 2, seed: int = 0):
    """Random inputs with the contract's shapes: (video_fast, video_slow, voice, music)."""
    gen = torch.Generator().manual_seed(seed)
    fast = torch.rand(batch, cfg.fast_frames, 3, cfg.height, cfg.width, generator=gen)
    slow = fast[:, :: cfg.fast_frames // cfg.slow_frames].clone()
    voice = torch.randn(batch, cfg.patches, cfg.patch_frames, cfg.mel_bins, generator=gen) - 2.0
    music = torch.randn(batch, cfg.patches, cfg.patch_frames, cfg.mel_bins, generator=gen) - 2.0
    return fast, slow, voice, music
