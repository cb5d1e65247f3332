"""Model configuration and the ablation variants of the paper's Table 1."""
from dataclasses import asdict, dataclass, fields

VARIANTS = ("full", "no_sa", "no_cma", "concat", "sum", "no_pseudo", "cmmr", "cbvmr")
FUSIONS = ("gate", "concat", "sum")
HEADS = ("flatten", "steps")


@dataclass
class MRCMVConfig:
    variant: str = "full"
    # Shapes fixed by docs/MODEL_CONTRACT.md.
    clip_seconds: float = 32.0
    patches: int = 33
    patch_frames: int = 96
    patch_seconds: float = 0.96
    mel_bins: int = 64
    fast_frames: int = 64
    slow_frames: int = 8
    height: int = 64
    width: int = 64
    embed_dim: int = 512
    # Architecture.
    d_model: int = 128  # VGGish feature size; video features are projected to it by fc([F_fast, F_slow])
    n_heads: int = 4
    n_steps: int = 8  # N: temporal steps of the query branch (one per slow frame, 4 s each)
    audio_encoder: str = "small"
    video_encoder: str = "small"
    share_audio_encoder: bool = False  # voice and music encoders: separate weights by default
    # Embedding head (heads.py): "flatten" (paper) or "steps" (step-aligned: the music branch is
    # pooled to the query's n_steps and both concatenate per-step projections in time order).
    head: str = "flatten"
    step_dim: int = 24  # steps head: dimensions per step
    global_dim: int = 128  # steps head: dimensions of the projection of the mean over steps
    # Training only: probability of hiding a clip's video features from the query branch, so that
    # the voice-over path must carry the match on its own (modality dropout; inference unaffected).
    video_dropout: float = 0.0
    # Ablation switches.
    use_sa: bool = True
    use_cma: bool = True
    fusion: str = "gate"
    use_voice: bool = True
    use_pseudo_label: bool = True
    intra_modal_weight: float = 0.0  # CBVMR soft intra-modal structure constraint

    def __post_init__(self):
        if self.fusion not in FUSIONS:
            raise ValueError(f"fusion must be one of {FUSIONS}, got {self.fusion!r}")
        if self.head not in HEADS:
            raise ValueError(f"head must be one of {HEADS}, got {self.head!r}")
        if self.fast_frames % self.n_steps:
            raise ValueError("fast_frames must be a multiple of n_steps")
        if self.slow_frames % self.n_steps and self.n_steps % self.slow_frames:
            raise ValueError("slow_frames and n_steps must divide one another")

    def to_dict(self) -> dict:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict) -> "MRCMVConfig":
        known = {f.name for f in fields(cls)}
        return cls(**{k: v for k, v in data.items() if k in known})


def config_for_variant(variant: str = "full", **overrides) -> MRCMVConfig:
    """full: the paper's MRCMV. no_sa / no_cma / concat / sum / no_pseudo: Table 1 ablations.
    cmmr: visual-only two-stream embedding (Li & Kumar 2019), triplet loss only.
    cbvmr: cmmr plus the soft intra-modal structure constraint (Hong et al. 2018)."""
    if variant not in VARIANTS:
        raise ValueError(f"variant must be one of {VARIANTS}, got {variant!r}")
    switches = {
        "full": {},
        "no_sa": {"use_sa": False},
        "no_cma": {"use_cma": False},
        "concat": {"fusion": "concat"},
        "sum": {"fusion": "sum"},
        "no_pseudo": {"use_pseudo_label": False},
        "cmmr": {"use_voice": False, "use_sa": False, "use_cma": False, "use_pseudo_label": False},
        "cbvmr": {"use_voice": False, "use_sa": False, "use_cma": False, "use_pseudo_label": False,
                  "intra_modal_weight": 0.2},
    }[variant]
    return MRCMVConfig(variant=variant, **{**switches, **overrides})
