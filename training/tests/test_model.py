import pytest
import torch

from training.mrcmv.attention import SelfAttention
from training.mrcmv.config import VARIANTS, MRCMVConfig, config_for_variant
from training.mrcmv.encoders import (AUDIO_ENCODERS, SmallAudioEncoder, SmallSlowFast,
                                     register_audio_encoder)
from training.mrcmv.model import MRCMV, count_parameters, example_inputs


@pytest.fixture(scope="module")
def inputs():
    return example_inputs(MRCMVConfig(), batch=2)


def test_encoders_keep_vggish_and_slowfast_shapes(inputs):
    fast, slow, voice, _ = inputs
    assert SmallAudioEncoder()(voice).shape == (2, 33, 128)
    f_fast, f_slow = SmallSlowFast()(fast, slow)
    assert f_fast.shape[:2] == (2, 64) and f_slow.shape[:2] == (2, 8)


@pytest.mark.parametrize("variant", VARIANTS)
def test_every_variant_gives_unit_embeddings_of_both_branches(variant, inputs):
    torch.manual_seed(0)
    model = MRCMV(config_for_variant(variant)).eval()
    with torch.no_grad():
        e_j, e_m = model(*inputs)
    assert e_j.shape == (2, 512) and e_m.shape == (2, 512)
    assert torch.allclose(e_j.norm(dim=1), torch.ones(2), atol=1e-5)
    assert torch.allclose(e_m.norm(dim=1), torch.ones(2), atol=1e-5)


def test_ablation_switches_remove_modules():
    def attentions(model):
        return sum(isinstance(m, SelfAttention) for m in model.modules())
    assert attentions(MRCMV(config_for_variant("full"))) == 3  # video, voice, music
    assert attentions(MRCMV(config_for_variant("no_sa"))) == 0
    assert MRCMV(config_for_variant("no_cma")).query.cma_video is None
    assert MRCMV(config_for_variant("concat")).query.head.fc.in_features == 8 * 2 * 128
    assert not hasattr(MRCMV(config_for_variant("cmmr")).query, "voice_encoder")
    assert config_for_variant("cbvmr").intra_modal_weight > 0
    assert not config_for_variant("no_pseudo").use_pseudo_label


def test_visual_only_query_ignores_voice_and_bgm_ignores_query(inputs):
    fast, slow, voice, music = inputs
    model = MRCMV(config_for_variant("cmmr")).eval()
    with torch.no_grad():
        assert torch.equal(model.encode_query(fast, slow, voice), model.encode_query(fast, slow, voice * 0))
        full = MRCMV(config_for_variant("full")).eval()
        assert torch.equal(full.encode_music(music), full.encode_music(music.clone()))
    assert not set(map(id, full.bgm.parameters())) & set(map(id, full.query.parameters()))


def test_full_query_depends_on_voice_and_video(inputs):
    fast, slow, voice, _ = inputs
    torch.manual_seed(0)
    model = MRCMV(MRCMVConfig()).eval()
    with torch.no_grad():
        base = model.encode_query(fast, slow, voice)
        assert not torch.allclose(base, model.encode_query(fast, slow, voice + 1.0))
        assert not torch.allclose(base, model.encode_query(fast.flip(1), slow, voice))


def test_registry_swaps_the_audio_backbone(inputs):
    class Wide(torch.nn.Module):
        out_dim = 32

        def forward(self, x):
            return x.mean(dim=2)[..., :32]

    register_audio_encoder("test-wide", lambda cfg: Wide())
    try:
        model = MRCMV(MRCMVConfig(audio_encoder="test-wide")).eval()
        with torch.no_grad():
            assert model.encode_music(inputs[3]).shape == (2, 512)
    finally:
        del AUDIO_ENCODERS["test-wide"]


def test_parameter_counts_stay_small():
    model = MRCMV(MRCMVConfig())
    assert count_parameters(model) < 6_000_000


def test_stats_audio_encoder_is_tiny_and_keeps_the_contract(inputs):
    from training.mrcmv.encoders import StatsAudioEncoder
    voice = inputs[2]
    encoder = StatsAudioEncoder(out_dim=64)
    assert encoder(voice).shape == (2, 33, 64)
    assert count_parameters(encoder) == 128 * 64 + 64
    # Louder audio moves the features: level is what the statistics are for.
    assert not torch.allclose(encoder(voice), encoder(voice + 1.0))
    model = MRCMV(MRCMVConfig(audio_encoder="stats", d_model=64, n_heads=2)).eval()
    with torch.no_grad():
        e_j, e_m = model(*inputs)
    assert e_j.shape == (2, 512) and e_m.shape == (2, 512)
    assert count_parameters(model) < count_parameters(MRCMV(MRCMVConfig())) / 2


def test_video_dropout_hides_the_video_only_while_training(inputs):
    fast, slow, voice, _ = inputs
    torch.manual_seed(0)
    model = MRCMV(MRCMVConfig(video_dropout=1.0))
    with torch.no_grad():
        model.train()
        assert torch.allclose(model.encode_query(fast, slow, voice), model.encode_query(fast.flip(1), slow.flip(1), voice))
        model.eval()
        assert not torch.allclose(model.encode_query(fast, slow, voice), model.encode_query(fast.flip(1), slow.flip(1), voice))
