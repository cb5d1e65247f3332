import fs from 'node:fs';
import path from 'node:path';
import { decodeAudio } from '../../../src/media/decode-audio';
import { decodeClipFrames } from '../../../src/media/decode-frames';
import { MediaError, MediaErrorCode } from '../../../src/media/media-error';
import { probeMedia, type ProbeLimits } from '../../../src/media/probe';
import { resolveMediaBinaries } from '../../../src/media/ffmpeg-binary';
import { dashManifestXml, MediaFixtures } from '../../helpers/media-fixtures';

jest.setTimeout(60_000);

/**
 * Issue 14 item 4: playlist and manifest demuxers (DASH, HLS, concat ...) open further files
 * named inside the upload, which may lie outside the media root. Only the containers the product
 * takes are opened at all, and the answer must not depend on whether the named file exists.
 */
const LIMITS: ProbeLimits = { maxFileBytes: 50 * 1024 * 1024, maxDurationSeconds: 600 };
let fx: MediaFixtures;
let root: string;
let secret: string;

beforeAll(() => {
  fx = new MediaFixtures();
  root = path.join(fx.dir, 'media-root');
  fs.mkdirSync(root);
  fs.mkdirSync(path.join(fx.dir, 'outside'));
  secret = fx.generate('outside/secret.mp4', ['-f', 'lavfi', '-i', 'sine=frequency=300:duration=5', '-c:a', 'aac']);
});
afterAll(() => fx.cleanup());

async function failure(run: Promise<unknown>): Promise<MediaError> {
  const error: unknown = await run.then(
    () => undefined,
    (e: unknown) => e,
  );
  if (!(error instanceof MediaError)) throw new Error(`expected a MediaError, got ${String(error)}`);
  return error;
}

function dashManifest(name: string, target: string): string {
  const file = path.join(root, name);
  fs.writeFileSync(file, dashManifestXml(target));
  return file;
}

describe('containers outside the allow-list', () => {
  it('refuses a DASH manifest naming a file outside the media root, the same whether it exists or not', async () => {
    const present = dashManifest('present.mpd', secret);
    const missing = dashManifest('missing.mpd', path.join(fx.dir, 'outside', 'no-such-file.mp4'));
    const a = await failure(probeMedia(present, LIMITS));
    const b = await failure(probeMedia(missing, LIMITS));
    expect(a.code).toBe(MediaErrorCode.NotMedia);
    expect(a.message).toMatch(/not an accepted audio or video format/);
    // No existence oracle: same code, same message, same details.
    expect({ code: b.code, message: b.message, details: b.details }).toEqual({
      code: a.code,
      message: a.message,
      details: a.details,
    });
    // The decoders refuse it too, even when called without a probe first.
    expect((await failure(decodeAudio(present))).code).toBe(MediaErrorCode.NotMedia);
    expect((await failure(decodeAudio(missing))).code).toBe(MediaErrorCode.NotMedia);
  });

  it('refuses HLS playlists and ffconcat scripts that name other files', async () => {
    const m3u8 = path.join(root, 'list.m3u8');
    fs.writeFileSync(m3u8, `#EXTM3U\n#EXT-X-TARGETDURATION:5\n#EXTINF:5,\n${secret}\n#EXT-X-ENDLIST\n`);
    const concat = path.join(root, 'list.ffconcat');
    fs.writeFileSync(concat, `ffconcat version 1.0\nfile '${secret}'\n`);
    for (const file of [m3u8, concat]) {
      expect((await failure(probeMedia(file, LIMITS))).code).toBe(MediaErrorCode.NotMedia);
      expect((await failure(decodeAudio(file))).code).toBe(MediaErrorCode.NotMedia);
    }
    const video = fx.video('clip.mp4', 2, { size: '160x120' });
    const videoList = path.join(root, 'video.ffconcat');
    fs.writeFileSync(videoList, `ffconcat version 1.0\nfile '${video}'\n`);
    expect((await failure(decodeClipFrames(videoList))).code).toBe(MediaErrorCode.NotMedia);
  });

  it('still accepts the containers the product takes', async () => {
    const sine = ['-f', 'lavfi', '-i', 'sine=frequency=440:duration=3'];
    const files = [
      fx.generate('a.ogg', [...sine, '-c:a', 'libvorbis']),
      fx.generate('a.opus', [...sine, '-c:a', 'libopus']),
      fx.generate('a.mp3', [...sine, '-c:a', 'libmp3lame']),
      fx.generate('a.wav', sine),
      fx.generate('a.flac', sine),
      fx.generate('a.m4a', [...sine, '-c:a', 'aac']),
      fx.generate('a.aac', [...sine, '-c:a', 'aac']),
      fx.generate('v.webm', [
        '-f',
        'lavfi',
        '-i',
        'testsrc2=size=160x120:rate=10:duration=3',
        ...sine,
        '-c:v',
        'libvpx',
        '-deadline',
        'realtime',
        '-c:a',
        'libopus',
        '-shortest',
      ]),
      fx.video('v.mp4', 3, { size: '160x120' }),
      secret,
    ];
    for (const file of files) {
      const info = await probeMedia(file, { ...LIMITS, requireAudio: true });
      const audio = await decodeAudio(file, {
        format: info.formatName,
        declaredDurationSeconds: info.audio?.durationSeconds,
      });
      expect(audio.durationSeconds).toBeGreaterThan(2.5);
    }
  });

  it('reports a text file named .mp4 as NOT_MEDIA, not TRUNCATED (issue 14 item 11)', async () => {
    const text = fx.file('notes.mp4');
    fs.writeFileSync(text, 'not a video\n'.repeat(100));
    const error = await failure(probeMedia(text, LIMITS));
    expect(error.code).toBe(MediaErrorCode.NotMedia);
    // A real mp4 cut before its index is still TRUNCATED.
    const half = fx.truncatedCopy(fx.video('whole.mp4', 3, { size: '160x120' }), 'half.mp4');
    expect((await failure(probeMedia(half, LIMITS))).code).toBe(MediaErrorCode.Truncated);
  });

  it('decodes as the container the probe found (-f), and refuses a format outside the list outright', async () => {
    const real = resolveMediaBinaries();
    const argsLog = fx.file('ffmpeg-args.txt');
    const spy = fx.file('ffmpeg-spy.sh');
    fs.writeFileSync(spy, `#!/bin/sh\nprintf '%s\\n' "$@" > '${argsLog}'\nexec '${real.ffmpeg}' "$@"\n`, {
      mode: 0o755,
    });
    const tone = fx.generate('spy.ogg', ['-f', 'lavfi', '-i', 'sine=duration=2', '-c:a', 'libvorbis']);
    const info = await probeMedia(tone, LIMITS);
    await decodeAudio(tone, { format: info.formatName }, { ...real, ffmpeg: spy });
    const args = fs.readFileSync(argsLog, 'utf8').split('\n');
    const input = args.indexOf(`file:${tone}`);
    expect(args.slice(0, input)).toEqual(expect.arrayContaining(['-f', 'ogg', '-protocol_whitelist', 'file']));
    expect(args[args.indexOf('-f') + 1]).toBe('ogg');
    fs.rmSync(argsLog);
    expect((await failure(decodeAudio(tone, { format: 'dash' }, { ...real, ffmpeg: spy }))).code).toBe(
      MediaErrorCode.NotMedia,
    );
    expect(fs.existsSync(argsLog)).toBe(false); // refused before any process started
  });
});
