import { LRUCache } from 'lru-cache';
import type { Logger } from '../../../common/logger';
import type { SqlConnection } from '../../../db/sql-runner';
import { canonicalFilter, type SuggestionFilter } from '../suggestion-filter';
import { EligibleTracks } from './eligible-tracks';
import { TrackLabels } from './track-labels';
import { type VectorIndexSettings, VersionVectors } from './version-vectors';

export interface CandidateIndexOptions extends VectorIndexSettings {
  /** Versions kept in memory at once (the active one and a canary); the least recently asked go. */
  maxVersions?: number;
  /** Filters whose eligible tracks are kept (one bit per track each). */
  maxFilters?: number;
  logger?: Pick<Logger, 'info' | 'warn'>;
}

/** One suggestBgm call's question, with what its probe read (candidate-sql.ts). */
export interface CandidateAsk {
  versionId: string;
  /** The catalog counter the probe read: the index answers only when current at it. */
  epoch: string;
  /** The server's clock at the probe. */
  nowMs: number;
  filter: SuggestionFilter;
  vector: number[];
  pool: number;
}

/** Catch-up tasks queued at most: beyond that, calls go to the walk until the queue drains. */
const MAX_PENDING = 8;

/** The filter's conditions on eligibility (not the ranking preference), in one order. */
function eligibilityKey(f: SuggestionFilter): string {
  const { preferInstrumental: _ranking, ...conditions } = f;
  return JSON.stringify(canonicalFilter(conditions));
}

/**
 * suggestBgm's candidates from an in-process index (docs/OPERATIONS.md, "suggestBgm's in-process candidate index"):
 * per serving version an hnswlib graph over its track vectors, and per filter the tracks it lets
 * through, both read from Postgres and each labelled with the catalog counter it is current at.
 * It answers only for a version and filter current at the probe's counter; otherwise it says
 * nothing (the caller walks pgvector's index) and queues the catch-up, which runs in the
 * background, one task at a time. So an answer is never older than the data its page is labelled
 * with (suggestion-cache.ts), and a catalog write costs the next calls the walk, not a stale page.
 * The statement re-checks every candidate, so the index decides the order of work, never a
 * guarantee.
 */
export class CandidateIndex {
  private readonly labels = new TrackLabels();
  private readonly versions = new Map<string, { vectors: VersionVectors; askedAt: number }>();
  private readonly filters: LRUCache<string, EligibleTracks>;
  private readonly pending = new Map<string, Promise<void>>();
  private queue: Promise<void> = Promise.resolve();
  private closed = false;
  private settings: VectorIndexSettings;
  private readonly coverage = new WeakMap<
    EligibleTracks,
    { vectors: VersionVectors; epoch: string | null; covers: boolean }
  >();

  constructor(
    private readonly sql: Pick<SqlConnection, 'query'>,
    private readonly options: CandidateIndexOptions,
  ) {
    this.filters = new LRUCache({ max: options.maxFilters ?? 64 });
    this.settings = { m: options.m, efConstruction: options.efConstruction, ef: options.ef };
  }

  /** Whether any version is held: without one, a probe cannot pay off. */
  holdsAnyVersion(): boolean {
    return this.versions.size > 0;
  }

  /** The versions whose graph has been built, with the tracks each holds (the metrics' gauge). */
  builtVersions(): { versionId: string; tracks: number }[] {
    return [...this.versions.values()]
      .filter(({ vectors }) => vectors.epoch !== null)
      .map(({ vectors }) => ({ versionId: vectors.versionId, tracks: vectors.size }));
  }

  /** Asks for a version's graph (built in the background unless held). */
  want(versionId: string): void {
    if (this.closed || this.versions.has(versionId)) return;
    const max = this.options.maxVersions ?? 2;
    while (this.versions.size >= max) {
      const [oldest] = [...this.versions.entries()].sort(([, a], [, b]) => a.askedAt - b.askedAt);
      this.versions.delete(oldest![0]);
    }
    const vectors = new VersionVectors(versionId, this.sql, this.labels, this.settings);
    this.versions.set(versionId, { vectors, askedAt: Date.now() });
    this.catchUp(vectors);
  }

  /**
   * The `pool` nearest eligible tracks (ids, nearest first), or undefined when the index is not
   * current for this ask; then the work that makes it current is queued.
   */
  candidates(ask: CandidateAsk): string[] | undefined {
    const held = this.versions.get(ask.versionId);
    if (!held) {
      this.want(ask.versionId);
      return undefined;
    }
    held.askedAt = Date.now();
    if (held.vectors.epoch !== ask.epoch) {
      this.catchUp(held.vectors);
      return undefined;
    }
    const key = eligibilityKey(ask.filter);
    const eligible = this.filters.get(key);
    if (!eligible?.currentAt(ask.epoch, ask.nowMs)) {
      this.schedule(`filter ${key}`, async () => {
        this.filters.set(key, await EligibleTracks.read(this.sql, this.labels, ask.filter));
      });
      return undefined;
    }
    const allowed = this.covers(eligible, held.vectors) ? undefined : (label: number) => eligible.has(label);
    return held.vectors.search(ask.vector, ask.pool, allowed).map((label) => this.labels.trackIdOf(label));
  }

  /**
   * Whether the set lets every track of the graph through (no filter on a catalog licensed
   * worldwide): hnswlib then searches without calling back into JavaScript for each result it
   * considers, about a fifth of its time. Checked once per set and graph counter.
   */
  private covers(eligible: EligibleTracks, vectors: VersionVectors): boolean {
    const known = this.coverage.get(eligible);
    if (known?.vectors === vectors && known.epoch === vectors.epoch) return known.covers;
    const covers = vectors.everyLabel((label) => eligible.has(label));
    this.coverage.set(eligible, { vectors, epoch: vectors.epoch, covers });
    return covers;
  }

  /** hnswlib's ef for every search from now on, of the versions held and those built later. */
  setEf(ef: number): void {
    this.settings = { ...this.settings, ef };
    for (const { vectors } of this.versions.values()) vectors.setEf(ef);
  }

  /** Resolves when no catch-up is queued or running (bench and tests wait on it). */
  async settled(): Promise<void> {
    while (this.pending.size > 0) await Promise.all(this.pending.values());
  }

  /** Queues nothing more, stops a build at its next batch, and waits for what runs. */
  async close(): Promise<void> {
    this.closed = true;
    await this.settled();
  }

  private catchUp(vectors: VersionVectors): void {
    this.schedule(`version ${vectors.versionId}`, async () => {
      // Evicted (nobody asks for it any more) or closing: stop, at the latest after the batch running.
      const dropped = () => this.closed || this.versions.get(vectors.versionId)?.vectors !== vectors;
      if (dropped()) return;
      const first = vectors.epoch === null;
      const started = performance.now();
      await vectors.sync(dropped);
      if (vectors.epoch === null) return;
      if (first) {
        this.options.logger?.info(
          { versionId: vectors.versionId, tracks: vectors.size, ms: Math.round(performance.now() - started) },
          'candidate index built',
        );
      }
    });
  }

  private schedule(key: string, task: () => Promise<void>): void {
    if (this.closed || this.pending.has(key) || this.pending.size >= MAX_PENDING) return;
    const run = this.queue
      .then(() => (this.closed ? undefined : task()))
      .catch((err: unknown) => this.options.logger?.warn({ err, task: key }, 'candidate index catch-up failed'))
      .finally(() => this.pending.delete(key));
    this.pending.set(key, run);
    this.queue = run;
  }
}
