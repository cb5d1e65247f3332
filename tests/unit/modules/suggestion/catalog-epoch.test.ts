import { withCatalogEpoch } from '../../../../src/modules/suggestion/catalog-epoch';

describe('withCatalogEpoch', () => {
  it('returns the row as read when it carries the counter', () => {
    const row = { epoch: '42', trackIds: ['a'] };
    expect(withCatalogEpoch(row)).toBe(row);
  });

  it.each([
    ['no row at all', undefined],
    ['a NULL counter', { epoch: null }],
    ['an empty counter', { epoch: '' }],
  ])('refuses %s, naming the likely cause', (_case, row) => {
    expect(() => withCatalogEpoch(row)).toThrow('catalog_epoch has no row: is the database migrated?');
  });
});
