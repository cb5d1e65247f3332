import type { ApolloServerPlugin } from '@apollo/server';

/**
 * GraphQL operations from their start to their response. Apollo's drain (drainHttpServer) waits
 * for sockets, not for work: an operation whose client hung up keeps running after its socket
 * closed, and a stop that went on to close the database under it failed that operation with
 * "Cannot use a pool after calling end on the pool" (seen at the end of every bench:http row set,
 * when autocannon leaves with requests in flight). idle() waits for those as well.
 */
export class InFlightOperations {
  private count = 0;
  private waiters: (() => void)[] = [];

  readonly plugin: ApolloServerPlugin = {
    requestDidStart: () => {
      this.count++;
      let ended = false;
      return Promise.resolve({
        // Called for every operation that started, answered or failed, whether or not anyone still listens.
        willSendResponse: () => {
          if (!ended) {
            ended = true;
            this.count--;
            if (this.count === 0) for (const wake of this.waiters.splice(0)) wake();
          }
          return Promise.resolve();
        },
      });
    },
  };

  get size(): number {
    return this.count;
  }

  /** Resolves true once no operation runs, or false after `timeoutMs` with some still running. */
  idle(timeoutMs: number): Promise<boolean> {
    if (this.count === 0) return Promise.resolve(true);
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.waiters = this.waiters.filter((w) => w !== wake);
        resolve(false);
      }, timeoutMs);
      const wake = () => {
        clearTimeout(timer);
        resolve(true);
      };
      this.waiters.push(wake);
    });
  }
}
