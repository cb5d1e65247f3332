import { analyzeRhythm } from '../../features/rhythm/rhythm-analysis';
import { measureLoudness } from '../../media/loudness';
import type { VoiceActivityDetector } from '../../inference/voice-activity';
import type { MediaInfo } from '../../media/probe';

/**
 * Bumped when the analysis changes in a way worth recomputing: a track's job re-runs it only when
 * its stored row is from another version (re-embeds for a new model otherwise skip it).
 */
export const ANALYZER_VERSION = 2; // 2: vocal presence

/** One track's music analysis as stored (track_analysis); see docs/MUSIC_ANALYSIS.md. */
export interface TrackAnalysisFields {
  analyzerVersion: number;
  tempoBpm: number | null;
  beats: number[];
  downbeats: number[];
  energyHopSec: number | null;
  energyDb: number[];
  rhythmError: string | null;
  loudnessLufs: number | null;
  truePeakDbtp: number | null;
  loudnessRangeLu: number | null;
  loudnessError: string | null;
  /** Share of the track the voice activity model hears as a voice (speech, rap, some singing), 0 to 1. */
  vocalPresence: number | null;
  vocalError: string | null;
}

/**
 * Rhythm from the decoded 16 kHz PCM, loudness from the file itself. Never throws: a part that
 * fails leaves its fields empty and says why, and the track is embedded and suggested all the
 * same (its suggestions then carry no cut).
 */
export async function analyzeTrack(
  file: string,
  probed: MediaInfo,
  pcm16k: Float32Array,
  sampleRate: number,
  vad?: Pick<VoiceActivityDetector, 'speechShare'>,
): Promise<TrackAnalysisFields> {
  const out: TrackAnalysisFields = {
    analyzerVersion: ANALYZER_VERSION,
    tempoBpm: null,
    beats: [],
    downbeats: [],
    energyHopSec: null,
    energyDb: [],
    rhythmError: null,
    loudnessLufs: null,
    truePeakDbtp: null,
    loudnessRangeLu: null,
    loudnessError: null,
    vocalPresence: null,
    vocalError: null,
  };
  // ffmpeg's loudness pass is a process of its own: started first, it runs on the other core while
  // the rhythm and the voice model take this one.
  const loudness = measureLoudness(file, { format: probed.formatName, streamIndex: probed.audio?.index }).then(
    (l) => ({ ok: true as const, l }),
    (e: unknown) => ({ ok: false as const, e }),
  );
  try {
    const rhythm = analyzeRhythm(pcm16k, sampleRate);
    Object.assign(out, {
      tempoBpm: rhythm.tempoBpm,
      beats: rhythm.beats,
      downbeats: rhythm.downbeats,
      energyHopSec: rhythm.energyHopSeconds,
      energyDb: rhythm.energyDb,
    });
  } catch (e) {
    out.rhythmError = reason(e);
  }
  if (vad) {
    try {
      out.vocalPresence = Math.round((await vad.speechShare(pcm16k)) * 1000) / 1000;
    } catch (e) {
      out.vocalError = reason(e);
    }
  }
  const measured = await loudness;
  if (measured.ok) {
    out.loudnessLufs = measured.l.integratedLufs;
    out.truePeakDbtp = measured.l.truePeakDbtp;
    out.loudnessRangeLu = measured.l.loudnessRangeLu;
  } else out.loudnessError = reason(measured.e);
  return out;
}

const reason = (e: unknown) => (e instanceof Error ? e.message : String(e)).slice(0, 500);
