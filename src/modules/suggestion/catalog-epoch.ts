/**
 * A row that read the catalog's commit counter (migration 20261217000000_catalog_epoch inserts its
 * one row), with the counter known to be there. It is missing only on a database the migrations
 * never ran on: said so, rather than labelling a page or an index with nothing.
 */
export function withCatalogEpoch<T extends { epoch: string | null }>(row: T | undefined): T & { epoch: string } {
  if (!row?.epoch) throw new Error('catalog_epoch has no row: is the database migrated?');
  return row as T & { epoch: string };
}
