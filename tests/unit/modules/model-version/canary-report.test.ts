import { compareArms, proportion } from '../../../../src/modules/model-version/canary-report';

describe('canary report', () => {
  const served = [
    { versionId: 'canary', videos: 40, requests: 90 },
    { versionId: 'active', videos: 60, requests: 150 },
  ];
  const choices = [
    { versionId: 'canary', rank: 1, choices: 8 },
    { versionId: 'canary', rank: null, choices: 2 },
    { versionId: 'active', rank: 1, choices: 2 },
    { versionId: 'active', rank: 7, choices: 6 },
  ];
  const withChoice = [
    { versionId: 'canary', videos: 10 },
    { versionId: 'active', videos: 7 },
  ];

  it('counts each arm: served, chosen, reported ranks and the first-screen share', () => {
    const r = compareArms('canary', 'active', served, choices, withChoice);
    expect(r.canary).toMatchObject({ videos: 40, requests: 90, choices: 10, videosWithChoice: 10, rankedChoices: 8 });
    expect(r.canary.meanRank).toBe(1);
    expect(r.canary.choiceRate.value).toBeCloseTo(0.25, 12);
    expect(r.canary.topShare.value).toBe(1);
    expect(r.baseline).toMatchObject({ videos: 60, choices: 8, rankedChoices: 8, meanRank: 5.5 });
    expect(r.baseline.topShare.value).toBeCloseTo(0.25, 12);
    // Intervals bracket the point shares.
    for (const arm of [r.canary, r.baseline]) expect(arm.choiceRate.lower).toBeLessThanOrEqual(arm.choiceRate.value!);
    // The canary's ranks are all 1 against mostly 7: the rank test tells them apart, the rates barely differ.
    expect(r.rankP).toBeLessThan(0.01);
    expect(r.choiceRateP).toBeGreaterThan(0.05);
  });

  it('reads an arm that served nothing as unknown, not as zero', () => {
    const r = compareArms('canary', 'active', [], [], []);
    expect(r.canary.choiceRate).toEqual({ value: null, lower: 0, upper: 1 });
    expect(r.canary.meanRank).toBeNull();
    expect(r.choiceRateP).toBe(1);
    expect(r.rankP).toBe(1);
    expect(proportion(0, 0).value).toBeNull();
  });
});
