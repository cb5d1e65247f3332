import type { ArmRecord } from '../../../../src/modules/experiment/experiment.repository';
import { configTags, recommenderFor, stableHash } from '../../../../src/modules/experiment/recommenders';
import { FakeEmbeddings } from '../../../helpers/fakes';
import { FakeTrackPool } from './experiment-fakes';

const arm = (kind: ArmRecord['kind'], extra: Partial<ArmRecord> = {}): ArmRecord => ({
  id: `arm-${kind}`,
  experimentId: 'e',
  position: 0,
  label: kind,
  kind,
  modelVersionId: null,
  config: {},
  createdAt: new Date(),
  ...extra,
});

function deps() {
  const embeddings = new FakeEmbeddings();
  const trackPool = new FakeTrackPool();
  trackPool.tracks = Array.from({ length: 10 }, (_, i) => ({ id: `t${i}`, tags: i < 3 ? ['epic'] : ['calm'] }));
  return { embeddings, trackPool };
}

describe('recommenders', () => {
  it("MODEL_VERSION: suggestBgm's top track under that model version, starting at its best window", async () => {
    const d = deps();
    const r = recommenderFor(arm('MODEL_VERSION', { modelVersionId: 'm1' }), d);
    expect(await r.suggest('v1', 's')).toEqual({
      ok: false,
      reason: 'video v1 has no embedding under model version m1',
    });
    await d.embeddings.upsertVideoEmbedding('v1', 'm1', [1, 0]);
    expect((await r.suggest('v1', 's')).ok).toBe(false);
    d.embeddings.nearest = [{ trackId: 't7', score: 0.8, licenseId: 'l7' }];
    expect(await r.suggest('v1', 's')).toEqual({ ok: true, trackId: 't7', startSec: 0 });
    // Re-ranked by best window, as suggestBgm does: t3's window at 64 s beats t7's track vector.
    d.embeddings.nearest = [
      { trackId: 't7', score: 0.8, licenseId: 'l7' },
      { trackId: 't3', score: 0.7, licenseId: 'l3' },
    ];
    d.embeddings.windows = [
      { trackId: 't7', startSec: 0, score: 0.5 },
      { trackId: 't3', startSec: 64, score: 0.9 },
    ];
    expect(await r.suggest('v1', 's')).toEqual({ ok: true, trackId: 't3', startSec: 64 });
    // With suggestBgm's instrumental preference for the video: t3 is sung, so t7 is what is served.
    const sung = recommenderFor(arm('MODEL_VERSION', { modelVersionId: 'm1' }), {
      ...d,
      vocalPenalties: (videoId) =>
        Promise.resolve(videoId === 'v1' ? () => Promise.resolve(new Map([['t3', 1]])) : undefined),
    });
    expect(await sung.suggest('v1', 's')).toEqual({ ok: true, trackId: 't7', startSec: 0 });
  });

  it('TAG_SEARCH: a matching track, the same for a video whatever the task', async () => {
    const d = deps();
    const r = recommenderFor(arm('TAG_SEARCH', { config: { tags: ['epic'] } }), d);
    const picks = new Set<string>();
    for (let v = 0; v < 30; v++) {
      const first = await r.suggest(`video-${v}`, 'task-1');
      const again = await r.suggest(`video-${v}`, 'task-2');
      expect(again).toEqual(first);
      if (first.ok) picks.add(first.trackId);
    }
    expect([...picks].sort()).toEqual(['t0', 't1', 't2']);
    const none = recommenderFor(arm('TAG_SEARCH', { config: { tags: ['polka'] } }), d);
    expect(await none.suggest('v', 's')).toEqual({ ok: false, reason: 'no suggestible track tagged polka' });
  });

  it('RANDOM: any track, reproducible from the task seed, varying across tasks', async () => {
    const d = deps();
    const r = recommenderFor(arm('RANDOM'), d);
    expect(await r.suggest('v', 'seed-1')).toEqual(await r.suggest('other video', 'seed-1'));
    const picks = new Set<string>();
    for (let s = 0; s < 40; s++) {
      const got = await r.suggest('v', `seed-${s}`);
      if (got.ok) picks.add(got.trackId);
    }
    expect(picks.size).toBeGreaterThan(5);
    d.trackPool.tracks = [];
    expect((await r.suggest('v', 's')).ok).toBe(false);
  });

  it('reads tags defensively and hashes stably', () => {
    expect(configTags({ tags: ['a', 3, '', 'b'] })).toEqual(['a', 'b']);
    expect(configTags(null)).toEqual([]);
    expect(stableHash('x')).toBe(stableHash('x'));
    expect(Number.isSafeInteger(stableHash('x'))).toBe(true);
  });
});
