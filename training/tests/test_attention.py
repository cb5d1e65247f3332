import math

import torch

from training.mrcmv.attention import Chi, CrossModalAttention, SelfAttention


def manual_chi(chi: Chi, i1: torch.Tensor, i2: torch.Tensor) -> torch.Tensor:
    """Eqs (1)-(2) written head by head from the weight matrices."""
    d, h = chi.dim, chi.n_heads
    dk = d // h
    wq, wk, wv, wo = (m.weight.T for m in (chi.w_q, chi.w_k, chi.w_v, chi.w_o))
    heads = []
    for i in range(h):
        cols = slice(i * dk, (i + 1) * dk)
        q, k, v = i1 @ wq[:, cols], i2 @ wk[:, cols], i2 @ wv[:, cols]
        heads.append(torch.softmax(q @ k.transpose(-1, -2) / math.sqrt(dk), dim=-1) @ v)
    return i1 + torch.cat(heads, dim=-1) @ wo


def test_chi_matches_equations_for_different_lengths():
    torch.manual_seed(0)
    chi = CrossModalAttention(16, 4)
    i1, i2 = torch.randn(3, 8, 16), torch.randn(3, 33, 16)
    out = chi(i1, i2)
    assert out.shape == (3, 8, 16)
    assert torch.allclose(out, manual_chi(chi, i1, i2), atol=1e-5)


def test_self_attention_is_chi_of_input_with_itself():
    torch.manual_seed(1)
    sa = SelfAttention(16, 2)
    x = torch.randn(2, 5, 16)
    assert torch.allclose(sa(x), Chi.forward(sa, x, x))
    assert torch.allclose(sa(x), manual_chi(sa, x, x), atol=1e-5)


def test_residual_passes_input_through_when_output_projection_is_zero():
    torch.manual_seed(2)
    chi = Chi(8, 2)
    torch.nn.init.zeros_(chi.w_o.weight)
    i1, i2 = torch.randn(2, 4, 8), torch.randn(2, 6, 8)
    assert torch.equal(chi(i1, i2), i1)


def test_attention_weights_are_a_distribution_over_the_second_input():
    chi = Chi(8, 2)
    w = chi.attention_weights(torch.randn(2, 4, 8), torch.randn(2, 6, 8))
    assert w.shape == (2, 2, 4, 6)
    assert torch.allclose(w.sum(-1), torch.ones(2, 2, 4))
