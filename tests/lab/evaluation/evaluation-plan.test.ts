import type { ManifestItem, ManifestTrack } from '../../../lab/dataset/dataset-manifest';
import { planEvaluation } from '../../../lab/evaluation/evaluate';

const item = (videoId: string, trackId: string, split: 'train' | 'test'): ManifestItem => ({
  videoId,
  trackId,
  split,
  durationSec: 40,
  musicOffsetSec: 0,
  videoFile: `videos/${videoId}.mp4`,
  voiceOverFile: `voice/${videoId}.wav`,
});
const track = (trackId: string): ManifestTrack => ({ trackId, file: `music/${trackId}.ogg` });

describe('planEvaluation', () => {
  const manifest = {
    tracks: ['a', 'b', 'c', 'd'].map(track),
    items: [item('v0', 'a', 'test'), item('v1', 'b', 'test'), item('v2', 'c', 'test'), item('v3', 'd', 'train')],
  };

  it('keeps the candidate set of the whole split when the queries are limited', () => {
    const plan = planEvaluation(manifest, 'test', 'split', 1);
    expect(plan.items.map((i) => i.videoId)).toEqual(['v0']);
    expect(plan.tracks.map((t) => t.trackId)).toEqual(['a', 'b', 'c']);
  });

  it('offers every track of the manifest with candidates "all"', () => {
    expect(planEvaluation(manifest, 'test', 'all', 2).tracks).toHaveLength(4);
  });

  it('refuses a split without items', () => {
    expect(() => planEvaluation({ ...manifest, items: [item('v3', 'd', 'train')] }, 'test', 'split')).toThrow(
      /no test items/,
    );
  });
});
