"""Embedding heads: from a sequence of step features to the L2-normalised 512-d embedding.

- flatten (paper, section 3.1.2): "reshaping the depth to 1" then one fully connected layer. It can
  keep time, but must learn from data which dimensions belong to which step.
- steps (step-aligned): one projection shared by every step, the N step vectors concatenated in
  time order, plus a projection of the mean over steps. Both branches use the same N steps over
  the same 32 s, so the cosine of a query and a music window is a sum of per-step similarities
  plus a global one: the query is matched against the music at the same moments of the clip
  (the voice-over's loud lines against the music's loud seconds), not only against its average.
"""
import torch
from torch import nn


def l2_normalise(x: torch.Tensor) -> torch.Tensor:
    # An epsilon inside the root rather than clamp_min: clamp exports with a shape-inference warning.
    return x / torch.sqrt((x * x).sum(dim=-1, keepdim=True) + 1e-24)


class FlattenHead(nn.Module):
    def __init__(self, n_steps: int, in_dim: int, embed_dim: int):
        super().__init__()
        self.fc = nn.Linear(n_steps * in_dim, embed_dim)

    def forward(self, seq: torch.Tensor) -> torch.Tensor:
        return l2_normalise(self.fc(seq.flatten(1)))


class StepHead(nn.Module):
    def __init__(self, n_steps: int, in_dim: int, step_dim: int, global_dim: int, embed_dim: int):
        super().__init__()
        if n_steps * step_dim + global_dim != embed_dim:
            raise ValueError(f"n_steps * step_dim + global_dim must equal embed_dim ({embed_dim})")
        self.step = nn.Linear(in_dim, step_dim)
        self.glob = nn.Linear(in_dim, global_dim)

    def forward(self, seq: torch.Tensor) -> torch.Tensor:
        steps = self.step(seq).flatten(1)
        return l2_normalise(torch.cat([steps, self.glob(seq.mean(dim=1))], dim=-1))


def build_head(cfg, n_steps: int, in_dim: int) -> nn.Module:
    if cfg.head == "steps":
        return StepHead(n_steps, in_dim, cfg.step_dim, cfg.global_dim, cfg.embed_dim)
    return FlattenHead(n_steps, in_dim, cfg.embed_dim)
