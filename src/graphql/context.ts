import type { Principal } from '../auth/principal';
import type { Logger } from '../common/logger';

/**
 * What every resolver receives. `S` is the slice of services a resolver uses (each resolver names
 * its own), so this folder never imports the services; the composition root checks that the
 * services it puts in the context provide every resolver's slice (app/schema.ts).
 */
export interface RequestContext<S = unknown> {
  requestId: string;
  logger: Logger;
  principal?: Principal;
  /** The client's address (behind proxies: as TRUST_PROXY allows); per-address rate limits key on it. */
  clientIp?: string;
  services: S;
}
