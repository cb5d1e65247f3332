import { HierarchicalNSW } from 'hnswlib-node';
import type { SqlConnection } from '../../../db/sql-runner';
import type { HnswBuild } from '../../../db/track-index';
import { vectorFromBytes } from '../../../db/vector-bytes';
import { withCatalogEpoch } from '../catalog-epoch';
import { VECTOR_ROWS_SQL, VECTORS_SQL } from './candidate-sql';
import type { TrackLabels } from './track-labels';

/** How the in-process graph is built and searched. */
export interface VectorIndexSettings extends HnswBuild {
  /** hnswlib's ef at search (at least the pool asked for). */
  ef: number;
}

/** Vectors read per statement while syncing (2 KB each at 512 dimensions). */
const FETCH_BATCH = 1000;
/** Points added between two turns of the event loop: each costs about 0.6 ms at 100k tracks. */
const ADD_BATCH = 32;

const nextTurn = () => new Promise<void>((resolve) => setImmediate(resolve));

/**
 * An hnswlib graph over one model version's track vectors, kept in step with track_embedding by
 * row versions: sync() reads every row's xmin, then reads and adds only the rows that are new or
 * changed, and marks the rows that went as deleted. `epoch` is the catalog counter the graph is
 * current at (null until the first sync ends). Searches never block on a sync; a sync yields to the
 * event loop every few points, so requests keep being served while a large version is built.
 */
export class VersionVectors {
  epoch: string | null = null;
  private graph?: HierarchicalNSW;
  private ef: number;
  /** Each indexed track's row version, by label. */
  private readonly rowVersions = new Map<number, string>();

  constructor(
    readonly versionId: string,
    private readonly sql: Pick<SqlConnection, 'query'>,
    private readonly labels: TrackLabels,
    private readonly settings: VectorIndexSettings,
  ) {
    this.ef = settings.ef;
  }

  /** The search's ef from now on (bench:search compares several). */
  setEf(ef: number): void {
    this.ef = ef;
    this.graph?.setEf(ef);
  }

  get size(): number {
    return this.rowVersions.size;
  }

  /** Brings the graph up to the catalog; `stop` is asked between batches (a shutdown need not wait for a build). */
  async sync(stop: () => boolean = () => false): Promise<void> {
    const rows = await this.sql.query<{ epoch: string | null; trackId: string | null; xmin: string | null }>(
      VECTOR_ROWS_SQL,
      [this.versionId],
      { prepare: true },
    );
    const { epoch } = withCatalogEpoch(rows[0]);
    const present = new Set<number>();
    const changed: string[] = [];
    for (const row of rows) {
      if (row.trackId === null) continue;
      const label = this.labels.labelOf(row.trackId);
      present.add(label);
      if (this.rowVersions.get(label) !== row.xmin) changed.push(row.trackId);
    }
    for (let i = 0; i < changed.length; i += FETCH_BATCH) {
      // Stopped half way: the rows added are right, and the counter stays where it was.
      if (stop()) return;
      const batch = await this.sql.query<{ trackId: string; vector: Uint8Array; xmin: string }>(
        VECTORS_SQL,
        [this.versionId, changed.slice(i, i + FETCH_BATCH)],
        { prepare: true },
      );
      await this.add(batch, present.size);
    }
    for (const label of [...this.rowVersions.keys()]) {
      if (present.has(label)) continue;
      this.graph!.markDelete(label);
      this.rowVersions.delete(label);
    }
    this.epoch = epoch;
  }

  /** Whether every indexed track passes `test` (then a search needs no filter). */
  everyLabel(test: (label: number) => boolean): boolean {
    for (const label of this.rowVersions.keys()) if (!test(label)) return false;
    return true;
  }

  /** Up to k labels nearest the vector among those `allowed` passes (all without it), nearest first. */
  search(vector: number[], k: number, allowed?: (label: number) => boolean): number[] {
    const graph = this.graph;
    if (!graph || this.rowVersions.size === 0) return [];
    if (vector.length !== graph.getNumDimensions()) {
      throw new Error(`query vector has ${vector.length} dimensions, the index ${graph.getNumDimensions()}`);
    }
    return graph.searchKnn(vector, Math.min(k, graph.getMaxElements()), allowed).neighbors;
  }

  private async add(rows: { trackId: string; vector: Uint8Array; xmin: string }[], expected: number): Promise<void> {
    for (const [i, row] of rows.entries()) {
      const vector = vectorFromBytes(row.vector);
      const graph = this.graphFor(vector.length, expected);
      const label = this.labels.labelOf(row.trackId);
      // A label already in the graph is updated in place (and undeleted); a new one takes a slot.
      graph.addPoint(vector, label);
      this.rowVersions.set(label, row.xmin);
      if (i % ADD_BATCH === ADD_BATCH - 1) await nextTurn();
    }
  }

  /** The graph, made on the first vector and grown (by half) when a new point would not fit. */
  private graphFor(dimensions: number, expected: number): HierarchicalNSW {
    let graph = this.graph;
    if (!graph) {
      graph = new HierarchicalNSW('cosine', dimensions);
      graph.initIndex(Math.max(1024, Math.ceil(expected * 1.25)), this.settings.m, this.settings.efConstruction, 7);
      graph.setEf(this.ef);
      this.graph = graph;
    } else if (graph.getNumDimensions() !== dimensions) {
      throw new Error(
        `version ${this.versionId} has vectors of ${dimensions} and ${graph.getNumDimensions()} dimensions`,
      );
    }
    if (graph.getCurrentCount() >= graph.getMaxElements()) graph.resizeIndex(Math.ceil(graph.getMaxElements() * 1.5));
    return graph;
  }
}
