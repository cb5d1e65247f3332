/** The least a migrator or a health check needs from a Postgres connection (pg or PGlite). */
export interface SqlConnection {
  /** Runs one or more statements without parameters. */
  exec(sql: string): Promise<void>;
  /**
   * `prepare`: run it as a server-side prepared statement on Postgres (a hot statement; see
   * prepared-statements.ts). PGlite runs it as any other.
   */
  query<T = Record<string, unknown>>(sql: string, params?: unknown[], options?: QueryOptions): Promise<T[]>;
}

export interface QueryOptions {
  prepare?: boolean;
}

export interface SqlRunner extends SqlConnection {
  /** Runs fn inside one transaction on one connection: commits if fn resolves, rolls back if it throws. */
  transaction<T>(fn: (conn: SqlConnection) => Promise<T>): Promise<T>;
}
