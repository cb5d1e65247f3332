/**
 * Prints a bearer token for the running configuration (embedded default: the secret kept in the
 * data folder). Usage: npm run token -- --role admin [--sub alice] [--expires 12h]
 */
import { parseArgs } from 'node:util';
import { JwtAuthenticator } from '../auth/jwt';
import { ROLES, type Role } from '../auth/principal';
import { resolveJwtSecret } from '../auth/secret';
import { loadConfig } from '../config/config';

async function main() {
  const { values } = parseArgs({
    options: {
      role: { type: 'string', multiple: true, default: ['app'] },
      sub: { type: 'string', default: 'dev-user' },
      expires: { type: 'string', default: '12h' },
    },
  });
  const roles = values.role;
  const bad = roles.filter((r) => !(ROLES as readonly string[]).includes(r));
  if (bad.length > 0) throw new Error(`Unknown role(s) ${bad.join(', ')}; known: ${ROLES.join(', ')}`);
  const config = loadConfig();
  const auth = new JwtAuthenticator({ ...config.auth, secret: resolveJwtSecret(config.auth.secret, config.dataDir) });
  process.stdout.write(`${await auth.sign(values.sub, roles as Role[], values.expires)}\n`);
}

main().catch((err: unknown) => {
  process.stderr.write(`${(err as Error).message}\n`);
  process.exit(1);
});
