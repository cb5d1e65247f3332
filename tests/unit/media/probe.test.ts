import fs from 'node:fs';
import { MediaError, MediaErrorCode } from '../../../src/media/media-error';
import { probeMedia, type ProbeLimits } from '../../../src/media/probe';
import { MediaFixtures } from '../../helpers/media-fixtures';

jest.setTimeout(60_000);

const LIMITS: ProbeLimits = { maxFileBytes: 50 * 1024 * 1024, maxDurationSeconds: 600 };
let fx: MediaFixtures;
let av10: string;
let videoOnly: string;
let tone: string;

beforeAll(() => {
  fx = new MediaFixtures();
  av10 = fx.video('av10.mp4', 10);
  videoOnly = fx.video('video-only.mp4', 3, { audio: false, size: '320x240' });
  tone = fx.generate('tone.ogg', ['-f', 'lavfi', '-i', 'sine=frequency=440:duration=10', '-c:a', 'libvorbis']);
});
afterAll(() => fx.cleanup());

async function probeError(file: string, limits: ProbeLimits = LIMITS): Promise<MediaError> {
  const error: unknown = await probeMedia(file, limits).then(
    () => undefined,
    (e: unknown) => e,
  );
  if (!(error instanceof MediaError)) throw new Error(`expected a MediaError, got ${String(error)}`);
  return error;
}

describe('probeMedia', () => {
  it('describes a video with audio', async () => {
    const info = await probeMedia(av10, { ...LIMITS, requireAudio: true, requireVideo: true });
    expect(info.durationSeconds).toBeCloseTo(10, 0);
    expect(info.formatName).toContain('mp4');
    expect(info.sizeBytes).toBe(fs.statSync(av10).size);
    expect(info.video).toMatchObject({ codec: 'h264', width: 640, height: 360, fps: 25 });
    expect(info.audio).toMatchObject({ codec: 'aac', sampleRate: 44100, channels: 1 });
  });

  it('describes an audio-only file', async () => {
    const info = await probeMedia(tone, LIMITS);
    expect(info.video).toBeNull();
    expect(info.audio?.codec).toBe('vorbis');
    expect(info.durationSeconds).toBeCloseTo(10, 1);
  });

  it('does not count cover art as video', async () => {
    const mp3 = fx.generate('cover.mp3', [
      '-f',
      'lavfi',
      '-i',
      'sine=duration=2',
      '-f',
      'lavfi',
      '-i',
      'testsrc2=size=300x300:duration=1',
      '-map',
      '0',
      '-map',
      '1',
      '-frames:v',
      '1',
      '-c:v',
      'mjpeg',
      '-disposition:v',
      'attached_pic',
      '-c:a',
      'libmp3lame',
    ]);
    const info = await probeMedia(mp3, LIMITS);
    expect(info.video).toBeNull();
    expect((await probeError(mp3, { ...LIMITS, requireVideo: true })).code).toBe(MediaErrorCode.NoVideo);
  });

  it('reads paths that look like options or URLs as plain files', async () => {
    const odd = fx.file('-clip: v1 (final).mp4');
    fs.copyFileSync(videoOnly, odd);
    expect((await probeMedia(odd, LIMITS)).video?.width).toBe(320);
  });

  it('rejects random bytes and text as NOT_MEDIA', async () => {
    const random = await probeError(fx.randomBytes('random.bin', 64 * 1024));
    expect(random.code).toBe(MediaErrorCode.NotMedia);
    expect(random.message).toMatch(/invalid data/i);
    const text = fx.file('notes.txt');
    fs.writeFileSync(text, 'not a video\n'.repeat(100));
    expect((await probeError(text)).code).toBe(MediaErrorCode.NotMedia);
  });

  it('rejects an empty file and a missing one', async () => {
    const empty = fx.file('empty.mp4');
    fs.writeFileSync(empty, '');
    expect((await probeError(empty)).code).toBe(MediaErrorCode.NotMedia);
    expect((await probeError(fx.file('nope.mp4'))).code).toBe(MediaErrorCode.NotFound);
  });

  it('reports an mp4 cut before its index as TRUNCATED', async () => {
    const error = await probeError(fx.truncatedCopy(av10, 'half.mp4'));
    expect(error.code).toBe(MediaErrorCode.Truncated);
    expect(error.message).toMatch(/incomplete: moov atom not found/);
  });

  it('reports an Ogg file cut mid-page as TRUNCATED', async () => {
    const error = await probeError(fx.truncatedCopy(tone, 'half.ogg'));
    expect(error.code).toBe(MediaErrorCode.Truncated);
    expect(error.message).toMatch(/Ogg page is cut off/);
  });

  it('reports an mp3 whose header promises more than the file holds as TRUNCATED', async () => {
    const mp3 = fx.generate('tone.mp3', ['-f', 'lavfi', '-i', 'sine=duration=10', '-c:a', 'libmp3lame']);
    expect((await probeError(fx.truncatedCopy(mp3, 'half.mp3'))).code).toBe(MediaErrorCode.Truncated);
  });

  it('enforces the bounds it is given', async () => {
    const large = await probeError(av10, { ...LIMITS, maxFileBytes: 1000 });
    expect(large.code).toBe(MediaErrorCode.TooLarge);
    expect(large.message).toMatch(/limit of 1000 bytes/);
    const long = await probeError(av10, { ...LIMITS, maxDurationSeconds: 1 });
    expect(long.code).toBe(MediaErrorCode.TooLong);
    expect(long.message).toMatch(/10\.0 s, more than the limit of 1 s/);
    expect((await probeError(av10, { ...LIMITS, minDurationSeconds: 20 })).code).toBe(MediaErrorCode.TooShort);
  });

  it('rejects a video without audio where audio is required', async () => {
    const error = await probeError(videoOnly, { ...LIMITS, requireAudio: true });
    expect(error.code).toBe(MediaErrorCode.NoAudio);
    expect((await probeError(tone, { ...LIMITS, requireVideo: true })).code).toBe(MediaErrorCode.NoVideo);
  });
});
