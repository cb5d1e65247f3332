"""Temporal alignment of the voice sequence to the video steps, and the fusion of eqs (3)-(4)."""
import torch
from torch import nn


def overlap_pooling_matrix(n_steps: int, n_patches: int, clip_seconds: float,
                           patch_seconds: float) -> torch.Tensor:
    """[n_steps, n_patches] weights: step j averages the voice patches by how long each one
    overlaps step j's time span [j T/N, (j+1) T/N). Rows sum to 1."""
    step = clip_seconds / n_steps
    weights = torch.zeros(n_steps, n_patches)
    for j in range(n_steps):
        lo, hi = j * step, (j + 1) * step
        for i in range(n_patches):
            p_lo, p_hi = i * patch_seconds, (i + 1) * patch_seconds
            weights[j, i] = max(0.0, min(hi, p_hi) - max(lo, p_lo))
    return weights / weights.sum(dim=1, keepdim=True).clamp_min(1e-12)


class TemporalAlign(nn.Module):
    """Pools [B, P, D] patch features to [B, N, D] step features (a fixed MatMul in ONNX)."""

    def __init__(self, n_steps: int, n_patches: int, clip_seconds: float, patch_seconds: float):
        super().__init__()
        matrix = overlap_pooling_matrix(n_steps, n_patches, clip_seconds, patch_seconds)
        self.register_buffer("matrix", matrix, persistent=False)

    def forward(self, seq: torch.Tensor) -> torch.Tensor:
        return torch.matmul(self.matrix, seq)


class FusionGate(nn.Module):
    """g = ReLU([F, S] W_g + b_g) (eq 3); H = g[:d] * F + g[d:] * S (eq 4)."""

    def __init__(self, dim: int):
        super().__init__()
        self.dim = dim
        self.gate = nn.Linear(2 * dim, 2 * dim)
        # Start with the gates open: with a zero bias the ReLU closes about half of them at once.
        nn.init.constant_(self.gate.bias, 0.5)

    def forward(self, f: torch.Tensor, s: torch.Tensor) -> torch.Tensor:
        g = torch.relu(self.gate(torch.cat([f, s], dim=-1)))
        return g[..., : self.dim] * f + g[..., self.dim:] * s


class ConcatFusion(nn.Module):
    def forward(self, f: torch.Tensor, s: torch.Tensor) -> torch.Tensor:
        return torch.cat([f, s], dim=-1)


class SumFusion(nn.Module):
    def forward(self, f: torch.Tensor, s: torch.Tensor) -> torch.Tensor:
        return f + s


def build_fusion(kind: str, dim: int) -> nn.Module:
    return {"gate": lambda: FusionGate(dim), "concat": ConcatFusion, "sum": SumFusion}[kind]()


def fused_dim(kind: str, dim: int) -> int:
    return 2 * dim if kind == "concat" else dim
