import type { StoredVoiceActivity } from '../../inference/voice-activity';
import { type DuckingPlan, duckingPlanFor } from '../../features/soundtrack/ducking-plan';
import { type MusicCut, musicCut } from '../../features/soundtrack/music-cut';
import type { TrackAnalysisRepository } from '../track/track-analysis.repository';
import type { VideoRepository } from '../video/video.repository';

/** A suggestion made ready to use: where to cut the track, and how to duck it under the voice. */
export interface Soundtrack {
  /** Null when the track has no tempo or downbeats (its analysis failed or found none). */
  cut: MusicCut | null;
  /** Null when the video has no voice-over timeline. */
  ducking: DuckingPlan | null;
}

export interface SoundtrackRepositories {
  analyses: Pick<TrackAnalysisRepository, 'findRhythms'>;
  videos: Pick<VideoRepository, 'findById'>;
}

interface Candidate {
  trackId: string;
  trackSec: number | null;
  startOffsetSec: number;
}

/**
 * The soundtracks of one page of suggestions, read only when a client asks for a cut or a ducking
 * plan (two queries for the whole page: the video, and the tracks' rhythm), so a plain suggestBgm
 * pays nothing for them.
 */
export function soundtrackLoader(
  repos: SoundtrackRepositories,
  videoId: string,
  candidates: readonly Candidate[],
): (trackId: string) => Promise<Soundtrack> {
  let loaded: Promise<Map<string, Soundtrack>> | undefined;
  const load = async () => {
    const [video, rhythms] = await Promise.all([
      repos.videos.findById(videoId),
      repos.analyses.findRhythms(candidates.map((c) => c.trackId)),
    ]);
    const videoSec = video?.durationSec ?? null;
    const ducking = duckingPlanFor(video?.voiceActivity as StoredVoiceActivity | null | undefined, videoSec);
    const rhythm = new Map(rhythms.map((r) => [r.trackId, r]));
    return new Map(
      candidates.map((c) => {
        const r = rhythm.get(c.trackId);
        const cut =
          r && videoSec && c.trackSec
            ? musicCut({
                windowStartSec: c.startOffsetSec,
                videoSec,
                trackSec: c.trackSec,
                downbeats: r.downbeats,
                tempoBpm: r.tempoBpm,
              })
            : null;
        return [c.trackId, { cut, ducking }];
      }),
    );
  };
  return async (trackId) => {
    loaded ??= load();
    return (await loaded).get(trackId) ?? { cut: null, ducking: null };
  };
}
