/** The least a migrator or a health check needs from a Postgres connection (pg or PGlite). */
export interface SqlConnection {
  /** Runs one or more statements without parameters. */
  exec(sql: string): Promise<void>;
  query<T = Record<string, unknown>>(sql: string, params?: unknown[]): Promise<T[]>;
}

export interface SqlRunner extends SqlConnection {
  /** Runs fn on one dedicated connection (session-level locks and transactions need that). */
  withConnection<T>(fn: (conn: SqlConnection) => Promise<T>): Promise<T>;
}
