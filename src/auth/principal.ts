import { forbidden, unauthenticated } from '../common/errors';

export const ROLES = ['app', 'admin', 'rater'] as const;
export type Role = (typeof ROLES)[number];

/** The authenticated caller, from a verified bearer token. */
export interface Principal {
  /** The token's subject: the app user (video owner), admin or rater id. */
  id: string;
  roles: Role[];
}

export function requirePrincipal(p: Principal | undefined): Principal {
  if (!p) throw unauthenticated();
  return p;
}

export function requireRole(p: Principal | undefined, role: Role): Principal {
  const principal = requirePrincipal(p);
  if (!principal.roles.includes(role)) throw forbidden(`Requires role ${role}`);
  return principal;
}

export const isAdmin = (p: Principal) => p.roles.includes('admin');
