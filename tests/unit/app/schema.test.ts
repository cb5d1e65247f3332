import fs from 'node:fs';
import path from 'node:path';
import { printAppSchema } from '../../../src/app/schema';

describe('GraphQL schema', () => {
  it('matches the committed schema.graphql (run `npm run schema:emit` after changing the API)', async () => {
    const committed = fs.readFileSync(path.join(__dirname, '../../../schema.graphql'), 'utf8');
    expect(await printAppSchema()).toBe(committed);
  });
});
