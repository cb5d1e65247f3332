"""Independent NumPy reference of the VGGish audio front end, used to check src/features.

Written from the VGGish reference (tensorflow/models, research/audioset/vggish/mel_features.py
and vggish_input.py): periodic_hann, stft_magnitude, hertz_to_mel, spectrogram_to_mel_matrix,
log_mel_spectrogram and frame, with the parameters of vggish_params.py.

Regenerate the fixtures (from the repository root):

    /usr/bin/python3 training/reference/vggish_reference.py

It writes to tests/fixtures/features/:
  vggish-fixtures.json      parameters, and for each test signal its formula, sample count,
                            frame/patch counts and a checksum of the float32 input
  <signal>.logmel.f32       log-mel spectrogram, float32 little-endian, [frames, 64]
  mel-matrix.f32            spectrogram_to_mel_matrix(64, 257, 16000, 125, 7500), [257, 64]

The inputs are not stored: tests/unit/features/test-signals.ts rebuilds them from the same
formulas (a linear sine sweep, xorshift32 white noise, two tones followed by silence), which
keeps the fixtures small. Only NumPy is needed (the system /usr/bin/python3 has it).
"""

import json
import os

import numpy as np

# vggish_params.py
SAMPLE_RATE = 16000
STFT_WINDOW_LENGTH_SECONDS = 0.025
STFT_HOP_LENGTH_SECONDS = 0.010
NUM_MEL_BINS = 64
MEL_MIN_HZ = 125
MEL_MAX_HZ = 7500
LOG_OFFSET = 0.01
EXAMPLE_WINDOW_SECONDS = 0.96
EXAMPLE_HOP_SECONDS = 0.96

_MEL_BREAK_FREQUENCY_HERTZ = 700.0
_MEL_HIGH_FREQUENCY_Q = 1127.0

OUT_DIR = os.path.normpath(os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "tests", "fixtures", "features"))


def frame(data, window_length, hop_length):
    num_samples = data.shape[0]
    num_frames = 1 + int(np.floor((num_samples - window_length) / hop_length))
    if num_frames <= 0:
        return np.zeros((0, window_length) + data.shape[1:], dtype=data.dtype)
    shape = (num_frames, window_length) + data.shape[1:]
    strides = (data.strides[0] * hop_length,) + data.strides
    return np.lib.stride_tricks.as_strided(data, shape=shape, strides=strides)


def periodic_hann(window_length):
    return 0.5 - (0.5 * np.cos(2 * np.pi / window_length * np.arange(window_length)))


def stft_magnitude(signal, fft_length, hop_length=None, window_length=None):
    frames = frame(signal, window_length, hop_length)
    window = periodic_hann(window_length)
    windowed_frames = frames * window
    return np.abs(np.fft.rfft(windowed_frames, int(fft_length)))


def hertz_to_mel(frequencies_hertz):
    return _MEL_HIGH_FREQUENCY_Q * np.log(1.0 + (frequencies_hertz / _MEL_BREAK_FREQUENCY_HERTZ))


def spectrogram_to_mel_matrix(num_mel_bins=20, num_spectrogram_bins=129, audio_sample_rate=8000,
                              lower_edge_hertz=125.0, upper_edge_hertz=3800.0):
    nyquist_hertz = audio_sample_rate / 2.0
    if lower_edge_hertz < 0.0:
        raise ValueError("lower_edge_hertz %.1f must be >= 0" % lower_edge_hertz)
    if lower_edge_hertz >= upper_edge_hertz:
        raise ValueError("lower_edge_hertz %.1f >= upper_edge_hertz %.1f" % (lower_edge_hertz, upper_edge_hertz))
    if upper_edge_hertz > nyquist_hertz:
        raise ValueError("upper_edge_hertz %.1f is greater than Nyquist %.1f" % (upper_edge_hertz, nyquist_hertz))
    spectrogram_bins_hertz = np.linspace(0.0, nyquist_hertz, num_spectrogram_bins)
    spectrogram_bins_mel = hertz_to_mel(spectrogram_bins_hertz)
    band_edges_mel = np.linspace(hertz_to_mel(lower_edge_hertz), hertz_to_mel(upper_edge_hertz), num_mel_bins + 2)
    mel_weights_matrix = np.empty((num_spectrogram_bins, num_mel_bins))
    for i in range(num_mel_bins):
        lower_edge_mel, center_mel, upper_edge_mel = band_edges_mel[i:i + 3]
        lower_slope = (spectrogram_bins_mel - lower_edge_mel) / (center_mel - lower_edge_mel)
        upper_slope = (upper_edge_mel - spectrogram_bins_mel) / (upper_edge_mel - center_mel)
        mel_weights_matrix[:, i] = np.maximum(0.0, np.minimum(lower_slope, upper_slope))
    # HTK excludes the spectrogram DC bin; make sure it always gets a zero coefficient.
    mel_weights_matrix[0, :] = 0.0
    return mel_weights_matrix


def log_mel_spectrogram(data, audio_sample_rate=8000, log_offset=0.0, window_length_secs=0.025,
                        hop_length_secs=0.010, **kwargs):
    window_length_samples = int(round(audio_sample_rate * window_length_secs))
    hop_length_samples = int(round(audio_sample_rate * hop_length_secs))
    fft_length = 2 ** int(np.ceil(np.log(window_length_samples) / np.log(2.0)))
    spectrogram = stft_magnitude(data, fft_length=fft_length, hop_length=hop_length_samples,
                                 window_length=window_length_samples)
    mel_spectrogram = np.dot(spectrogram, spectrogram_to_mel_matrix(
        num_spectrogram_bins=spectrogram.shape[1], audio_sample_rate=audio_sample_rate, **kwargs))
    return np.log(mel_spectrogram + log_offset)


def waveform_to_log_mel(data):
    """vggish_input.waveform_to_examples without resampling: returns (log_mel, examples)."""
    log_mel = log_mel_spectrogram(
        data, audio_sample_rate=SAMPLE_RATE, log_offset=LOG_OFFSET,
        window_length_secs=STFT_WINDOW_LENGTH_SECONDS, hop_length_secs=STFT_HOP_LENGTH_SECONDS,
        num_mel_bins=NUM_MEL_BINS, lower_edge_hertz=MEL_MIN_HZ, upper_edge_hertz=MEL_MAX_HZ)
    features_sample_rate = 1.0 / STFT_HOP_LENGTH_SECONDS
    example_window_length = int(round(EXAMPLE_WINDOW_SECONDS * features_sample_rate))
    example_hop_length = int(round(EXAMPLE_HOP_SECONDS * features_sample_rate))
    return log_mel, frame(log_mel, example_window_length, example_hop_length)


# --- test signals: keep in step with tests/unit/features/test-signals.ts ---

def sine_sweep(samples, f0, f1, amplitude):
    t = np.arange(samples, dtype=np.float64) / SAMPLE_RATE
    duration = samples / SAMPLE_RATE
    phase = 2 * np.pi * (f0 * t + (f1 - f0) * t * t / (2 * duration))
    return (amplitude * np.sin(phase)).astype(np.float32)


def xorshift_noise(samples, seed, amplitude):
    x = seed & 0xFFFFFFFF
    out = np.empty(samples, dtype=np.float64)
    for i in range(samples):
        x ^= (x << 13) & 0xFFFFFFFF
        x ^= x >> 17
        x ^= (x << 5) & 0xFFFFFFFF
        out[i] = (x / 4294967296.0 - 0.5) * 2 * amplitude
    return out.astype(np.float32)


def tones_then_silence(samples, tone_samples):
    t = np.arange(samples, dtype=np.float64) / SAMPLE_RATE
    x = 0.3 * np.sin(2 * np.pi * 440 * t) + 0.2 * np.sin(2 * np.pi * 3000 * t)
    x[tone_samples:] = 0.0
    return x.astype(np.float32)


SIGNALS = [
    {"name": "sweep", "kind": "sine_sweep", "samples": 40000, "f0": 100.0, "f1": 7900.0, "amplitude": 0.5},
    {"name": "noise", "kind": "xorshift_noise", "samples": 32000, "seed": 12345, "amplitude": 0.5},
    {"name": "tones", "kind": "tones_then_silence", "samples": 24077, "toneSamples": 16000},
]


def make_signal(spec):
    if spec["kind"] == "sine_sweep":
        return sine_sweep(spec["samples"], spec["f0"], spec["f1"], spec["amplitude"])
    if spec["kind"] == "xorshift_noise":
        return xorshift_noise(spec["samples"], spec["seed"], spec["amplitude"])
    if spec["kind"] == "tones_then_silence":
        return tones_then_silence(spec["samples"], spec["toneSamples"])
    raise ValueError(spec["kind"])


def main():
    os.makedirs(OUT_DIR, exist_ok=True)
    mel = spectrogram_to_mel_matrix(NUM_MEL_BINS, 257, SAMPLE_RATE, MEL_MIN_HZ, MEL_MAX_HZ)
    mel.astype("<f4").tofile(os.path.join(OUT_DIR, "mel-matrix.f32"))
    signals = []
    for spec in SIGNALS:
        pcm = make_signal(spec)
        log_mel, examples = waveform_to_log_mel(pcm)
        file_name = spec["name"] + ".logmel.f32"
        log_mel.astype("<f4").tofile(os.path.join(OUT_DIR, file_name))
        signals.append(dict(spec, file=file_name, frames=int(log_mel.shape[0]), patches=int(examples.shape[0]),
                            inputSum=float(pcm.astype(np.float64).sum()),
                            inputHead=[float(v) for v in pcm[:4]]))
    manifest = {
        "generator": "training/reference/vggish_reference.py",
        "params": {"sampleRate": SAMPLE_RATE, "windowSamples": 400, "hopSamples": 160, "fftSize": 512,
                   "melBins": NUM_MEL_BINS, "melMinHz": MEL_MIN_HZ, "melMaxHz": MEL_MAX_HZ,
                   "logOffset": LOG_OFFSET, "patchFrames": 96},
        "melMatrix": {"file": "mel-matrix.f32", "rows": 257, "cols": NUM_MEL_BINS},
        "periodicHann400Head": [float(v) for v in periodic_hann(400)[:5]],
        "signals": signals,
    }
    with open(os.path.join(OUT_DIR, "vggish-fixtures.json"), "w") as f:
        json.dump(manifest, f, indent=2)
        f.write("\n")
    print("wrote", OUT_DIR, [s["name"] for s in signals])


if __name__ == "__main__":
    main()
