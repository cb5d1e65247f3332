import cluster from 'node:cluster';
import ipaddr from 'ipaddr.js';
import { type RateLimiterAbstract, RateLimiterCluster, RateLimiterMemory, RateLimiterRes } from 'rate-limiter-flexible';

export interface RateLimitSettings {
  windowSeconds: number;
  /** Points per window for one token subject; 0: no per-token limit. */
  perToken: number;
  /** Points per window for one client address (an IPv6 /64); 0: no per-address limit. */
  perIp: number;
}

/** Who is calling: the token's subject when there is one, and the client address. */
export interface Caller {
  token?: string;
  ip?: string;
}

export type RateVerdict = { allowed: true } | { allowed: false; scope: 'token' | 'ip'; retryAfterSeconds: number };

const ALLOWED: RateVerdict = { allowed: true };

/**
 * Per-token and per-address budgets of expensive calls (fixed windows, rate-limiter-flexible).
 * A call must fit both: the token's budget follows it to any address, and the address's budget
 * bounds every caller behind it, signed in or not. The counters live in this process's memory, or,
 * in an API process of a cluster (API_PROCESSES, api-cluster.ts), in the cluster's primary, so that
 * the processes of one host share one budget. Behind a load balancer each host counts on its own
 * (N hosts allow N times the budget); a shared budget needs the library's Redis or Postgres store.
 */
export class CallerRateLimiter {
  private readonly byToken?: RateLimiterAbstract;
  private readonly byIp?: RateLimiterAbstract;

  constructor(settings: RateLimitSettings) {
    const duration = settings.windowSeconds;
    if (settings.perToken > 0) this.byToken = budget('bgm-token', settings.perToken, duration);
    if (settings.perIp > 0) this.byIp = budget('bgm-ip', settings.perIp, duration);
  }

  /** Spends `points` from the caller's budgets, or says which one is spent and when it refills. */
  async consume(caller: Caller, points = 1): Promise<RateVerdict> {
    if (points <= 0) return ALLOWED;
    if (this.byToken && caller.token) {
      const refused = await spend(this.byToken, `t:${caller.token}`, points, 'token');
      if (refused) return refused;
    }
    if (this.byIp && caller.ip) {
      const refused = await spend(this.byIp, `ip:${addressKey(caller.ip)}`, points, 'ip');
      if (refused) {
        // Refused calls do not run; they should not use up the token's budget either.
        if (this.byToken && caller.token) await this.byToken.reward(`t:${caller.token}`, points);
        return refused;
      }
    }
    return ALLOWED;
  }
}

/** How long a cluster process waits for the primary's answer before the call fails (a fault, not a refusal). */
const CLUSTER_TIMEOUT_MS = 2000;

function budget(keyPrefix: string, points: number, duration: number): RateLimiterAbstract {
  // The primary holds the counters (RateLimiterClusterMaster, started by api-cluster.ts).
  return cluster.isWorker
    ? new RateLimiterCluster({ keyPrefix, points, duration, timeoutMs: CLUSTER_TIMEOUT_MS })
    : new RateLimiterMemory({ keyPrefix, points, duration });
}

async function spend(
  limiter: RateLimiterAbstract,
  key: string,
  points: number,
  scope: 'token' | 'ip',
): Promise<RateVerdict | undefined> {
  try {
    await limiter.consume(key, points);
    return undefined;
  } catch (err) {
    // The library rejects with a RateLimiterRes when the budget is spent, with an Error on a fault.
    if (!(err instanceof RateLimiterRes)) throw err;
    return { allowed: false, scope, retryAfterSeconds: Math.max(1, Math.ceil(err.msBeforeNext / 1000)) };
  }
}

/**
 * IPv4 addresses (also IPv4-mapped IPv6) as they are; IPv6 by their /64, the block one host is
 * usually given, so that a client cannot get a fresh budget per address of its own block.
 */
export function addressKey(ip: string): string {
  if (!ipaddr.isValid(ip)) return ip;
  const addr = ipaddr.process(ip);
  if (addr.kind() === 'ipv4') return addr.toString();
  const parts = (addr as ipaddr.IPv6).parts.slice(0, 4);
  return `${parts.map((p) => p.toString(16)).join(':')}::/64`;
}
