import { assertDecoded, assertNotCutShort } from '../../../src/media/decode-failure';
import { MediaError, MediaErrorCode } from '../../../src/media/media-error';
import type { RunResult } from '../../../src/media/run-process';

const INPUT = 'file:/data/clip.mp4';
const run = (exitCode: number, stderr: string): RunResult => ({
  exitCode,
  signal: null,
  stdout: Buffer.alloc(0),
  stderr,
});

function codeOf(fn: () => void): MediaErrorCode | undefined {
  try {
    fn();
    return undefined;
  } catch (e) {
    if (e instanceof MediaError) return e.code;
    throw e;
  }
}

describe('assertDecoded', () => {
  it('accepts a clean run and flags a clean-looking run that hit the end of a cut file', () => {
    expect(
      codeOf(() => assertDecoded(run(0, 'Guessed Channel Layout for Input Stream #0.0 : mono\n'), INPUT, 'audio')),
    ).toBeUndefined();
    // Older builds run messages together without a newline.
    const oldStyle = '[mov,mp4,m4a,3gp,3g2,mj2 @ 0x2821abc0] stream 1, offset 0x11e223: partial file[mov @ 0x1] x';
    expect(codeOf(() => assertDecoded(run(0, oldStyle), INPUT, 'audio'))).toBe(MediaErrorCode.Truncated);
  });

  it('classifies failures', () => {
    const noStream = "Stream map '0:a:0' matches no streams.\nTo ignore this, add a trailing '?' to the map.";
    expect(codeOf(() => assertDecoded(run(1, noStream), INPUT, 'audio'))).toBe(MediaErrorCode.NoAudio);
    expect(codeOf(() => assertDecoded(run(1, noStream), INPUT, 'video'))).toBe(MediaErrorCode.NoVideo);
    const garbage = `${INPUT}: Invalid data found when processing input\n`;
    expect(codeOf(() => assertDecoded(run(1, garbage), INPUT, 'audio'))).toBe(MediaErrorCode.NotMedia);
    expect(codeOf(() => assertDecoded(run(1, '[aac @ 0x55d] Some codec failure\n'), INPUT, 'audio'))).toBe(
      MediaErrorCode.DecodeFailed,
    );
  });

  it('keeps the reason short and free of addresses', () => {
    try {
      assertDecoded(
        run(1, `[h264 @ 0x296c30c0] Error splitting the input into NAL units. ${'x'.repeat(500)}\n`),
        INPUT,
        'video',
      );
      throw new Error('expected a failure');
    } catch (e) {
      expect((e as MediaError).message).toMatch(/^could not decode the video: Error splitting the input/);
      expect((e as MediaError).message.length).toBeLessThan(240);
    }
  });
});

describe('assertNotCutShort', () => {
  it('rejects output far shorter than the declared duration, within a margin', () => {
    expect(codeOf(() => assertNotCutShort(5, 10, 32, 0.5))).toBe(MediaErrorCode.Truncated);
    expect(codeOf(() => assertNotCutShort(9.6, 10, 32, 0.5))).toBeUndefined();
    expect(codeOf(() => assertNotCutShort(1, null, 32, 0.5))).toBeUndefined();
    // Only the requested part (here the first 32 s of a 100 s file) has to be there.
    expect(codeOf(() => assertNotCutShort(32, 100, 32, 1))).toBeUndefined();
  });
});
