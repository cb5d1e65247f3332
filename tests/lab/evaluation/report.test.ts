import { hubness, type EvaluationReport, type ModelEvaluation } from '../../../lab/evaluation/evaluate';
import { summarize } from '../../../lab/evaluation/ranking-metrics';
import { comparePairedRanks } from '../../../lab/evaluation/paired-comparison';
import { formatTable } from '../../../lab/evaluation/report';

function model(variant: string, ranks: number[], segmentRanks: number[]): ModelEvaluation {
  const perQuery = ranks.map((rank, i) => ({
    videoId: `v${i}`,
    trackId: 't',
    rank,
    segmentRank: segmentRanks[i]!,
    top1: 't',
    top5: ['t', 'u'],
    top1Distance: 0,
  }));
  return {
    ...summarize(ranks, 4),
    segment: summarize(segmentRanks, ranks.length),
    model: { name: 'mrcmv', version: `${variant}-1`, dir: '/m', variant },
    logMelDistance: 1,
    logMelDistanceMisses: 2,
    hubness: hubness(perQuery, 4),
    perQuery,
  };
}

describe('formatTable', () => {
  it('prints one row per model and the paired comparison of the first model with each other one', () => {
    const full = model('full', [1, 1, 2, 1], [1, 2, 1, 1]);
    const cmmr = model('cmmr', [3, 4, 2, 2], [4, 3, 2, 1]);
    const report: EvaluationReport = {
      dataset: '/d',
      split: 'test',
      candidateSet: 'all',
      candidates: ['a', 'b', 'c', 'd'],
      queries: 4,
      protocol: 'p',
      distanceSpace: 'd',
      chance: { recall: { 'R@1': 25 }, medianRank: 2.5, logMelDistance: 3 },
      models: [full, cmmr],
      paired: [
        {
          model: 'full (full-1)',
          baseline: 'cmmr (cmmr-1)',
          catalog: comparePairedRanks([1, 1, 2, 1], [3, 4, 2, 2]),
          segment: comparePairedRanks([1, 2, 1, 1], [4, 3, 2, 1]),
        },
      ],
      seconds: 1,
    };
    const text = formatTable(report);
    expect(text).toMatch(/^\| full \(full-1\) /m);
    expect(text).toMatch(/^\| cmmr \(cmmr-1\) /m);
    expect(text).toContain(
      'paired, full (full-1) vs cmmr (cmmr-1): catalog better 3 / worse 0 / ties 1, one-sided sign p 0.125',
    );
    expect(text).toContain('seg better 3 / worse 0 / ties 1');
  });
});

describe('hubness', () => {
  it('is 1 when the top-1 places are spread evenly and grows with the largest hub', () => {
    const q = (top1: string, top5: string[], trackId = top1) => ({ trackId, top1, top5 });
    expect(hubness([q('a', ['a']), q('b', ['b']), q('c', ['c']), q('d', ['d'])], 4)).toEqual({
      maxTop1Share: 1,
      top5Coverage: 1,
      // A four-way tie: the smallest id, heading the one video it is the truth of.
      largestHub: { trackId: 'a', top1: 1, truth: 1, right: 1 },
    });
    // Three of four queries on one track of four: 3 / (4 / 4) = 3; two tracks ever shown. 'a' is
    // the truth of two videos ('a' and 'c') and rightly first for one of them.
    expect(hubness([q('a', ['a']), q('a', ['a'], 'c'), q('a', ['a', 'b'], 'b'), q('b', ['b'], 'a')], 4)).toEqual({
      maxTop1Share: 3,
      top5Coverage: 0.5,
      largestHub: { trackId: 'a', top1: 3, truth: 2, right: 1 },
    });
    expect(hubness([], 4).largestHub).toBeNull();
  });
});
