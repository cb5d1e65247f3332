/**
 * The ffmpeg filter graphs of a preview render (render-mix.ts), pure so they are unit-tested: the
 * audio mix (voice-over over a cut of the music, ducked) and the final encode (frames scaled, the
 * mix brought to the target loudness by one gain and held under a true-peak ceiling).
 */

/** How the music enters the mix. */
export interface MusicPart {
  /** Where in the track the music starts. */
  startSec: number;
  /** Where it stops (a cut); null: the track loops from startSec until the video ends (rater page). */
  endSec: number | null;
  /** Fade-out ending at endSec (0: none). */
  fadeOutSec: number;
  /** Level of the music against the voice-over before ducking. */
  gainDb: number;
  /** The ducking plan's `volume=...` filter (ducking-plan.ts), t = 0 at the video's start; none: flat. */
  duckingFilter?: string;
}

export interface AudioMixPlan {
  /** Length of the preview. */
  durationSec: number;
  /** ffmpeg input index of the voice-over audio, or null when the video has none. */
  voiceInput: number | null;
  musicInput: number;
  music: MusicPart;
}

const FORMAT = 'aformat=sample_fmts=fltp:channel_layouts=stereo,aresample=48000';
const sec = (x: number) => Number(x.toFixed(3)).toString();

/** Input options of the music file: a looping part is looped and sought by the demuxer. */
export function musicInputArgs(music: MusicPart): string[] {
  return music.endSec === null ? ['-stream_loop', '-1', '-ss', sec(music.startSec)] : [];
}

/**
 * Filter graph with one output `[a]`: the voice at unity, padded with silence so a voice-over
 * shorter than the video does not end the mix; the music cut (atrim, timestamps restarted at 0 so
 * the ducking curve's t is the video's time), faded out, padded, at its gain and ducked; summed
 * without amix's per-input halving (normalize=0), so the levels are the ones planned, and cut to
 * the video's length. The sum may exceed full scale; it is rendered in float and the final
 * encode's gain and limiter bring it in range.
 */
export function audioMixGraph(plan: AudioMixPlan): string {
  const { music } = plan;
  const chain = [`[${plan.musicInput}:a:0]${FORMAT}`];
  if (music.endSec !== null) {
    chain.push(`atrim=start=${sec(music.startSec)}:end=${sec(music.endSec)}`, 'asetpts=PTS-STARTPTS');
    const length = music.endSec - music.startSec;
    if (music.fadeOutSec > 0)
      chain.push(`afade=t=out:st=${sec(Math.max(0, length - music.fadeOutSec))}:d=${sec(music.fadeOutSec)}`);
    chain.push('apad');
  }
  chain.push(`volume=${music.gainDb.toFixed(2)}dB`);
  if (music.duckingFilter) chain.push(music.duckingFilter);
  const trim = `atrim=duration=${sec(plan.durationSec)}`;
  if (plan.voiceInput === null) return `${chain.join(',')},${trim}[a]`;
  return [
    `${chain.join(',')}[m]`,
    `[${plan.voiceInput}:a:0]${FORMAT},apad[vo]`,
    `[vo][m]amix=inputs=2:duration=first:dropout_transition=0:normalize=0,${trim}[a]`,
  ].join(';');
}

/** A true-peak-ish ceiling under full scale, so AAC's overshoot does not clip. */
export const PEAK_CEILING_DB = -1;

/**
 * The final encode's graph over [0] the video and [1] the mixed audio: frames scaled to at most
 * `maxWidth` px (even sizes for H.264 4:2:0), the mix raised or lowered by `gainDb` (the target
 * minus its measured loudness) and limited under the ceiling. The limiter's own auto-levelling is
 * off: it would undo the gain.
 */
export function encodeGraph(gainDb: number, maxWidth = 640): string {
  const limit = (10 ** (PEAK_CEILING_DB / 20)).toFixed(4);
  return [
    `[0:v:0]scale='trunc(min(${maxWidth},iw)/2)*2':-2,setsar=1[v]`,
    `[1:a:0]volume=${gainDb.toFixed(2)}dB,alimiter=limit=${limit}:attack=5:release=50:level=disabled:latency=1[a]`,
  ].join(';');
}
