import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { lavfiAudio } from './media';

export interface ClickTrack {
  file: string;
  /** When each click starts, in seconds. */
  beats: number[];
  /** The accented clicks (every 4th beat, from beat `firstDownbeat`). */
  downbeats: number[];
}

/**
 * A metronome recording made by ffmpeg: a 25 ms decaying click per beat from `offsetSeconds`, the
 * first beat of each bar (from beat `firstDownbeat`, so the track may start on an upbeat) louder
 * and lower (800 Hz at 0.9 vs 1600 Hz at 0.45), over faint white noise so no frame is digital silence.
 */
export function makeClickTrack(
  dir: string,
  name: string,
  bpm: number,
  { seconds = 30, offsetSeconds = 0.3, firstDownbeat = 1 } = {},
): ClickTrack {
  const period = 60 / bpm;
  // u: time since the first beat; k: beat number; p: time since beat k started.
  const u = `(t-${offsetSeconds})`;
  const k = `floor(${u}/${period})`;
  const p = `(${u}-${k}*${period})`;
  const accent = `eq(mod(${k}+${4 - firstDownbeat},4),0)`;
  const click = `if(${accent},0.9,0.45)*sin(2*PI*if(${accent},800,1600)*${p})*exp(-${p}*150)`;
  const expr = `if(gte(${u},0)*lt(${p},0.025),${click},0)+0.003*(random(0)*2-1)`;
  const file = lavfiAudio(dir, name, `aevalsrc=exprs='${expr}':s=44100:d=${seconds}`);
  const beats: number[] = [];
  for (let t = offsetSeconds; t < seconds - 0.05; t += period) beats.push(t);
  const downbeats = beats.filter((_, i) => i >= firstDownbeat && (i - firstDownbeat) % 4 === 0);
  return { file, beats, downbeats };
}

/**
 * A 1 kHz sine made by sox (not ffmpeg, which measures it): `channels` channels each with a peak
 * of `peakDbfs`. By ITU-R BS.1770 a 1 kHz sine reads its RMS level per channel (peak - 3.01 dB)
 * plus 10 log10(channels): a stereo sine peaking at -23 dBFS is -23.0 LUFS.
 */
export function makeSine(dir: string, name: string, peakDbfs: number, channels: 1 | 2, seconds = 10): string {
  fs.mkdirSync(dir, { recursive: true });
  const file = path.join(dir, name);
  execFileSync('sox', [
    '-n',
    '-r',
    '48000',
    '-c',
    String(channels),
    '-b',
    '24',
    file,
    'synth',
    String(seconds),
    'sine',
    '1000',
    'vol',
    `${peakDbfs}dB`,
  ]);
  return file;
}
