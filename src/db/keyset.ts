/** Keyset position in a (createdAt, id)-ordered list: where the previous page ended. */
export interface Cursor {
  createdAt: Date;
  id: string;
}

/**
 * Prisma `where` condition for the rows past `after` in (createdAt, id) order: rows created later
 * (earlier, when the list is newest first), and among rows created at the same instant, those with
 * a higher (lower) id. Matches nothing less than the whole list without a cursor.
 */
export function afterCursor(after: Cursor | undefined, order: 'asc' | 'desc' = 'asc') {
  if (!after) return {};
  return order === 'asc'
    ? { OR: [{ createdAt: { gt: after.createdAt } }, { createdAt: after.createdAt, id: { gt: after.id } }] }
    : { OR: [{ createdAt: { lt: after.createdAt } }, { createdAt: after.createdAt, id: { lt: after.id } }] };
}
