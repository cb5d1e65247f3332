"""chi(I1, I2) of MRCMV eqs (1)-(2): multi-head attention with a residual connection.

SA(I) = chi(I, I) and CMA(I1, I2) = chi(I1, I2). Written with explicit matmuls so that the
exported ONNX graph is plain MatMul/Softmax and behaves the same in every runtime.
"""
import math

import torch
from torch import nn


class Chi(nn.Module):
    """chi(I1, I2) = I1 + [O_1, ..., O_Nh] W^O with O_i = softmax(I1 Wq_i (I2 Wk_i)^T / sqrt(d_k)) I2 Wv_i."""

    def __init__(self, dim: int, n_heads: int):
        super().__init__()
        if dim % n_heads != 0:
            raise ValueError(f"dim {dim} must be divisible by n_heads {n_heads}")
        self.dim = dim
        self.n_heads = n_heads
        self.d_head = dim // n_heads  # d_k = d_v; the paper needs d_I = N_h * d_v
        # The paper's W matrices have no bias terms.
        self.w_q = nn.Linear(dim, dim, bias=False)
        self.w_k = nn.Linear(dim, dim, bias=False)
        self.w_v = nn.Linear(dim, dim, bias=False)
        self.w_o = nn.Linear(dim, dim, bias=False)

    def _split_heads(self, x: torch.Tensor) -> torch.Tensor:
        # [B, N, D] -> [B, Nh, N, d_head]; -1 keeps batch and length dynamic in ONNX.
        return x.reshape(x.shape[0], -1, self.n_heads, self.d_head).transpose(1, 2)

    def attention_weights(self, i1: torch.Tensor, i2: torch.Tensor) -> torch.Tensor:
        q = self._split_heads(self.w_q(i1))
        k = self._split_heads(self.w_k(i2))
        scores = torch.matmul(q, k.transpose(-1, -2)) / math.sqrt(self.d_head)
        return torch.softmax(scores, dim=-1)

    def forward(self, i1: torch.Tensor, i2: torch.Tensor) -> torch.Tensor:
        weights = self.attention_weights(i1, i2)  # [B, Nh, N1, N2]
        v = self._split_heads(self.w_v(i2))  # [B, Nh, N2, d_head]
        heads = torch.matmul(weights, v)  # [B, Nh, N1, d_head]
        concat = heads.transpose(1, 2).reshape(i1.shape[0], -1, self.dim)
        return i1 + self.w_o(concat)


class SelfAttention(Chi):
    """SA(I) = chi(I, I)."""

    def forward(self, i1: torch.Tensor, i2: torch.Tensor = None) -> torch.Tensor:
        return super().forward(i1, i1 if i2 is None else i2)


class CrossModalAttention(Chi):
    """CMA(I1, I2) = chi(I1, I2): I1 queries, I2 gives keys and values; output has I1's length."""
