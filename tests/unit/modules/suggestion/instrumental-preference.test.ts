import {
  vocalPenaltiesFor,
  type InstrumentalPreferenceDeps,
} from '../../../../src/modules/suggestion/instrumental-preference';
import { rankTracks } from '../../../../src/modules/suggestion/rank-tracks';

const PREFERENCE = { minCoverage: 0.25, penalty: 1 };

function deps(coverage: number | null, presence: Record<string, number | null>): InstrumentalPreferenceDeps {
  return {
    videos: {
      findById: (id) =>
        Promise.resolve(id === 'v' ? { voiceActivity: coverage === null ? null : { coverage, segments: [] } } : null),
    },
    analyses: {
      findVocalPresence: (ids) =>
        Promise.resolve(
          ids.filter((id) => id in presence).map((trackId) => ({ trackId, vocalPresence: presence[trackId]! })),
        ),
    },
  };
}

/** Track vectors' cosines and best windows' cosines, by track id (every track's window starts at 0). */
const catalog = (trackScores: Record<string, number>, windowScores: Record<string, number>) => ({
  nearestTracks: () =>
    Promise.resolve(Object.entries(trackScores).map(([trackId, score]) => ({ trackId, score, licenseId: 'l' }))),
  bestWindows: () =>
    Promise.resolve(Object.entries(windowScores).map(([trackId, score]) => ({ trackId, startSec: 0, score }))),
});

// Three tracks: relevance a > b > c by their best windows; b is sung throughout, c half the time.
const embeddings = catalog({ a: 0.9, b: 0.8, c: 0.7 }, { a: 0.9, b: 0.85, c: 0.6 });
const order = async (penalties: Awaited<ReturnType<typeof vocalPenaltiesFor>>) =>
  (await rankTracks(embeddings, 'm', [1], 3, {}, penalties)).map((t) => t.trackId);

describe('the instrumental preference outside suggestBgm (gate, model arms)', () => {
  it('applies when the voice-over speaks more than minCoverage of the video, as penalty x vocal presence', async () => {
    const penalties = await vocalPenaltiesFor(deps(0.6, { a: 0, b: 1, c: 0.5 }), PREFERENCE, 'v');
    expect(Object.fromEntries(await penalties!(['a', 'b', 'c']))).toEqual({ a: 0, b: 1, c: 0.5 });
    expect(await order(penalties)).toEqual(['a', 'c', 'b']);
  });

  it('does not apply to a quiet voice-over, an unanalysed video, a missing video, or with penalty 0', async () => {
    const sung = { b: 1 };
    expect(await vocalPenaltiesFor(deps(0.25, sung), PREFERENCE, 'v')).toBeUndefined();
    expect(await vocalPenaltiesFor(deps(null, sung), PREFERENCE, 'v')).toBeUndefined();
    expect(await vocalPenaltiesFor(deps(0.9, sung), PREFERENCE, 'other')).toBeUndefined();
    expect(await vocalPenaltiesFor(deps(0.9, sung), { ...PREFERENCE, penalty: 0 }, 'v')).toBeUndefined();
    expect(await order(undefined)).toEqual(['a', 'b', 'c']);
  });

  it('leaves tracks without an analysis or a vocal figure unpenalised', async () => {
    const penalties = await vocalPenaltiesFor(deps(0.9, { b: null }), PREFERENCE, 'v');
    expect(Object.fromEntries(await penalties!(['a', 'b', 'c']))).toEqual({ b: 0 });
    expect(await order(penalties)).toEqual(['a', 'b', 'c']);
  });

  it('breaks ties in relevance by the track vector, as the statement does', async () => {
    const tied = catalog({ x: 0.5, y: 0.6 }, { x: 0.7, y: 0.7 });
    expect((await rankTracks(tied, 'm', [1], 2)).map((t) => t.trackId)).toEqual(['y', 'x']);
  });
});
