import math

import pytest
import torch

from training.mrcmv.losses import (LossConfig, MRCMVLoss, intra_modal_structure_loss,
                                   margin_for_epoch, negative_mask, pseudo_label_loss, triplet_loss)

E2 = torch.tensor([[1.0, 0.0], [0.0, 1.0]])


def test_triplet_loss_with_known_distances():
    # |J_i - M_i|^2 = 0 and |J_i - M_k|^2 = 2 for k != i: each term is max(0 - 2 + a, 0).
    mask = negative_mask(torch.tensor([0, 1]))
    assert triplet_loss(E2, E2, mask, margin=3.0).item() == pytest.approx(2.0)
    assert triplet_loss(E2, E2, mask, margin=3.0, reduction="mean").item() == pytest.approx(1.0)
    assert triplet_loss(E2, E2, mask, margin=1.0).item() == 0.0


def test_triplet_loss_asymmetric_case():
    e_j = torch.tensor([[1.0, 0.0], [0.6, 0.8], [0.0, 1.0]])
    e_m = torch.tensor([[0.0, 1.0], [0.6, 0.8], [1.0, 0.0]])
    d = torch.tensor([[2.0, 0.8, 0.0], [0.4, 0.0, 0.8], [0.0, 0.4, 2.0]])  # by hand
    margin = 0.5
    expected = sum(max(d[i, i] - d[i, k] + margin, 0.0) for i in range(3) for k in range(3) if k != i)
    mask = negative_mask(torch.arange(3))
    assert triplet_loss(e_j, e_m, mask, margin).item() == pytest.approx(float(expected), abs=1e-5)


def test_negatives_sharing_the_pseudo_label_or_track_are_excluded():
    labels = torch.tensor([0, 0, 1])
    assert negative_mask(labels).tolist() == [[False, False, True], [False, False, True], [True, True, False]]
    tracks = torch.tensor([5, 6, 5])
    assert negative_mask(labels, tracks).tolist() == [[False, False, False], [False, False, True],
                                                       [False, True, False]]
    assert triplet_loss(E2, E2, negative_mask(torch.tensor([3, 3])), margin=3.0).item() == 0.0


def test_pseudo_label_loss_against_hand_computed_cross_entropy():
    logits_j = torch.tensor([[2.0, 0.0], [0.0, 1.0]])
    logits_m = torch.tensor([[1.0, 1.0], [3.0, 0.0]])
    labels = torch.tensor([0, 1])
    ce = lambda x, y: -x[y] + math.log(sum(math.exp(v) for v in x))  # noqa: E731
    cj = [ce([2.0, 0.0], 0), ce([0.0, 1.0], 1)]
    cm = [ce([1.0, 1.0], 0), ce([3.0, 0.0], 1)]
    expected = (cj[0] + cm[0] + cm[1]) + (cj[1] + cm[1] + cm[0])  # pairs (0, 1) and (1, 0)
    mask = negative_mask(labels)
    assert pseudo_label_loss(logits_j, logits_m, labels, mask).item() == pytest.approx(expected, rel=1e-5)
    assert pseudo_label_loss(logits_j, logits_m, labels, mask, "mean").item() == pytest.approx(expected / 2, rel=1e-5)


def test_total_loss_is_l1_plus_lambda_l2():
    criterion = MRCMVLoss(LossConfig(lam=0.1), embed_dim=2, num_classes=2)
    out = criterion(E2, E2, torch.tensor([0, 1]), margin=3.0)
    assert out["loss"].item() == pytest.approx(out["l1"].item() + 0.1 * out["l2"].item(), rel=1e-6)
    plain = MRCMVLoss(LossConfig(), 2, 2, use_pseudo_label=False)(E2, E2, torch.tensor([0, 1]), margin=3.0)
    assert "l2" not in plain and plain["loss"].item() == pytest.approx(2.0)


def test_classifiers_see_scaled_embeddings():
    criterion = MRCMVLoss(LossConfig(classifier_scale=2.0), embed_dim=2, num_classes=2)
    labels = torch.tensor([0, 1])
    expected = pseudo_label_loss(criterion.w_j(2 * E2), criterion.w_m(2 * E2), labels, negative_mask(labels))
    assert torch.allclose(criterion(E2, E2, labels, margin=0.2)["l2"], expected)
    assert MRCMVLoss(LossConfig(), 2, 2).cfg.classifier_scale is None  # None: sqrt(alpha_scale)


def test_scaled_margin_follows_the_paper_schedule():
    cfg = LossConfig()  # alpha 30, +10 every 10 epochs after epoch 80, divided by 150
    assert margin_for_epoch(cfg, 0) == pytest.approx(0.2)
    assert margin_for_epoch(cfg, 79) == pytest.approx(0.2)
    assert margin_for_epoch(cfg, 80) == pytest.approx(40 / 150)
    assert margin_for_epoch(cfg, 89) == pytest.approx(40 / 150)
    assert margin_for_epoch(cfg, 90) == pytest.approx(50 / 150)
    assert margin_for_epoch(LossConfig(alpha_scale=1.0), 500) == 4.0  # capped
    assert margin_for_epoch(LossConfig(margin_mode="constant", margin=0.5), 200) == 0.5


def test_intra_modal_structure_loss_keeps_nearest_neighbours():
    features = torch.tensor([[0.0], [1.0], [10.0]])  # neighbours: 0<->1, 2->1
    good = torch.tensor([[1.0, 0.0], [0.8, 0.6], [0.0, 1.0]])
    bad = torch.tensor([[1.0, 0.0], [0.0, 1.0], [0.8, 0.6]])
    assert intra_modal_structure_loss(features, good, 0.1).item() == 0.0
    assert intra_modal_structure_loss(features, bad, 0.1).item() > 0.0
