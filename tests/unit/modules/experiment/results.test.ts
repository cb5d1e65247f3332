import { tabulate, winnerOf, type VoteOutcome } from '../../../../src/modules/experiment/results';

const tags = { id: 'tags', label: 'Search under tags', position: 0 };
const mrcmv = { id: 'mrcmv', label: 'MRCMV with HoK400', position: 1 };

function votes(
  first: string,
  second: string,
  counts: { first: number; neutral: number; second: number },
): VoteOutcome[] {
  const out: VoteOutcome[] = [];
  let rater = 0;
  const push = (choice: VoteOutcome['choice'], firstIsA: boolean) =>
    out.push({
      firstArmId: first,
      secondArmId: second,
      firstIsA,
      choice,
      sameTrack: false,
      raterId: `r${rater++ % 4}`,
    });
  // Alternate sides, as the service randomises them: the winner must not depend on the side.
  for (let i = 0; i < counts.first; i++) push(i % 2 ? 'A' : 'B', i % 2 === 1);
  for (let i = 0; i < counts.neutral; i++) push('NEUTRAL', i % 2 === 0);
  for (let i = 0; i < counts.second; i++) push(i % 2 ? 'B' : 'A', i % 2 === 1);
  return out;
}

describe('tabulate', () => {
  it("reproduces the layout and numbers of the paper's Table 3 (26 videos: 5 / 10 / 11)", () => {
    const r = tabulate([mrcmv, tags], votes('tags', 'mrcmv', { first: 5, neutral: 10, second: 11 }));
    expect(r.totalVotes).toBe(26);
    expect(r.raters).toBe(4);
    const [pair] = r.pairs;
    expect(pair).toMatchObject({ firstArmId: 'tags', secondArmId: 'mrcmv', total: 26, decisive: 16 });
    expect(pair!.first.percent).toBeCloseTo(19.23, 2);
    expect(pair!.neutral.percent).toBeCloseTo(38.46, 2);
    expect(pair!.second.percent).toBeCloseTo(42.31, 2);
    expect(pair!.table).toBe('\tSearch under tags\tNeutral\tMRCMV with HoK400\nPreferred\t19.2%\t38.5%\t42.3%');
    // Wilson 95% of 11/26, in percent.
    expect(pair!.second.ci95Lower).toBeCloseTo(25.54, 2);
    expect(pair!.second.ci95Upper).toBeCloseTo(61.05, 2);
    // Sign test on 5 vs 11: 2 * P(X <= 5 | n = 16) = 2 * 6885 / 65536.
    expect(pair!.signTestP).toBeCloseTo((2 * 6885) / 65536, 12);
    // Two arms: no Bradley-Terry fit.
    expect(r.bradleyTerry).toBeNull();
    expect(r.arms.map((a) => [a.armId, a.wins, a.losses, a.neutral, a.strength])).toEqual([
      ['tags', 5, 11, 10, null],
      ['mrcmv', 11, 5, 10, null],
    ]);
  });

  it('lists every pair, voted or not, and fits Bradley-Terry with neutral votes as half wins', () => {
    const third = { id: 'random', label: 'Random', position: 2 };
    const all = [
      ...votes('tags', 'mrcmv', { first: 1, neutral: 2, second: 0 }),
      ...votes('tags', 'random', { first: 2, neutral: 0, second: 1 }),
    ];
    all.push({ ...all[0]!, sameTrack: true });
    const r = tabulate([tags, mrcmv, third], all);
    expect(r.pairs.map((p) => [p.firstArmId, p.secondArmId, p.total])).toEqual([
      ['tags', 'mrcmv', 4],
      ['tags', 'random', 3],
      ['mrcmv', 'random', 0],
    ]);
    expect(r.pairs[0]!.identicalPairs).toBe(1);
    expect(r.pairs[2]).toMatchObject({ signTestP: 1, first: { count: 0, percent: 0, ci95Lower: 0, ci95Upper: 100 } });
    expect(r.bradleyTerry?.converged).toBe(true);
    const strengths = r.arms.map((a) => a.strength!);
    expect(strengths.reduce((s, x) => s + x, 0)).toBeCloseTo(1, 9);
    expect(strengths[0]).toBeGreaterThan(strengths[1]!);
  });

  it('maps A/B to arms through the side assignment', () => {
    expect(winnerOf({ choice: 'A', firstIsA: true })).toBe('first');
    expect(winnerOf({ choice: 'A', firstIsA: false })).toBe('second');
    expect(winnerOf({ choice: 'B', firstIsA: false })).toBe('first');
    expect(winnerOf({ choice: 'NEUTRAL', firstIsA: true })).toBe('neutral');
  });
});
