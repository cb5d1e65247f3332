import { runProcess } from '../../src/media/run-process';
import { readWav, type MonoPcm } from './wav';

export const ESPEAK_BINARY = process.env.ESPEAK_PATH ?? 'espeak-ng';

export interface SpeechParams {
  /** espeak-ng voice with variant, e.g. "en-us+m3". */
  voice: string;
  /** Words per minute (espeak-ng accepts 80-450). */
  rateWpm: number;
  /** 0-99. */
  pitch: number;
}

const VOICE = /^[a-z]{2,3}(-[a-z0-9]{1,8})*(\+[a-z0-9]{1,12})?$/;

/** Synthesises one line; espeak-ng gives the same samples for the same arguments. */
export async function speak(text: string, p: SpeechParams, binary = ESPEAK_BINARY): Promise<MonoPcm> {
  if (!VOICE.test(p.voice)) throw new RangeError(`bad espeak voice ${p.voice}`);
  if (text.trim() === '' || text.length > 300) throw new RangeError('a line must be 1-300 characters');
  const rate = Math.round(Math.max(80, Math.min(450, p.rateWpm)));
  const pitch = Math.round(Math.max(0, Math.min(99, p.pitch)));
  const result = await runProcess(
    binary,
    // "--" keeps the text from being read as an option.
    ['-v', p.voice, '-s', String(rate), '-p', String(pitch), '-a', '100', '--stdout', '--', text],
    { timeoutMs: 30_000, maxStdoutBytes: 22_050 * 2 * 60 },
  );
  if (result.exitCode !== 0) throw new Error(`espeak-ng failed (${result.exitCode}): ${result.stderr.trim()}`);
  return readWav(result.stdout);
}
