import fs from 'node:fs';
import { decodeAudio } from '../../../src/media/decode-audio';
import { decodeClipAndVoice } from '../../../src/media/decode-clip-and-voice';
import { decodeClipFrames } from '../../../src/media/decode-frames';
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
    voice: {
      format: voiceInfo.formatName,
      streamIndex: voiceInfo.audio!.index,
      maxDurationSeconds: 600,
      declaredDurationSeconds: voiceInfo.audio!.durationSeconds,
    },
  };
}

describe('decodeClipAndVoice', () => {
  it('gives byte for byte what decodeClipFrames and decodeAudio give, from one process', async () => {
    const o = await optionsFor(video, voice);
    const both = await decodeClipAndVoice(video, o.frames, voice, o.voice);
    expect(both).toBeDefined();
    const frames = await decodeClipFrames(video, o.frames);
    const audio = await decodeAudio(voice, o.voice);
    expect(both!.frames.decodedFrames).toBe(12);
    expect(both!.frames.decodedFrames).toBe(frames.decodedFrames);
    expect(bytes(both!.frames.fast).equals(bytes(frames.fast))).toBe(true);
    expect(bytes(both!.frames.slow).equals(bytes(frames.slow))).toBe(true);
    // The whole voice-over, not cut at the clip's 32 s input bound nor at the video's end.
    expect(both!.voice.pcm.length).toBe(9 * 16_000);
    expect(bytes(both!.voice.pcm).equals(bytes(audio.pcm))).toBe(true);
    expect(both!.voice.durationSeconds).toBe(audio.durationSeconds);
  });

  it('gives undefined, for the caller to decode each file apart, when either file does not decode clean', async () => {
    const o = await optionsFor(video, voice);
    const silence = fx.silentWav('silence.wav', 3);
    const silent = await optionsFor(video, silence);
    // Decodes, but fails decodeAudio's own check (silence).
    expect(await decodeClipAndVoice(video, silent.frames, silence, silent.voice)).toBeUndefined();
    // The voice-over cut after its probe: the decode meets the cut.
    const cut = fx.file('cut.wav');
    fs.writeFileSync(cut, fs.readFileSync(voice).subarray(0, 2000));
    expect(await decodeClipAndVoice(video, o.frames, cut, o.voice)).toBeUndefined();
    // A video that is not what its probe said.
    const junk = fx.randomBytes('junk.mp4', 4096);
    expect(await decodeClipAndVoice(junk, o.frames, voice, o.voice)).toBeUndefined();
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
