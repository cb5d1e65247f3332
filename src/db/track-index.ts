import type { SqlConnection } from './sql-runner';

/** The HNSW index over track embeddings that every nearest-track search walks. */
export const TRACK_INDEX = 'track_embedding_hnsw_idx';

export interface HnswBuild {
  m: number;
  efConstruction: number;
}

/** pgvector's defaults: how every index built before migration 20261219000000 was built. */
export const PGVECTOR_DEFAULT_BUILD: HnswBuild = { m: 16, efConstruction: 64 };

/**
 * The build the migrations make (20261219000000_track_index_build) and `npm run track-index:rebuild`
 * rebuilds to. ef_construction 200: a better-connected graph reaches recall@10 0.987 at ef_search
 * 100 where pgvector's default (64) needs ef_search 400 for 0.980, at half the p99 (100k tracks,
 * docs/BENCHMARKS.md, "Index parameters"); it costs about twice the build time.
 */
export const TRACK_INDEX_BUILD: HnswBuild = { m: 16, efConstruction: 200 };

/**
 * The ef_search that searches an index of this build at recall@10 >= 0.98, with and without a
 * license filter passing 10% of the catalog (100k tracks, bench:search, docs/BENCHMARKS.md, "the
 * index built with ef_construction 200"). null (no index yet) is the migrations' build. A build
 * between the two is searched as the older one, on the side of recall.
 */
export function efSearchFor(build: HnswBuild | null): number {
  return build && isOlderBuild(build) ? EF_SEARCH_DEFAULT_BUILD : EF_SEARCH_TRACK_INDEX_BUILD;
}

/** A graph less connected than the migrations' build: it needs the larger ef_search (and a rebuild). */
export const isOlderBuild = (build: HnswBuild) => build.efConstruction < TRACK_INDEX_BUILD.efConstruction;
// pgvector's default ef_search (40) gave recall@10 0.83 on the default build at 100k tracks; 400
// gave 0.978-0.988 over two builds and 600 gave 0.984-0.989.
const EF_SEARCH_DEFAULT_BUILD = 600;
const EF_SEARCH_TRACK_INDEX_BUILD = 150;

/** `CREATE INDEX` of the track index (`name` other than TRACK_INDEX while a rebuild runs beside it). */
export function trackIndexDdl(build: HnswBuild, options: { name?: string; concurrently?: boolean } = {}): string {
  const { m, efConstruction } = build;
  if (![m, efConstruction].every(Number.isInteger) || m < 2 || m > 100 || efConstruction < 4 || efConstruction > 1000) {
    throw new RangeError('HNSW m must be 2..100 and ef_construction 4..1000');
  }
  return (
    `CREATE INDEX${options.concurrently ? ' CONCURRENTLY' : ''} "${options.name ?? TRACK_INDEX}" ` +
    `ON track_embedding USING hnsw (embedding vector_cosine_ops) WITH (m = ${m}, ef_construction = ${efConstruction})`
  );
}

/**
 * How an index on track_embedding (the live track index by default) was built, from its storage
 * parameters (absent ones are pgvector's defaults); null when there is no such valid HNSW index (a
 * database not migrated yet, or a concurrent build that was interrupted).
 */
export async function readTrackIndexBuild(conn: SqlConnection, name = TRACK_INDEX): Promise<HnswBuild | null> {
  const rows = await conn.query<{ reloptions: string[] | null }>(
    `SELECT c.reloptions FROM pg_index i
       JOIN pg_class c ON c.oid = i.indexrelid
       JOIN pg_am am ON am.oid = c.relam
     WHERE i.indexrelid = to_regclass($1) AND i.indrelid = 'track_embedding'::regclass
       AND i.indisvalid AND am.amname = 'hnsw'`,
    [name],
  );
  if (rows.length === 0) return null;
  const options = new Map(
    (rows[0]!.reloptions ?? []).map((o) => {
      const [key, value] = o.split('=');
      return [key!, Number(value)] as const;
    }),
  );
  return {
    m: options.get('m') ?? PGVECTOR_DEFAULT_BUILD.m,
    efConstruction: options.get('ef_construction') ?? PGVECTOR_DEFAULT_BUILD.efConstruction,
  };
}

export const sameBuild = (a: HnswBuild | null, b: HnswBuild) =>
  a !== null && a.m === b.m && a.efConstruction === b.efConstruction;
