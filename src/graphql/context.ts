import type { Principal } from '../auth/principal';
import type { Logger } from '../common/logger';
import type { Services } from '../app/create-services';

export interface GraphQLContext {
  requestId: string;
  logger: Logger;
  principal?: Principal;
  services: Services;
}
