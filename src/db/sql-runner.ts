/** The least a migrator or a health check needs from a Postgres connection (pg or PGlite). */
export interface SqlConnection {
  /** Runs one or more statements without parameters. */
  exec(sql: string): Promise<void>;
  query<T = Record<string, unknown>>(sql: string, params?: unknown[]): Promise<T[]>;
}

export interface SqlRunner extends SqlConnection {
  /** Runs fn inside one transaction on one connection: commits if fn resolves, rolls back if it throws. */
  transaction<T>(fn: (conn: SqlConnection) => Promise<T>): Promise<T>;
}
