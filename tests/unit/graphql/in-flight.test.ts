import type { GraphQLRequestContext, GraphQLRequestListener } from '@apollo/server';
import { InFlightOperations } from '../../../src/graphql/in-flight';

/** Starts an operation through the plugin's hooks; returns its end (the response hook). */
async function start(ops: InFlightOperations): Promise<() => Promise<void>> {
  const listener = (await ops.plugin.requestDidStart!({} as GraphQLRequestContext<never>)) as GraphQLRequestListener<
    Record<string, never>
  >;
  return () => listener.willSendResponse!({} as never);
}

describe('InFlightOperations', () => {
  it('is idle at once with nothing running, and when the last running operation answers', async () => {
    const ops = new InFlightOperations();
    await expect(ops.idle(10)).resolves.toBe(true);
    const a = await start(ops);
    const b = await start(ops);
    expect(ops.size).toBe(2);
    const idle = ops.idle(5_000);
    await a();
    await a(); // a second response hook for one operation counts once
    expect(ops.size).toBe(1);
    await b();
    await expect(idle).resolves.toBe(true);
    expect(ops.size).toBe(0);
  });

  it('gives up after the timeout while an operation still runs', async () => {
    const ops = new InFlightOperations();
    const end = await start(ops);
    await expect(ops.idle(20)).resolves.toBe(false);
    await end();
    await expect(ops.idle(20)).resolves.toBe(true);
  });
});
