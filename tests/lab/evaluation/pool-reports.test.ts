import type { EvaluationReport, ModelEvaluation } from '../../../lab/evaluation/evaluate';
import { armOf, bootstrapMean, poolReports } from '../../../lab/evaluation/pool-reports';

const model = (version: string, ranks: number[], top1 = (i: number) => `t${i % 4}`): ModelEvaluation =>
  ({
    model: { name: 'mrcmv', version, dir: '/m' },
    perQuery: ranks.map((rank, i) => ({
      videoId: `v${i}`,
      trackId: `t${i % 4}`,
      rank,
      segmentRank: rank,
      top1: top1(i),
      top5: [top1(i)],
      top1Distance: 0,
    })),
  }) as unknown as ModelEvaluation;

const report = (models: ModelEvaluation[]): EvaluationReport =>
  ({
    candidates: ['t0', 't1', 't2', 't3'],
    queries: models[0]!.perQuery.length,
    models,
  }) as unknown as EvaluationReport;

describe('poolReports', () => {
  it('averages an arm over its seeds per video, pools datasets, and tests arms per video', () => {
    const good = [1, 1, 2, 1, 1, 3, 1, 1];
    const bad = [4, 3, 4, 4, 2, 4, 3, 4];
    const reports = [
      report([
        model('new-seed1', good),
        model(
          'new-seed2',
          good.map((r) => Math.min(4, r + 1)),
        ),
        model('old', bad),
      ]),
      report([model('new-seed1', good), model('new-seed2', good), model('old', bad)]),
    ];
    const pooled = poolReports(reports, ['old']);
    const arm = pooled.arms.find((a) => a.arm === 'new')!;
    expect([arm.seeds, arm.videos]).toEqual([2, 16]);
    // Dataset 1: seed 2 is one rank worse, so R@1 there is (6/8 + 0) / 2; dataset 2: 6/8 for both.
    expect(arm.recall['R@1']!.value).toBeCloseTo((100 * ((6 / 8) * 0.5 + 6 / 8)) / 2, 6);
    expect(arm.recall['R@1']!.low).toBeLessThanOrEqual(arm.recall['R@1']!.value);
    expect(pooled.comparisons).toHaveLength(1);
    const c = pooled.comparisons[0]!;
    expect([c.arm, c.baseline, c.catalog.worse]).toEqual(['new', 'old', 0]);
    expect(c.catalog.wilcoxonP).toBeLessThan(0.01);
    expect(pooled.chance['R@1']).toBeCloseTo(25, 6);
  });

  it('measures hubness over all datasets per seed: one track always first is 4x its fair share', () => {
    const pooled = poolReports([report([model('hub', [1, 2, 3, 4], () => 't0')])]);
    expect(pooled.arms[0]!.maxTop1Share).toEqual([4]);
    expect(pooled.arms[0]!.top5Coverage).toEqual([0.25]);
    // t0 heads all four videos, is the truth of one (i % 4 = 0) and so rightly first once.
    expect(pooled.arms[0]!.largestHub).toEqual([{ trackId: 't0', top1: 4, truth: 1, right: 1 }]);
  });

  it('refuses reports that do not all evaluate the same models, and unknown baselines', () => {
    expect(() => poolReports([report([model('a', [1])]), report([model('b', [1])])])).toThrow(
      /missing from some reports/,
    );
    expect(() => poolReports([report([model('a', [1])])], ['zzz'])).toThrow(/baseline zzz/);
  });
});

describe('bootstrapMean and armOf', () => {
  it('brackets the mean and is repeatable', () => {
    const values = Array.from({ length: 50 }, (_, i) => (i % 5 === 0 ? 100 : 0));
    const a = bootstrapMean(values);
    expect(a.value).toBeCloseTo(20, 9);
    expect(a.low).toBeLessThan(20);
    expect(a.high).toBeGreaterThan(20);
    expect(bootstrapMean(values)).toEqual(a);
    expect(armOf({ model: { name: 'm', version: 'steps-seed12', dir: '' } })).toBe('steps');
  });
});

describe('poolReports hubness across datasets of one package', () => {
  it('counts a track once whichever dataset put it first; the fair share is over distinct tracks', () => {
    // Two datasets over the same 4 tracks, 4 queries each: t0 is top-1 twice in the first, once in the second.
    const a = (i: number) => ['t0', 't0', 't1', 't2'][i]!;
    const b = (i: number) => ['t0', 't1', 't2', 't3'][i]!;
    const pooled = poolReports([report([model('m', [1, 1, 1, 1], a)]), report([model('m', [1, 1, 1, 1], b)])]);
    // 8 queries over 4 tracks: fair share 2; t0 has 3. (Per dataset it would be 2 over a share of 1.)
    expect(pooled.arms[0]!.maxTop1Share).toEqual([1.5]);
    expect(pooled.arms[0]!.top5Coverage).toEqual([1]);
  });
});
