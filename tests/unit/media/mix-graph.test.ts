import { execFileSync } from 'node:child_process';
import { duckingPlan } from '../../../src/features/soundtrack/ducking-plan';
import { audioMixGraph, encodeGraph, musicInputArgs } from '../../../src/media/preview/mix-graph';

const cut = { startSec: 12.5, endSec: 42.5, fadeOutSec: 2, gainDb: -6 };

describe('preview mix graph', () => {
  it('cuts the music, restarts its clock, fades its last seconds out, ducks it and mixes it under the voice', () => {
    const ducking = duckingPlan([{ startSec: 1, endSec: 4 }], 30).ffmpegFilter;
    const graph = audioMixGraph({
      durationSec: 30,
      voiceInput: 0,
      musicInput: 1,
      music: { ...cut, duckingFilter: ducking },
    });
    const [music, voice, mix] = graph.split(';');
    expect(music).toBe(
      `[1:a:0]aformat=sample_fmts=fltp:channel_layouts=stereo,aresample=48000,atrim=start=12.5:end=42.5,` +
        `asetpts=PTS-STARTPTS,afade=t=out:st=28:d=2,apad,volume=-6.00dB,${ducking}[m]`,
    );
    expect(voice).toBe('[0:a:0]aformat=sample_fmts=fltp:channel_layouts=stereo,aresample=48000,apad[vo]');
    // normalize=0: amix would otherwise halve both inputs and the planned levels would not hold.
    expect(mix).toBe('[vo][m]amix=inputs=2:duration=first:dropout_transition=0:normalize=0,atrim=duration=30[a]');
    expect(musicInputArgs({ ...cut })).toEqual([]);
  });

  it('loops an uncut track from its offset (rater page) and plays the music alone without a voice', () => {
    const looped = { startSec: 7, endSec: null, fadeOutSec: 0, gainDb: -12 };
    expect(musicInputArgs(looped)).toEqual(['-stream_loop', '-1', '-ss', '7']);
    expect(audioMixGraph({ durationSec: 9.25, voiceInput: null, musicInput: 0, music: looped })).toBe(
      '[0:a:0]aformat=sample_fmts=fltp:channel_layouts=stereo,aresample=48000,volume=-12.00dB,atrim=duration=9.25[a]',
    );
  });

  it('applies the loudness gain before a limiter that does not re-level, on scaled even-sized frames', () => {
    expect(encodeGraph(-3.456)).toBe(
      "[0:v:0]scale='trunc(min(640,iw)/2)*2':-2,setsar=1[v];" +
        '[1:a:0]volume=-3.46dB,alimiter=limit=0.8913:attack=5:release=50:level=disabled:latency=1[a]',
    );
  });

  it('is a graph ffmpeg accepts', () => {
    const ducking = duckingPlan([{ startSec: 0.5, endSec: 1.5 }], 3).ffmpegFilter;
    const graph = audioMixGraph({
      durationSec: 3,
      voiceInput: 0,
      musicInput: 1,
      music: { ...cut, startSec: 1, endSec: 4, duckingFilter: ducking },
    });
    const out = execFileSync('ffmpeg', [
      ...[
        '-v',
        'error',
        '-f',
        'lavfi',
        '-i',
        'sine=frequency=300:duration=3',
        '-f',
        'lavfi',
        '-i',
        'sine=frequency=5000:duration=5',
      ],
      ...['-filter_complex', graph, '-map', '[a]', '-f', 'null', '-'],
    ]);
    expect(out.toString()).toBe('');
  });
});
