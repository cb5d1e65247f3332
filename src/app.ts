import { JwtAuthenticator } from './auth/jwt';
import { resolveJwtSecret } from './auth/secret';
import type { Logger } from './common/logger';
import type { AppConfig } from './config/config';
import { openDatabase, type Database } from './db/database';
import { migrate } from './db/migrator';
import { createRepositories, prismaUnitOfWork, type Repositories } from './db/repositories';
import { startHttpServer } from './http/app-server';
import type { JobQueue } from './queue/job-queue';
import { openQueue } from './queue/open-queue';
import { OutboxRelay } from './queue/outbox-relay';
import { createServices, type Services } from './services';
import { LocalMediaStorage } from './storage/media-storage';

export interface App {
  url: string;
  config: AppConfig;
  db: Database;
  queue: JobQueue;
  repos: Repositories;
  services: Services;
  relay: OutboxRelay;
  authenticator: JwtAuthenticator;
  stop(): Promise<void>;
}

/**
 * The composition root: opens the seams named by the config (Postgres or PGlite, NATS or the
 * in-process queue) and wires the same services and API over either.
 */
export async function startApp(config: AppConfig, logger: Logger): Promise<App> {
  const stack: (() => Promise<void>)[] = [];
  const stopAll = async () => {
    for (const stop of stack.reverse()) await stop().catch((err: unknown) => logger.error({ err }, 'error during shutdown'));
    stack.length = 0;
  };
  try {
    const db = await openDatabase(config.database, logger);
    stack.push(() => db.close());
    const migrations = await migrate(db.sql);
    logger.info({ database: db.kind, applied: migrations.applied }, 'database ready');

    const queue = await openQueue(config.queue, logger);
    stack.push(() => queue.close());
    const repos = createRepositories(db.prisma);
    const uow = prismaUnitOfWork(db.prisma);
    if (queue.kind === 'in-process') {
      // The embedded queue kept its messages in memory; the job table says what is unfinished.
      const requeued = await repos.outbox.republishUnfinishedJobs();
      if (requeued > 0) logger.info({ requeued }, 'requeued unfinished jobs');
    }
    const relay = new OutboxRelay(uow, queue, logger, config.outboxPollMs);
    relay.start();
    stack.push(() => relay.stop());

    const storage = new LocalMediaStorage(config.mediaRoot, config.limits.maxMediaBytes);
    const services = createServices({ repos, uow, storage, limits: config.limits, onEnqueued: () => relay.kick() });
    const authenticator = new JwtAuthenticator({ ...config.auth, secret: resolveJwtSecret(config.auth.secret, config.dataDir) });

    const http = await startHttpServer({
      config,
      logger,
      services,
      authenticator,
      readiness: [
        { name: 'database', check: async () => void (await db.sql.query('SELECT 1')) },
        { name: 'queue', check: () => queue.ping() },
      ],
    });
    stack.push(() => http.stop());
    logger.info({ url: `${http.url}/graphql`, database: db.kind, queue: queue.kind }, 'bgm-backend listening');
    return { url: http.url, config, db, queue, repos, services, relay, authenticator, stop: stopAll };
  } catch (err) {
    await stopAll();
    throw err;
  }
}
