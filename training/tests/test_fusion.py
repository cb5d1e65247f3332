import torch

from training.mrcmv.fusion import (ConcatFusion, FusionGate, SumFusion, TemporalAlign,
                                   overlap_pooling_matrix)


def test_gate_matches_equations_3_and_4_on_a_hand_built_example():
    gate = FusionGate(2)
    with torch.no_grad():
        # [F, S] = [f1, f2, s1, s2]; g = ReLU([F, S] W + b) with W^T rows chosen by hand.
        gate.gate.weight.copy_(torch.tensor([[1.0, 0.0, 0.0, 0.0],
                                             [0.0, 0.0, 1.0, 0.0],
                                             [0.0, -1.0, 0.0, 0.0],
                                             [0.0, 0.0, 0.0, 1.0]]))
        gate.gate.bias.copy_(torch.tensor([0.0, 0.5, 0.0, -1.0]))
    f = torch.tensor([[[2.0, 3.0]]])
    s = torch.tensor([[[4.0, 5.0]]])
    # g = ReLU([2, 4 + 0.5, -3, 5 - 1]) = [2, 4.5, 0, 4]
    # H = g[:2] * F + g[2:] * S = [2*2 + 0*4, 4.5*3 + 4*5] = [4, 33.5]
    assert torch.allclose(gate(f, s), torch.tensor([[[4.0, 33.5]]]))


def test_concat_and_sum_fusions():
    f, s = torch.ones(1, 2, 3), 2 * torch.ones(1, 2, 3)
    assert ConcatFusion()(f, s).shape == (1, 2, 6)
    assert torch.equal(SumFusion()(f, s), 3 * torch.ones(1, 2, 3))


def test_overlap_pooling_follows_time():
    m = overlap_pooling_matrix(8, 33, 32.0, 0.96)
    assert m.shape == (8, 33)
    assert torch.allclose(m.sum(1), torch.ones(8))
    # Step 0 is [0, 4) s: patches 0-3 fully (0.96 s each), patch 4 ([3.84, 4.8)) for 0.16 s.
    expected = torch.tensor([0.96, 0.96, 0.96, 0.96, 0.16]) / 4.0
    assert torch.allclose(m[0, :5], expected, atol=1e-6)
    assert torch.all(m[0, 5:] == 0)
    # The last patch ends at 31.68 s, inside step 7 ([28, 32) s), which has 3.68 s of voice.
    assert m[7, 32] > 0 and torch.isclose(m[7].sum(), torch.tensor(1.0))


def test_temporal_align_of_constant_sequence_is_constant():
    align = TemporalAlign(8, 33, 32.0, 0.96)
    x = torch.arange(4.0).view(1, 1, 4).expand(2, 33, 4)
    assert torch.allclose(align(x), torch.arange(4.0).view(1, 1, 4).expand(2, 8, 4))
