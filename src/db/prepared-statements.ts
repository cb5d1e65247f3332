import { createHash } from 'node:crypto';

/**
 * Most distinct statement texts one process prepares. Each is parsed once per pooled connection
 * and kept there (pg never deallocates them), so the set must stay small; texts beyond it run
 * unprepared, as before.
 */
export const MAX_PREPARED_STATEMENTS = 64;

/**
 * Names server-side prepared statements by their text. A prepared statement skips parse, analysis
 * and rewrite on every later execution: for suggestBgm's statement (a dozen CTEs) that halved the
 * statement's p50 at 100k tracks, 15.3 -> 7.6 ms with no filter, 18.3 -> 10.9 ms with a 10% license
 * filter (docs/BENCHMARKS.md). Postgres still plans each execution for its values (a custom plan),
 * which the HNSW scan's LIMIT needs.
 */
export class PreparedStatementNames {
  private readonly names = new Map<string, string>();

  constructor(private readonly max = MAX_PREPARED_STATEMENTS) {}

  /** The name to prepare `text` under, or undefined when the set is full and `text` is not in it. */
  nameFor(text: string): string | undefined {
    const known = this.names.get(text);
    if (known !== undefined || this.names.size >= this.max) return known;
    const name = `s_${createHash('sha1').update(text).digest('hex').slice(0, 20)}`;
    this.names.set(text, name);
    return name;
  }
}
