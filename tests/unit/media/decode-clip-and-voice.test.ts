import fs from 'node:fs';
import { decodeAudio } from '../../../src/media/decode-audio';
import { decodeClipAndVoice } from '../../../src/media/decode-clip-and-voice';
import { decodeClipFrames } from '../../../src/media/decode-frames';
import { inputBanner } from '../../../src/media/input-banner';
import { MediaErrorCode } from '../../../src/media/media-error';
import { probeMedia } from '../../../src/media/probe';
import { MediaFixtures } from '../../helpers/media-fixtures';

jest.setTimeout(60_000);

let fx: MediaFixtures;
let video: string;
let voice: string;

beforeAll(() => {
  fx = new MediaFixtures();
  video = fx.video('clip.mp4', 6, { size: '320x180', audio: false });
  // A voice-over longer than the clip, as a creator's narration often is.
  voice = fx.generate('voice.wav', ['-f', 'lavfi', '-i', 'sine=frequency=300:duration=9']);
});
afterAll(() => fx.cleanup());

const bytes = (a: Float32Array) => Buffer.from(a.buffer, a.byteOffset, a.byteLength);

const limits = { maxFileBytes: 1e9, maxDurationSeconds: 600 };

async function optionsFor(videoFile: string, voiceFile: string) {
  const info = await probeMedia(videoFile, { maxFileBytes: 1e9, maxDurationSeconds: 600 });
  const voiceInfo = await probeMedia(voiceFile, { maxFileBytes: 1e9, maxDurationSeconds: 600 });
  return {
    frames: {
      format: info.formatName,
      width: 32,
      height: 32,
      streamIndex: info.video!.index,
      declaredDurationSeconds: info.video!.durationSeconds,
      sourceSize: info.video!,
    },
    // What the separate reads decode after the voice-over's probe (query-video-inputs.ts).
    probedVoice: {
      format: voiceInfo.formatName,
      streamIndex: voiceInfo.audio!.index,
      maxDurationSeconds: 600,
      declaredDurationSeconds: voiceInfo.audio!.durationSeconds,
    },
    voice: { limits },
  };
}

describe('decodeClipAndVoice', () => {
  it('gives byte for byte what decodeClipFrames and decodeAudio give, from one process', async () => {
    const o = await optionsFor(video, voice);
    const both = await decodeClipAndVoice(video, o.frames, voice, o.voice);
    expect(both).toBeDefined();
    const frames = await decodeClipFrames(video, o.frames);
    const audio = await decodeAudio(voice, o.probedVoice);
    expect(both!.frames.decodedFrames).toBe(12);
    expect(both!.frames.decodedFrames).toBe(frames.decodedFrames);
    expect(bytes(both!.frames.fast).equals(bytes(frames.fast))).toBe(true);
    expect(bytes(both!.frames.slow).equals(bytes(frames.slow))).toBe(true);
    // The whole voice-over, not cut at the clip's 32 s input bound nor at the video's end.
    expect(both!.voice.pcm.length).toBe(9 * 16_000);
    expect(bytes(both!.voice.pcm).equals(bytes(audio.pcm))).toBe(true);
    expect(both!.voice.durationSeconds).toBe(audio.durationSeconds);
  });

  it('reads a damaged voice-over as its probe and decode would', async () => {
    // A WAV cut after 2,000 bytes: ffmpeg's demuxer reads it as 0.02 s of audio, in the probe as here.
    const cut = fx.file('cut.wav');
    fs.writeFileSync(cut, fs.readFileSync(voice).subarray(0, 2000));
    const o = await optionsFor(video, cut);
    const both = await decodeClipAndVoice(video, o.frames, cut, o.voice);
    const audio = await decodeAudio(cut, o.probedVoice);
    expect(both!.voice.durationSeconds).toBeLessThan(0.05);
    expect(bytes(both!.voice.pcm).equals(bytes(audio.pcm))).toBe(true);
  });

  it('gives undefined, for the caller to decode each file apart, when either file does not decode clean', async () => {
    const o = await optionsFor(video, voice);
    const silence = fx.silentWav('silence.wav', 3);
    const silent = await optionsFor(video, silence);
    // Decodes, but fails decodeAudio's own check (silence).
    expect(await decodeClipAndVoice(video, silent.frames, silence, silent.voice)).toBeUndefined();
    // A video that is not what its probe said.
    const junk = fx.randomBytes('junk.mp4', 4096);
    expect(await decodeClipAndVoice(junk, o.frames, voice, o.voice)).toBeUndefined();
    // A voice-over that is not media at all, or absent.
    expect(await decodeClipAndVoice(video, o.frames, junk, o.voice)).toBeUndefined();
    expect(await decodeClipAndVoice(video, o.frames, fx.file('absent.wav'), o.voice)).toBeUndefined();
  });

  it('gives undefined for a voice-over its probe would refuse or must look at, though ffmpeg decodes it', async () => {
    const o = await optionsFor(video, voice);
    const read = (file: string, bounds: Partial<typeof limits> & { minDurationSeconds?: number } = {}) =>
      decodeClipAndVoice(video, o.frames, file, { limits: { ...limits, ...bounds } });
    expect(await read(voice)).toBeDefined();
    // Over the size bound (checked before any process starts), over or under the duration bounds
    // (the 9 s file would be cut at -t, not refused, without the container's duration).
    expect(await read(voice, { maxFileBytes: 1000 })).toBeUndefined();
    expect(await read(voice, { maxDurationSeconds: 5 })).toBeUndefined();
    expect(await read(voice, { minDurationSeconds: 10 })).toBeUndefined();
    // A stream as a browser's recorder writes it: the container states no duration, which only
    // the probe's per-stream durations can fill in.
    const recorded = fx.generate('recorded.webm', [
      '-f',
      'lavfi',
      '-i',
      'sine=frequency=300:duration=3',
      '-c:a',
      'libopus',
      '-f',
      'webm',
      '-live',
      '1',
    ]);
    expect(inputBanner(fx.inputInfo(recorded), 0)?.durationSeconds).toBeNull();
    expect(await read(recorded)).toBeUndefined();
    // An Ogg file whose last page is cut: ffmpeg decodes what is there without a word.
    const ogg = fx.generate('voice.ogg', ['-f', 'lavfi', '-i', 'sine=frequency=300:duration=9', '-c:a', 'libvorbis']);
    expect(await read(ogg)).toBeDefined();
    const cutOgg = fx.file('cut.ogg');
    const oggBytes = fs.readFileSync(ogg);
    fs.writeFileSync(cutOgg, oggBytes.subarray(0, oggBytes.length - 100));
    expect(await read(cutOgg)).toBeUndefined();
  });

  it('throws a timeout or an abort as it is: decoding each file apart would wait, or fail, the same way', async () => {
    const o = await optionsFor(video, voice);
    await expect(
      decodeClipAndVoice(video, { ...o.frames, timeoutMs: 1 }, voice, { ...o.voice, timeoutMs: 1 }),
    ).rejects.toMatchObject({ code: MediaErrorCode.Timeout, details: { timeoutMs: 1 } });
    const aborted = AbortSignal.abort();
    await expect(decodeClipAndVoice(video, { ...o.frames, signal: aborted }, voice, o.voice)).rejects.toMatchObject({
      name: 'AbortError',
    });
  });
});
