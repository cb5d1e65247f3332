"""L = L1 + lambda L2 (eqs 5-7), the margin schedule, and CBVMR's intra-modal constraint.

Margin: the paper's alpha = 30 (+10 every 10 epochs after epoch 80) is meant for unnormalised
embeddings; for unit vectors squared distances lie in [0, 4]. In 'scaled' mode the margin is
alpha / alpha_scale, which is exactly the paper's loss (divided by alpha_scale) on embeddings of
norm sqrt(alpha_scale). See training/README.md.
"""
import math
from dataclasses import asdict, dataclass, fields
from typing import Dict, Optional

import torch
from torch import nn
from torch.nn import functional as F


@dataclass
class LossConfig:
    margin_mode: str = "scaled"  # 'scaled': alpha schedule / alpha_scale; 'constant': margin
    alpha: float = 30.0
    alpha_step: float = 10.0
    alpha_step_every: int = 10
    alpha_warm_epochs: int = 80
    alpha_scale: float = 150.0  # 30 / 150 = 0.2 on unit vectors
    margin: float = 0.2
    margin_max: float = 4.0  # a margin above 4 can never be met by unit vectors
    lam: float = 0.1
    reduction: str = "sum"  # 'sum' as in eqs (6)-(7), or 'mean' over valid (i, k) pairs
    intra_margin: float = 0.1
    # Multiplies the unit embeddings before W_J / W_M: with |E| = 1 the logits are bounded by
    # |W| and the classifiers need many steps to leave log(num_classes). None: sqrt(alpha_scale),
    # the embedding norm at which the scaled margin equals the paper's alpha; see README.
    classifier_scale: Optional[float] = None

    def to_dict(self) -> dict:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict) -> "LossConfig":
        known = {f.name for f in fields(cls)}
        return cls(**{k: v for k, v in data.items() if k in known})


def margin_for_epoch(cfg: LossConfig, epoch: int) -> float:
    """Margin used in epoch `epoch` (0-based)."""
    if cfg.margin_mode == "constant":
        return min(cfg.margin, cfg.margin_max)
    if cfg.margin_mode != "scaled":
        raise ValueError(f"unknown margin_mode {cfg.margin_mode!r}")
    alpha = cfg.alpha
    if epoch >= cfg.alpha_warm_epochs:
        alpha += cfg.alpha_step * (1 + (epoch - cfg.alpha_warm_epochs) // cfg.alpha_step_every)
    return min(alpha / cfg.alpha_scale, cfg.margin_max)


def negative_mask(labels: torch.Tensor, track_ids: Optional[torch.Tensor] = None) -> torch.Tensor:
    """[B, B] bool: True where k may serve as a negative for anchor i. Excludes k == i, clips
    with the anchor's pseudo-label and (if given) clips whose music is the same track."""
    mask = labels[:, None] != labels[None, :]
    if track_ids is not None:
        mask = mask & (track_ids[:, None] != track_ids[None, :])
    return mask


def _reduce(terms: torch.Tensor, mask: torch.Tensor, reduction: str) -> torch.Tensor:
    total = (terms * mask).sum()
    if reduction == "sum":
        return total
    if reduction == "mean":
        return total / mask.sum().clamp_min(1)
    raise ValueError(f"unknown reduction {reduction!r}")


def squared_distances(a: torch.Tensor, b: torch.Tensor) -> torch.Tensor:
    """[Na, Nb] squared Euclidean distances (direct differences: exact at zero distance)."""
    return ((a[:, None, :] - b[None, :, :]) ** 2).sum(dim=-1)


def triplet_loss(e_j: torch.Tensor, e_m: torch.Tensor, mask: torch.Tensor, margin: float,
                 reduction: str = "sum") -> torch.Tensor:
    """Eq (6): sum_i sum_k max(|E_J^i - E_M^i|^2 - |E_J^i - E_M^k|^2 + alpha, 0) over valid k."""
    d = squared_distances(e_j, e_m)
    terms = torch.relu(d.diagonal()[:, None] - d + margin)
    return _reduce(terms, mask, reduction)


def pseudo_label_loss(logits_j: torch.Tensor, logits_m: torch.Tensor, labels: torch.Tensor,
                      mask: torch.Tensor, reduction: str = "sum") -> torch.Tensor:
    """Eq (7): for each valid (i, k): CE(E_J^i W_J, z_i) + CE(E_M^i W_M, z_i) + CE(E_M^k W_M, z_k)."""
    ce_j = F.cross_entropy(logits_j, labels, reduction="none")
    ce_m = F.cross_entropy(logits_m, labels, reduction="none")
    terms = ce_j[:, None] + ce_m[:, None] + ce_m[None, :]
    return _reduce(terms, mask, reduction)


def intra_modal_structure_loss(features: torch.Tensor, embeddings: torch.Tensor,
                               margin: float) -> torch.Tensor:
    """CBVMR's soft intra-modal structure constraint (Hong et al. 2018), neighbour form: the
    nearest neighbour j of item i in the modality's own feature space must stay closer to i
    than every other item k in the embedding space, by `margin`. Mean over (i, k)."""
    n = features.shape[0]
    if n < 3:
        return embeddings.sum() * 0.0
    with torch.no_grad():
        d_f = squared_distances(features, features)
        d_f.fill_diagonal_(float("inf"))
        nearest = d_f.argmin(dim=1)
    d_e = squared_distances(embeddings, embeddings)
    positive = d_e.gather(1, nearest[:, None])
    eye = torch.eye(n, dtype=torch.bool, device=embeddings.device)
    valid = ~eye & (torch.arange(n, device=embeddings.device)[None, :] != nearest[:, None])
    return _reduce(torch.relu(positive - d_e + margin), valid, "mean")


class MRCMVLoss(nn.Module):
    """Holds the pseudo-label classifiers W_J and W_M (no bias, as in eq 7)."""

    def __init__(self, cfg: LossConfig, embed_dim: int, num_classes: int,
                 use_pseudo_label: bool = True, intra_modal_weight: float = 0.0):
        super().__init__()
        self.cfg = cfg
        self.use_pseudo_label = use_pseudo_label
        self.intra_modal_weight = intra_modal_weight
        self.w_j = nn.Linear(embed_dim, num_classes, bias=False)
        self.w_m = nn.Linear(embed_dim, num_classes, bias=False)

    def forward(self, e_j, e_m, labels, margin: float, track_ids=None,
                query_features=None, music_features=None) -> Dict[str, torch.Tensor]:
        mask = negative_mask(labels, track_ids)
        l1 = triplet_loss(e_j, e_m, mask, margin, self.cfg.reduction)
        out = {"l1": l1, "loss": l1}
        if self.use_pseudo_label:
            scale = self.cfg.classifier_scale or math.sqrt(self.cfg.alpha_scale)
            l2 = pseudo_label_loss(self.w_j(scale * e_j), self.w_m(scale * e_m), labels, mask,
                                   self.cfg.reduction)
            out["l2"] = l2
            out["loss"] = out["loss"] + self.cfg.lam * l2
        if self.intra_modal_weight > 0 and query_features is not None:
            intra = (intra_modal_structure_loss(query_features, e_j, self.cfg.intra_margin)
                     + intra_modal_structure_loss(music_features, e_m, self.cfg.intra_margin))
            out["intra"] = intra
            out["loss"] = out["loss"] + self.intra_modal_weight * intra
        return out


def uniformity_loss(embeddings: torch.Tensor, tracks: torch.Tensor, t: float = 2.0) -> torch.Tensor:
    """Uniformity (Wang & Isola 2020): log of the mean of exp(-t |x_i - x_k|^2) over pairs of clips
    of different tracks. Lower when the embeddings spread over the sphere. On music the model never
    saw, a few tracks head most rankings (docs/RESULTS.md); a music space with no crowded region
    gives no track a place near every query. Pairs of the same track are left out: two windows of
    one track may sit together. Zero when the batch holds one track only."""
    d = squared_distances(embeddings, embeddings)
    pairs = tracks[:, None] != tracks[None, :]
    if not bool(pairs.any()):
        return embeddings.sum() * 0.0
    return torch.logsumexp((-t * d)[pairs], dim=0) - math.log(int(pairs.sum()))


class NegativeQueue(nn.Module):
    """Music embeddings of recent batches (detached, MoCo-style), kept as extra negatives.

    Serving ranks a track by its best window among hundreds; in-batch negatives show a query only
    one random clip of each other track. Without the many-windows view, tracks whose windows spread
    widely win the maximum for most queries (hubs). The queue lets every query meet the best of a
    few thousand windows of other tracks at each step, at the cost of an embedding copy."""

    def __init__(self, size: int, dim: int):
        super().__init__()
        self.size = size
        self.register_buffer("embeddings", torch.zeros(size, dim))
        self.register_buffer("tracks", torch.full((size,), -1, dtype=torch.long))
        self.register_buffer("filled", torch.zeros((), dtype=torch.long))
        self.register_buffer("cursor", torch.zeros((), dtype=torch.long))

    @torch.no_grad()
    def push(self, embeddings: torch.Tensor, tracks: torch.Tensor) -> None:
        n = min(embeddings.shape[0], self.size)
        index = (self.cursor + torch.arange(n, device=embeddings.device)) % self.size
        self.embeddings[index] = embeddings[:n].detach()
        self.tracks[index] = tracks[:n]
        self.cursor.copy_((self.cursor + n) % self.size)
        self.filled.copy_(torch.clamp(self.filled + n, max=self.size))

    def contrastive_loss(self, e_j: torch.Tensor, e_m: torch.Tensor, tracks: torch.Tensor,
                         temperature: float) -> torch.Tensor:
        """InfoNCE of each query against its own music among the batch's and the queue's music of
        other tracks (same-track entries are masked: another window of the right track is not wrong)."""
        n = int(self.filled)
        bank = torch.cat([e_m, self.embeddings[:n]])
        bank_tracks = torch.cat([tracks, self.tracks[:n]])
        logits = e_j @ bank.T / temperature
        same = bank_tracks[None, :] == tracks[:, None]
        own = torch.zeros_like(same)
        own[torch.arange(e_j.shape[0]), torch.arange(e_j.shape[0])] = True
        logits = logits.masked_fill(same & ~own, float("-inf"))
        return F.cross_entropy(logits, torch.arange(e_j.shape[0], device=e_j.device))
