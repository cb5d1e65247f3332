import type { TrackAnalysisRepository } from '../track/track-analysis.repository';

/** suggestBgm's instrumental preference (AppConfig.instrumental); penalty 0 turns it off. */
export interface InstrumentalPreference {
  minCoverage: number;
  penalty: number;
}

/** SuggestionService's preference when it is given none. */
export const DEFAULT_INSTRUMENTAL: InstrumentalPreference = { minCoverage: 0.25, penalty: 1 };

/** What each track loses from its relevance for one video; tracks left out lose nothing. */
export type VocalPenalties = (trackIds: readonly string[]) => Promise<Map<string, number>>;

export interface InstrumentalPreferenceDeps {
  videos: { findById(id: string): Promise<{ voiceActivity: unknown } | null> };
  analyses: Pick<TrackAnalysisRepository, 'findVocalPresence'>;
}

/**
 * The instrumental preference as suggestBgm's statement applies it to one video
 * (video-suggestion.sql.ts, `vocal_penalty`): when the video's voice-over speaks more than
 * `minCoverage` of it, a track loses `penalty` x its vocal presence. Undefined when it does not
 * apply, so that rankings outside that statement (the gate, the experiments' model arm) order
 * tracks as a creator is served them.
 */
export async function vocalPenaltiesFor(
  deps: InstrumentalPreferenceDeps,
  preference: InstrumentalPreference,
  videoId: string,
): Promise<VocalPenalties | undefined> {
  if (preference.penalty === 0) return undefined;
  const video = await deps.videos.findById(videoId);
  const coverage = (video?.voiceActivity as { coverage?: unknown } | null | undefined)?.coverage;
  if (typeof coverage !== 'number' || !(coverage > preference.minCoverage)) return undefined;
  return async (trackIds) =>
    new Map(
      (await deps.analyses.findVocalPresence(trackIds)).map((r) => [
        r.trackId,
        preference.penalty * (r.vocalPresence ?? 0),
      ]),
    );
}
