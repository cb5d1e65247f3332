import { bradleyTerry, signTestPValue, wilsonInterval } from './statistics';

/**
 * Turns votes into the paper's preference tables (Tables 2 and 3: for a pair of methods, the
 * share of votes preferring each and the neutral share). Pure; the service feeds it.
 */

export interface ArmRef {
  id: string;
  label: string;
  position: number;
}

export interface VoteOutcome {
  firstArmId: string;
  secondArmId: string;
  firstIsA: boolean;
  choice: 'A' | 'B' | 'NEUTRAL';
  /** Both arms had suggested the same track (a tie by construction). */
  sameTrack: boolean;
  raterId: string;
}

/** A share of a pair's votes, in percent, with its Wilson 95% interval (also in percent). */
export interface PreferenceShare {
  count: number;
  percent: number;
  ci95Lower: number;
  ci95Upper: number;
}

export interface PairTable {
  firstArmId: string;
  secondArmId: string;
  total: number;
  first: PreferenceShare;
  neutral: PreferenceShare;
  second: PreferenceShare;
  /** Non-neutral votes: what the sign test is computed on. */
  decisive: number;
  /** Exact two-sided binomial test of "first and second equally preferred" on decisive votes. */
  signTestP: number;
  /** Votes on tasks where both arms suggested the same track. */
  identicalPairs: number;
  /** Tab-separated, laid out like the paper's Table 3. */
  table: string;
}

export interface ArmStanding {
  armId: string;
  wins: number;
  losses: number;
  neutral: number;
  /** Bradley-Terry strength (sums to 1 over rated arms); null with two arms or no votes. */
  strength: number | null;
}

export interface ResultsTables {
  totalVotes: number;
  raters: number;
  pairs: PairTable[];
  arms: ArmStanding[];
  bradleyTerry: { iterations: number; converged: boolean } | null;
}

export type Winner = 'first' | 'second' | 'neutral';

export function winnerOf(v: Pick<VoteOutcome, 'choice' | 'firstIsA'>): Winner {
  switch (v.choice) {
    case 'NEUTRAL':
      return 'neutral';
    case 'A':
      return v.firstIsA ? 'first' : 'second';
    case 'B':
      return v.firstIsA ? 'second' : 'first';
  }
}

function share(count: number, total: number): PreferenceShare {
  const ci = wilsonInterval(count, total);
  return {
    count,
    percent: total > 0 ? (100 * count) / total : 0,
    ci95Lower: 100 * ci.lower,
    ci95Upper: 100 * ci.upper,
  };
}

const pct = (s: PreferenceShare) => `${s.percent.toFixed(1)}%`;

function pairTable(first: ArmRef, second: ArmRef, votes: VoteOutcome[]): PairTable {
  const counts = { first: 0, second: 0, neutral: 0 };
  for (const v of votes) counts[winnerOf(v)]++;
  const total = votes.length;
  const decisive = counts.first + counts.second;
  const row = {
    first: share(counts.first, total),
    neutral: share(counts.neutral, total),
    second: share(counts.second, total),
  };
  return {
    firstArmId: first.id,
    secondArmId: second.id,
    total,
    ...row,
    decisive,
    signTestP: signTestPValue(counts.first, decisive),
    identicalPairs: votes.filter((v) => v.sameTrack).length,
    table: `\t${first.label}\tNeutral\t${second.label}\nPreferred\t${pct(row.first)}\t${pct(row.neutral)}\t${pct(row.second)}`,
  };
}

const pairKey = (a: string, b: string) => `${a}|${b}`;

/**
 * Every pair of arms (in position order, with or without votes), each arm's record, and, with
 * more than two arms, Bradley-Terry strengths in which a neutral vote counts as half a win for
 * each side (so a pair judged always neutral comes out equally strong, as it should).
 */
export function tabulate(arms: ArmRef[], votes: VoteOutcome[]): ResultsTables {
  const ordered = [...arms].sort((a, b) => a.position - b.position);
  const index = new Map(ordered.map((a, i) => [a.id, i]));
  const byPair = new Map<string, VoteOutcome[]>();
  for (const v of votes) {
    const key = pairKey(v.firstArmId, v.secondArmId);
    byPair.set(key, [...(byPair.get(key) ?? []), v]);
  }
  const pairs: PairTable[] = [];
  for (let i = 0; i < ordered.length; i++) {
    for (let j = i + 1; j < ordered.length; j++) {
      const [a, b] = [ordered[i]!, ordered[j]!];
      pairs.push(pairTable(a, b, byPair.get(pairKey(a.id, b.id)) ?? []));
    }
  }

  const standings = ordered.map((a) => ({
    armId: a.id,
    wins: 0,
    losses: 0,
    neutral: 0,
    strength: null as number | null,
  }));
  const wins = ordered.map(() => ordered.map(() => 0));
  for (const v of votes) {
    const f = index.get(v.firstArmId);
    const s = index.get(v.secondArmId);
    if (f === undefined || s === undefined) continue;
    const winner = winnerOf(v);
    if (winner === 'neutral') {
      standings[f]!.neutral++;
      standings[s]!.neutral++;
      wins[f]![s]! += 0.5;
      wins[s]![f]! += 0.5;
    } else {
      const [w, l] = winner === 'first' ? [f, s] : [s, f];
      standings[w]!.wins++;
      standings[l]!.losses++;
      wins[w]![l]! += 1;
    }
  }

  let bt: ResultsTables['bradleyTerry'] = null;
  if (ordered.length > 2 && votes.length > 0) {
    const fit = bradleyTerry(wins);
    fit.strengths.forEach((s, i) => (standings[i]!.strength = s));
    bt = { iterations: fit.iterations, converged: fit.converged };
  }
  return {
    totalVotes: votes.length,
    raters: new Set(votes.map((v) => v.raterId)).size,
    pairs,
    arms: standings,
    bradleyTerry: bt,
  };
}
