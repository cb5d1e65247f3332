import type { AuthChecker } from 'type-graphql';
import { forbidden, unauthenticated } from '../common/errors';
import type { RequestContext } from './context';

/** `@Authorized()` needs a caller; `@Authorized('admin')` needs one with that role. */
export const authChecker: AuthChecker<RequestContext> = ({ context }, roles) => {
  const principal = context.principal;
  if (!principal) throw unauthenticated();
  if (roles.length === 0 || roles.some((r) => (principal.roles as string[]).includes(r))) return true;
  throw forbidden(`Requires role ${roles.join(' or ')}`);
};
