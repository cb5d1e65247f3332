"""Each second's full-band RMS level of an audio file: the music side of the round 22 timing head.

The generator (lab/dataset/music-properties.ts energyPerSecond) sets a voice-over line's gain from
this measure of the music's energy, and serving computes the same for each window
(src/features/second-levels.ts, manifest `musicLevels`); the log-mel starts at 125 Hz and misses
the bass most of it is made of (docs/RESULTS.md, round 22). Plain numpy and ffmpeg, no torch.
"""
import subprocess

import numpy as np

SAMPLE_RATE = 16000
SILENCE_DB = -100.0  # the generator's and serving's floor


def rms_per_second_db(path: str) -> np.ndarray:
    """[whole seconds] RMS level in dBFS of the file decoded to 16 kHz mono, floored at SILENCE_DB."""
    pcm = np.frombuffer(subprocess.run(["ffmpeg", "-v", "error", "-i", path, "-ac", "1", "-ar", str(SAMPLE_RATE),
                                        "-f", "f32le", "-"], capture_output=True, check=True).stdout, dtype=np.float32)
    seconds = len(pcm) // SAMPLE_RATE
    power = (pcm[: seconds * SAMPLE_RATE].reshape(seconds, SAMPLE_RATE).astype(np.float64) ** 2).mean(axis=1)
    return np.maximum(SILENCE_DB, 10.0 * np.log10(np.maximum(power, 1e-30)))
