import { decodeAudio } from '../../../src/media/decode-audio';
import { MediaError, MediaErrorCode } from '../../../src/media/media-error';
import { probeMedia } from '../../../src/media/probe';
import { MediaFixtures } from '../../helpers/media-fixtures';

jest.setTimeout(60_000);

let fx: MediaFixtures;
let av10: string;

beforeAll(() => {
  fx = new MediaFixtures();
  av10 = fx.video('av10.mp4', 10);
});
afterAll(() => fx.cleanup());

async function decodeError(...args: Parameters<typeof decodeAudio>): Promise<MediaError> {
  const error: unknown = await decodeAudio(...args).then(
    () => undefined,
    (e: unknown) => e,
  );
  if (!(error instanceof MediaError)) throw new Error(`expected a MediaError, got ${String(error)}`);
  return error;
}

function zeroCrossings(pcm: Float32Array): number {
  let n = 0;
  for (let i = 1; i < pcm.length; i++) if (pcm[i - 1]! < 0 !== pcm[i]! < 0) n++;
  return n;
}

describe('decodeAudio', () => {
  it('decodes stereo 44.1 kHz to 16 kHz mono float PCM, keeping the pitch', async () => {
    const stereo = fx.generate('stereo.wav', [
      '-f',
      'lavfi',
      '-i',
      'sine=frequency=440:sample_rate=44100:duration=3',
      '-ac',
      '2',
    ]);
    const audio = await decodeAudio(stereo);
    expect(audio.sampleRate).toBe(16000);
    expect(audio.pcm).toBeInstanceOf(Float32Array);
    expect(Math.abs(audio.pcm.length - 48000)).toBeLessThan(200);
    const peak = audio.pcm.reduce((m, v) => Math.max(m, Math.abs(v)), 0);
    expect(peak).toBeGreaterThan(0.1);
    expect(peak).toBeLessThanOrEqual(1);
    expect(Math.abs(zeroCrossings(audio.pcm) - 2 * 440 * 3)).toBeLessThan(10);
    expect(audio.rmsDbfs).toBeGreaterThan(-30);
  });

  it('honours a start offset and a maximum duration', async () => {
    const audio = await decodeAudio(av10, { startSeconds: 2, maxDurationSeconds: 3 });
    expect(Math.abs(audio.pcm.length - 48000)).toBeLessThan(200);
    expect(audio.durationSeconds).toBeCloseTo(3, 1);
  });

  it('decodes speech from espeak-ng', async () => {
    const speech = fx.speech('speech.wav', 'The boss fight starts now, get ready for the final wave.');
    if (!speech) return; // espeak-ng missing: covered on machines that run .ci/install-system
    const audio = await decodeAudio(speech);
    expect(audio.durationSeconds).toBeGreaterThan(1.5);
    expect(audio.rmsDbfs).toBeGreaterThan(-40);
  });

  it('rejects digital silence as SILENT_AUDIO', async () => {
    const silence = fx.silentWav('silence.wav', 3);
    const error = await decodeError(silence);
    expect(error.code).toBe(MediaErrorCode.SilentAudio);
    expect(error.message).toMatch(/silent/);
  });

  it('rejects very quiet audio below the threshold, accepts it above', async () => {
    const quiet = fx.generate('quiet.wav', [
      '-f',
      'lavfi',
      '-i',
      'sine=frequency=300:duration=2',
      '-af',
      'volume=-60dB',
    ]);
    expect((await decodeError(quiet)).code).toBe(MediaErrorCode.SilentAudio);
    await expect(decodeAudio(quiet, { silenceThresholdDbfs: -90 })).resolves.toHaveProperty('sampleRate', 16000);
  });

  it('rejects an audio track with no samples as EMPTY_AUDIO', async () => {
    expect((await decodeError(fx.emptyWav('empty.wav'))).code).toBe(MediaErrorCode.EmptyAudio);
  });

  it('reports a video without audio as NO_AUDIO', async () => {
    const videoOnly = fx.video('video-only.mp4', 2, { audio: false, size: '160x120' });
    const error = await decodeError(videoOnly);
    expect(error.code).toBe(MediaErrorCode.NoAudio);
    expect(error.message).toBe('the file has no audio track');
  });

  it("reports a cut-off file with ffmpeg's reason", async () => {
    // Index first: the probe passes, and decoding stops where the bytes end.
    const half = fx.truncatedCopy(fx.video('faststart.mp4', 10, { faststart: true }), 'half-faststart.mp4');
    const info = await probeMedia(half, { maxFileBytes: 1e8, maxDurationSeconds: 60 });
    const error = await decodeError(half, { declaredDurationSeconds: info.audio?.durationSeconds });
    expect(error.code).toBe(MediaErrorCode.Truncated);
    expect(error.message).toMatch(/^the file is incomplete: .*(partial file|of the declared 10\.0 s)/);
    expect(error.message).not.toMatch(/0x[0-9a-f]{6,}\]/);

    const halfIndexless = await decodeError(fx.truncatedCopy(av10, 'half.mp4'));
    expect([MediaErrorCode.Truncated, MediaErrorCode.DecodeFailed]).toContain(halfIndexless.code);
    expect(halfIndexless.message).toMatch(/moov atom not found|Invalid data/);
  });

  it('reports random bytes as NOT_MEDIA', async () => {
    const error = await decodeError(fx.randomBytes('random.bin', 32 * 1024));
    expect(error.code).toBe(MediaErrorCode.NotMedia);
  });

  it('gives up after its time limit', async () => {
    const error = await decodeError(av10, { timeoutMs: 1 });
    expect(error.code).toBe(MediaErrorCode.Timeout);
    expect(error.retryable).toBe(true);
  });
});
