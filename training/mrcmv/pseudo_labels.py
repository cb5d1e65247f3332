"""Pseudo-labels of paper section 4.2: clips of one video whose start times are less than
7 s apart have similar semantics and share a label."""
from typing import Dict, List, Sequence

PSEUDO_LABEL_GAP_SECONDS = 7.0


def assign_pseudo_labels(video_ids: Sequence[str], starts: Sequence[float],
                         gap: float = PSEUDO_LABEL_GAP_SECONDS) -> List[int]:
    """Label each clip (video_ids[i], starts[i]); labels are 0..K-1.

    Within a video, clips are sorted by start and a clip joins the previous clip's label when it
    starts less than `gap` seconds after it (single linkage). The 7 s rule is not transitive;
    linking chains makes it so, which a label (an equivalence class) requires. Different videos
    never share a label. Labels are numbered in order of first appearance in the input.
    """
    if len(video_ids) != len(starts):
        raise ValueError("video_ids and starts must have the same length")
    by_video: Dict[str, List[int]] = {}
    for index, video in enumerate(video_ids):
        by_video.setdefault(video, []).append(index)
    group_of = [0] * len(starts)
    n_groups = 0
    for indices in by_video.values():
        ordered = sorted(indices, key=lambda i: starts[i])
        previous = None
        for i in ordered:
            if previous is None or starts[i] - starts[previous] >= gap:
                n_groups += 1
            group_of[i] = n_groups - 1
            previous = i
    renumber: Dict[int, int] = {}
    return [renumber.setdefault(g, len(renumber)) for g in group_of]
