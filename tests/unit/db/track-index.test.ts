import fs from 'node:fs';
import path from 'node:path';
import { efSearchFor, PGVECTOR_DEFAULT_BUILD, TRACK_INDEX_BUILD, trackIndexDdl } from '../../../src/db/track-index';

describe('track index build', () => {
  it('searches the migrations build with a smaller ef_search than an older build, and a between build as the older', () => {
    expect(efSearchFor(TRACK_INDEX_BUILD)).toBe(150);
    expect(efSearchFor(null)).toBe(efSearchFor(TRACK_INDEX_BUILD));
    expect(efSearchFor(PGVECTOR_DEFAULT_BUILD)).toBe(600);
    expect(efSearchFor({ m: 16, efConstruction: 128 })).toBe(600);
    expect(efSearchFor({ m: 16, efConstruction: 400 })).toBe(150);
  });

  it('writes the index DDL for a build, and refuses parameters pgvector would not take', () => {
    expect(trackIndexDdl(TRACK_INDEX_BUILD)).toBe(
      'CREATE INDEX "track_embedding_hnsw_idx" ON track_embedding USING hnsw (embedding vector_cosine_ops) WITH (m = 16, ef_construction = 200)',
    );
    expect(trackIndexDdl({ m: 8, efConstruction: 32 }, { name: 'x_rebuild', concurrently: true })).toMatch(
      /^CREATE INDEX CONCURRENTLY "x_rebuild" ON .* WITH \(m = 8, ef_construction = 32\)$/,
    );
    for (const bad of [
      { m: 1, efConstruction: 64 },
      { m: 16, efConstruction: 2000 },
      { m: 16.5, efConstruction: 64 },
    ]) {
      expect(() => trackIndexDdl(bad)).toThrow(RangeError);
    }
  });

  it('is the build the migration writes', () => {
    const dir = path.resolve(__dirname, '../../../prisma/migrations/20261219000000_track_index_build');
    const sql = fs.readFileSync(path.join(dir, 'migration.sql'), 'utf8');
    expect(sql).toContain(`WITH (m = ${TRACK_INDEX_BUILD.m}, ef_construction = ${TRACK_INDEX_BUILD.efConstruction})`);
  });
});
