import { Client } from 'pg';
import type { SqlConnection } from './sql-runner';

export interface PgSession {
  conn: SqlConnection;
  close: () => Promise<void>;
}

/**
 * One Postgres session (not a pool) as a SqlConnection: for work whose SETs must hold from one
 * statement to the next, or that refuses to run inside a transaction (CREATE INDEX CONCURRENTLY).
 */
export async function openPgSession(url: string, applicationName?: string): Promise<PgSession> {
  const client = new Client({ connectionString: url, application_name: applicationName });
  await client.connect();
  return {
    conn: {
      exec: async (sql) => void (await client.query(sql)),
      query: async <T>(sql: string, params?: unknown[]) => (await client.query(sql, params)).rows as T[],
    },
    close: () => client.end(),
  };
}
