import { CandidateIndex } from '../../../../../src/modules/suggestion/candidates/candidate-index';
import { VECTOR_ROWS_SQL, VECTORS_SQL } from '../../../../../src/modules/suggestion/candidates/candidate-sql';
import { binaryVector } from '../../../../helpers/binary-vector';

/** A vector along `axis` in 8 dimensions. */
const along = (axis: number) => Array.from({ length: 8 }, (_, i) => (i === axis ? 1 : 0.01));

/**
 * A catalog as the index's three statements read it (the SQL itself runs against PGlite and
 * Postgres in tests/integration/candidate-index.test.ts): the counter, each version's vectors with
 * their row versions, and the tracks every filter lets through.
 */
class FakeCatalog {
  epoch = 1;
  vectors = new Map<string, Map<string, { vector: number[]; xmin: string }>>();
  eligible: string[] = [];
  vectorReads = 0;

  put(version: string, track: string, vector: number[], xmin = String(this.epoch)) {
    if (!this.vectors.has(version)) this.vectors.set(version, new Map());
    this.vectors.get(version)!.set(track, { vector, xmin });
  }

  readonly sql = {
    query: async <T>(text: string, values: unknown[] = []): Promise<T[]> => {
      await Promise.resolve();
      const rows = this.vectors.get(values[0] as string) ?? new Map();
      if (text === VECTOR_ROWS_SQL) {
        const all = [...rows].map(([trackId, r]) => ({ epoch: String(this.epoch), trackId, xmin: r.xmin }));
        return (all.length ? all : [{ epoch: String(this.epoch), trackId: null, xmin: null }]) as T[];
      }
      if (text === VECTORS_SQL) {
        this.vectorReads += (values[1] as string[]).length;
        return (values[1] as string[]).flatMap((id) => {
          const r = rows.get(id);
          return r ? [{ trackId: id, vector: binaryVector(r.vector), xmin: r.xmin }] : [];
        }) as T[];
      }
      return [{ epoch: String(this.epoch), untilMs: null, trackIds: this.eligible }] as T[];
    },
  };
}

describe('CandidateIndex', () => {
  const settings = { m: 8, efConstruction: 50, ef: 50 };
  let catalog: FakeCatalog;
  let index: CandidateIndex;
  const ask = (extra: Partial<Parameters<CandidateIndex['candidates']>[0]> = {}) =>
    index.candidates({
      versionId: 'v1',
      epoch: String(catalog.epoch),
      nowMs: 0,
      filter: {},
      vector: along(0),
      pool: 3,
      ...extra,
    });

  beforeEach(() => {
    catalog = new FakeCatalog();
    for (let i = 0; i < 6; i++) catalog.put('v1', `t${i}`, along(i));
    catalog.eligible = ['t0', 't1', 't2', 't3', 't4', 't5'];
    index = new CandidateIndex(catalog.sql, settings);
  });
  afterEach(() => index.close());

  it('answers nothing until the version and the filter are read, then the nearest eligible tracks', async () => {
    expect(ask()).toBeUndefined();
    await index.settled();
    expect(index.builtVersions()).toEqual([{ versionId: 'v1', tracks: 6 }]);
    expect(ask()).toBeUndefined(); // the filter's tracks are read on its first ask
    await index.settled();
    expect(ask()![0]).toBe('t0');
    catalog.eligible = ['t3', 't5'];
    // Another filter: its own set.
    expect(ask({ filter: { territory: 'FR' } })).toBeUndefined();
    await index.settled();
    expect(ask({ filter: { territory: 'FR' }, vector: along(5) })).toEqual(['t5', 't3']);
    // The ranking preference is not a condition: same set as no filter.
    expect(ask({ filter: { preferInstrumental: false } })![0]).toBe('t0');
  });

  it('answers only at the counter it is current at, and catches up by reading only what changed', async () => {
    ask();
    await index.settled();
    ask();
    await index.settled();
    expect(catalog.vectorReads).toBe(6);
    catalog.epoch = 2;
    catalog.put('v1', 't6', along(7));
    catalog.put('v1', 't0', along(6)); // a new row version of t0
    catalog.vectors.get('v1')!.delete('t1');
    catalog.eligible = ['t0', 't2', 't3', 't4', 't5', 't6'];
    expect(ask({ epoch: '2' })).toBeUndefined();
    await index.settled();
    expect(catalog.vectorReads).toBe(8);
    expect(ask({ epoch: '2' })).toBeUndefined(); // the filter's set was read at counter 1
    await index.settled();
    expect(ask({ epoch: '2', vector: along(7), pool: 1 })).toEqual(['t6']);
    expect(ask({ epoch: '2', vector: along(6), pool: 1 })).toEqual(['t0']);
    expect(ask({ epoch: '2', pool: 10 })).not.toContain('t1');
    expect(index.builtVersions()).toEqual([{ versionId: 'v1', tracks: 6 }]);
  });

  it('keeps at most maxVersions graphs, dropping the least recently asked', async () => {
    index = new CandidateIndex(catalog.sql, { ...settings, maxVersions: 1 });
    catalog.put('v2', 't0', along(0));
    index.want('v1');
    await index.settled();
    index.want('v2');
    await index.settled();
    expect(index.builtVersions().map((v) => v.versionId)).toEqual(['v2']);
  });

  it('stops a build when closed, without marking it current', async () => {
    for (let i = 6; i < 3000; i++) catalog.put('v1', `t${i}`, along(i % 8));
    index.want('v1');
    await Promise.resolve();
    await index.close();
    expect(catalog.vectorReads).toBeLessThan(3000);
    expect(index.builtVersions()).toEqual([]);
    expect(ask()).toBeUndefined();
  });
});
