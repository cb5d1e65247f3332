import { AppError, ErrorCode } from '../../../src/common/errors';
import { createLogger } from '../../../src/common/logger';
import type { RequestContext } from '../../../src/graphql/context';
import { buildAppSchema } from '../../../src/app/schema';
import { createApolloServer } from '../../../src/http/graphql-server';
import type { Services } from '../../../src/app/create-services';

const limits = {
  maxPageSize: 100,
  maxQueryDepth: 6,
  maxQueryCost: 5000,
  maxBatchSize: 100,
  maxMediaBytes: 1e6,
  maxQueryTokens: 2000,
  maxQueryAliases: 15,
  maxQueryRootFields: 10,
  maxQueryDirectives: 50,
};

describe('Apollo server of the API', () => {
  it('masks unexpected errors and logs their cause, but passes domain errors through with their code', async () => {
    const server = createApolloServer(await buildAppSchema(), limits);
    const logged: unknown[] = [];
    const logger = createLogger('silent');
    logger.error = (obj: unknown) => void logged.push(obj);
    const services = {
      tracks: {
        getTrack: (id: string) =>
          id.startsWith('0')
            ? Promise.reject(new Error('connection to 10.0.0.5 failed: password authentication failed for user "bgm"'))
            : Promise.reject(new AppError(ErrorCode.NotFound, `Track ${id} not found`)),
      },
    } as unknown as Services;
    const ctx: RequestContext = { requestId: 'r1', logger, services };
    const run = async (id: string) => {
      const res = await server.executeOperation({ query: `{ track(id: "${id}") { id } }` }, { contextValue: ctx });
      return res.body.kind === 'single' ? res.body.singleResult.errors?.[0] : undefined;
    };
    const hidden = await run('00000000-0000-4000-8000-000000000000');
    expect(hidden).toMatchObject({ message: 'Internal server error', extensions: { code: 'INTERNAL_SERVER_ERROR' } });
    expect(JSON.stringify(hidden)).not.toMatch(/password|10\.0\.0\.5/);
    expect(logged).toHaveLength(1);
    const domain = await run('10000000-0000-4000-8000-000000000000');
    expect(domain).toMatchObject({ extensions: { code: 'NOT_FOUND' } });
  });

  it('refuses queries deeper than the limit', async () => {
    const server = createApolloServer(await buildAppSchema(), { ...limits, maxQueryDepth: 3 });
    const res = await server.executeOperation(
      { query: '{ tracks(first: 1) { edges { node { licenses { id } } } } }' },
      { contextValue: { requestId: 'r', logger: createLogger('silent'), services: {} } },
    );
    const errors = res.body.kind === 'single' ? res.body.singleResult.errors : undefined;
    expect(errors?.[0]?.message).toMatch(/depth limit of 3 exceeded/i);
    expect(errors?.[0]?.extensions).toMatchObject({ code: 'QUERY_TOO_COMPLEX', limit: 'depth', max: 3 });
  });
});
