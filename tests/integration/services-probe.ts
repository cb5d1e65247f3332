import { connect } from '@nats-io/transport-node';
import { jetstreamManager } from '@nats-io/jetstream';
import { Client } from 'pg';

export const TEST_PG_URL = process.env.TEST_DATABASE_URL ?? 'postgresql://postgres@127.0.0.1:5432/postgres';
export const TEST_NATS_URL = process.env.TEST_NATS_URL ?? 'nats://127.0.0.1:4222';

/** Returns what is missing for the real-services suite; empty when all is there. */
export async function probeServices(): Promise<string[]> {
  const problems: string[] = [];
  const pg = new Client({ connectionString: TEST_PG_URL, connectionTimeoutMillis: 3000 });
  try {
    await pg.connect();
    const { rows } = await pg.query("SELECT 1 FROM pg_available_extensions WHERE name = 'vector'");
    if (rows.length === 0) problems.push(`pgvector is not installed in the Postgres at ${TEST_PG_URL}`);
  } catch (err) {
    problems.push(`Postgres at ${TEST_PG_URL}: ${(err as Error).message}`);
  } finally {
    await pg.end().catch(() => undefined);
  }
  try {
    const nc = await connect({ servers: TEST_NATS_URL, timeout: 3000 });
    try {
      await (await jetstreamManager(nc)).getAccountInfo();
    } catch (err) {
      problems.push(`NATS at ${TEST_NATS_URL} has no JetStream: ${(err as Error).message}`);
    } finally {
      await nc.close();
    }
  } catch (err) {
    problems.push(`NATS at ${TEST_NATS_URL}: ${(err as Error).message}`);
  }
  return problems;
}
