import { badInput } from '../common/errors';
import type { Cursor } from '../db/keyset';
import { decodeCursor, encodeCursor } from './cursor';

export interface Page<T> {
  edges: { node: T; cursor: string }[];
  pageInfo: { hasNextPage: boolean; endCursor: string | null };
}

/** Checks `first` against the configured maximum; the error names the limit. */
export function checkPageSize(first: number, max: number): void {
  if (!Number.isInteger(first) || first < 1 || first > max) {
    throw badInput(`first must be between 1 and ${max}`, { argument: 'first', max });
  }
}

/**
 * Runs a keyset query asking for one row more than the page, which tells whether another page
 * exists without a count.
 */
export async function keysetPage<T extends Cursor>(
  first: number,
  after: string | undefined | null,
  fetch: (take: number, after?: Cursor) => Promise<T[]>,
): Promise<Page<T>> {
  const rows = await fetch(first + 1, after ? decodeCursor(after) : undefined);
  const nodes = rows.slice(0, first);
  const edges = nodes.map((node) => ({ node, cursor: encodeCursor(node) }));
  return {
    edges,
    pageInfo: { hasNextPage: rows.length > first, endCursor: edges.at(-1)?.cursor ?? null },
  };
}
