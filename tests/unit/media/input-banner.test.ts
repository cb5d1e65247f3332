import { inputBanner } from '../../../src/media/input-banner';
import { MediaFixtures } from '../../helpers/media-fixtures';

jest.setTimeout(30_000);

let fx: MediaFixtures;
beforeAll(() => {
  fx = new MediaFixtures();
});
afterAll(() => fx.cleanup());

describe('inputBanner', () => {
  it('reads each input’s demuxer and duration from the ffmpeg that opened it', () => {
    const video = fx.video('clip.mp4', 2, { size: '160x90', audio: false });
    const voice = fx.generate('voice.ogg', ['-f', 'lavfi', '-i', 'sine=duration=4.5', '-c:a', 'libvorbis']);
    const stderr = fx.inputInfo(video, voice);
    expect(inputBanner(stderr, 0)).toEqual({ formatName: 'mov,mp4,m4a,3gp,3g2,mj2', durationSeconds: 2 });
    expect(inputBanner(stderr, 1)).toEqual({ formatName: 'ogg', durationSeconds: 4.5 });
    expect(inputBanner(stderr, 2)).toBeUndefined();
  });

  it('is not fooled by a metadata value that holds a duration line of its own', () => {
    const forged = fx.generate('forged.wav', [
      '-f',
      'lavfi',
      '-i',
      'sine=duration=3',
      '-metadata',
      'title=x\n  Duration: 00:00:01.00, start: 0.000000, bitrate: 1 kb/s\r  Duration: 00:00:02.00,',
    ]);
    const stderr = fx.inputInfo(forged);
    expect(stderr).toContain('Duration: 00:00:01.00');
    expect(inputBanner(stderr, 0)).toEqual({ formatName: 'wav', durationSeconds: 3 });
  });

  it('gives null for a duration ffmpeg does not know, undefined for a block that is not whole', () => {
    const head = "Input #0, matroska,webm, from 'file:/tmp/a.webm':";
    expect(inputBanner(`${head}\n  Duration: N/A, start: 0.000000, bitrate: N/A\n`, 0)).toEqual({
      formatName: 'matroska,webm',
      durationSeconds: null,
    });
    // Another line broke into the block before its duration, or it was cut off.
    expect(inputBanner(`${head}\n[opus @ 0x55d] warning\n  Duration: 00:00:03.00,\n`, 0)).toBeUndefined();
    expect(inputBanner(`${head}\n  Metadata:\n`, 0)).toBeUndefined();
    expect(inputBanner('', 0)).toBeUndefined();
    expect(inputBanner("Input #10, wav, from 'file:x':\n  Duration: 00:00:03.00,\n", 1)).toBeUndefined();
    expect(inputBanner("Input #1, wav, from 'file:x':\n  Duration: 01:02:03.25, start: 0\n", 1)).toEqual({
      formatName: 'wav',
      durationSeconds: 3723.25,
    });
  });
});
