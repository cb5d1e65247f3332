import random

import numpy as np
import torch

from training.mrcmv.config import MRCMVConfig
from training.mrcmv.data import (Item, build_datasets, cut_frames, cut_patches, load_manifest,
                                 sample_training_starts)
from training.mrcmv.pseudo_labels import assign_pseudo_labels


def test_clips_starting_less_than_7_seconds_apart_share_a_label():
    assert assign_pseudo_labels(["a", "a"], [0.0, 6.5]) == [0, 0]
    assert assign_pseudo_labels(["a", "a"], [0.0, 7.0]) == [0, 1]
    assert assign_pseudo_labels(["a", "b"], [0.0, 0.0]) == [0, 1]


def test_pseudo_labels_link_chains_and_ignore_input_order():
    videos = ["a", "b", "a", "a", "a", "b"]
    starts = [13.0, 2.0, 0.0, 30.0, 6.5, 20.0]
    # a: 0 - 6.5 - 13 chain (gaps 6.5), 30 is alone; b: 2 and 20 are apart.
    labels = assign_pseudo_labels(videos, starts)
    assert labels[0] == labels[2] == labels[4]
    assert len({labels[0], labels[1], labels[3], labels[5]}) == 4
    assert sorted(set(labels)) == [0, 1, 2, 3]


def test_training_starts_stay_inside_the_video_on_the_frame_grid():
    items = [Item("a", "t", "train", 50.0), Item("b", "t", "train", 20.0)]
    clips = sample_training_starts(items, 50, 32.0, random.Random(0))
    for index, start in clips:
        assert 0.0 <= start <= max(0.0, items[index].duration - 32.0)
        assert (start * 2) == int(start * 2)
    assert all(s == 0.0 for i, s in clips if i == 1)
    assert len({s for i, s in clips if i == 0}) > 10


def test_audio_and_frames_loop_for_short_items():
    logmel = np.arange(200 * 64, dtype=np.float32).reshape(200, 64)  # 2 s of 10 ms frames
    patches = cut_patches(logmel, 1.5, patches=33, patch_frames=96)
    assert patches.shape == (33, 96, 64)
    flat = patches.reshape(-1, 64)
    assert flat[0, 0] == logmel[150, 0] and flat[50, 0] == logmel[0, 0]
    frames = np.zeros((10, 8, 8, 3), dtype=np.uint8)
    frames[3] = 255
    clip = cut_frames(frames, 1.5, 64, 8, 8)
    assert clip.shape == (64, 3, 8, 8) and clip[0].min() == 1.0 and clip[10].max() == 1.0


def test_dataset_yields_contract_shaped_samples(synthetic_dataset):
    cfg = MRCMVConfig()
    items = load_manifest(synthetic_dataset)
    assert [i.split for i in items].count("test") == 2
    train, test, n_classes = build_datasets(synthetic_dataset, cfg, clips_per_video=3, seed=0)
    assert len(train) == 12 and len(test) == 2 and n_classes >= 4
    for sample in (train[0], train[7], test[1]):
        assert sample["video_fast"].shape == (64, 3, 64, 64)
        assert sample["video_slow"].shape == (8, 3, 64, 64)
        assert torch.equal(sample["video_slow"], sample["video_fast"][::8])
        assert sample["voice"].shape == (33, 96, 64) and sample["music"].shape == (33, 96, 64)
        assert 0.0 <= float(sample["video_fast"].min()) and float(sample["video_fast"].max()) <= 1.0
    assert test[0]["start"] == 0.0


def test_music_jitter_moves_training_music_clips_but_not_test_clips(synthetic_dataset):
    cfg = MRCMVConfig()
    plain, test, _ = build_datasets(synthetic_dataset, cfg, clips_per_video=3, seed=0)
    random.seed(1)
    jittered, test_j, _ = build_datasets(synthetic_dataset, cfg, clips_per_video=3, seed=0, music_jitter=8.0)
    moved = [not torch.equal(plain[i]["music"], jittered[i]["music"]) for i in range(len(plain))]
    assert sum(moved) >= len(plain) - 1  # a draw of exactly 0 s is possible, not likely
    assert all(torch.equal(plain[i]["voice"], jittered[i]["voice"]) for i in range(len(plain)))
    assert torch.equal(test[0]["music"], test_j[0]["music"])
