/**
 * Runs fn with repositories bound to one transaction: all its writes commit or none do. `R` is
 * what the caller uses (each service names its own slice); the composition root's registry of
 * every repository satisfies each slice.
 */
export interface UnitOfWork<R> {
  run<T>(fn: (repos: R) => Promise<T>): Promise<T>;
}
