import { randomUUID } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { expressMiddleware } from '@as-integrations/express5';
import express from 'express';
import { GraphQLError, type GraphQLSchema } from 'graphql';
import { pinoHttp } from 'pino-http';
import type { JwtAuthenticator } from '../auth/jwt';
import { AppError } from '../common/errors';
import type { Logger } from '../common/logger';
import type { AppConfig } from '../config/config';
import type { RequestContext } from '../graphql/context';
import { graphqlMetricsPlugin } from '../metrics/graphql-metrics.plugin';
import type { AppMetrics } from '../metrics/metrics';
import { CallerRateLimiter } from '../common/rate-limiter';
import type { UploadService } from '../modules/video/upload.service';
import { InFlightOperations } from '../graphql/in-flight';
import { createApolloServer } from './graphql-server';
import { rateLimitMiddleware } from './rate-limit.middleware';
import { mountRaterRoutes, type RaterRouteDeps } from './rater/rater-routes';
import { mountRenderRoutes, type RenderRouteDeps } from './render-routes';
import { mountUploadRoutes } from './upload-routes';

export interface ReadinessCheck {
  name: string;
  check(): Promise<void>;
  /** False: reported in /readyz but not failing it (the API's outbox holds messages while NATS is away). */
  critical: boolean;
}

/** A check that has not answered by then fails: an unreachable dependency must not hang the probe. */
const READINESS_CHECK_TIMEOUT_MS = 3000;

function withTimeout<T>(work: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer within ${ms} ms`)), ms);
  });
  return Promise.race([work, timeout]).finally(() => clearTimeout(timer));
}

/** What the API role serves besides the probes: GraphQL, uploads and the rater page. */
export interface ApiRoutes {
  schema: GraphQLSchema;
  /** Put in every request's context, where each resolver finds the services it uses. */
  services: unknown;
  /** Stores the files of POST /media/uploads and records who uploaded them. */
  uploads: UploadService;
  rater: RaterRouteDeps;
  /** GET /renders/:id: preview renders behind signed links. */
  renders: RenderRouteDeps;
}

export interface HttpServerDeps {
  config: AppConfig;
  logger: Logger;
  authenticator: JwtAuthenticator;
  readiness: ReadinessCheck[];
  /** Absent for workers: health probes (and /metrics) only. */
  api?: ApiRoutes;
  /** Served at GET /metrics (Prometheus text format) when given. */
  metrics?: AppMetrics;
}

const REQUEST_ID = /^[A-Za-z0-9._-]{1,128}$/;
/** How long a stop waits for operations whose clients left (inside the process's SHUTDOWN_TIMEOUT_MS). */
const OPERATIONS_DRAIN_MS = 5_000;

/** Express app: GraphQL at /graphql, liveness at /healthz, readiness at /readyz, Prometheus at /metrics. */
export async function startHttpServer(deps: HttpServerDeps) {
  const { config, logger, authenticator, readiness, metrics, api } = deps;
  const app = express();
  app.disable('x-powered-by');
  // express hashes every res.send body for an ETag; answers here are POSTed GraphQL, probes and
  // metrics, which nobody revalidates (files go through sendFile, which keeps its own).
  app.set('etag', false);
  if (config.trustProxy !== undefined) app.set('trust proxy', config.trustProxy);
  const httpServer = http.createServer(app);
  // Idle keep-alive connections outlive the clients' and proxies' own idle timeouts (Node's 5 s is
  // below most: undici keeps 4 s, load balancers 60 s), so the server is never the side that closes
  // a connection a client is just reusing, which the client sees as ECONNRESET.
  httpServer.keepAliveTimeout = 65_000;
  httpServer.headersTimeout = 66_000;
  // One budget per caller for the expensive GraphQL fields and uploads alike.
  const limiter = new CallerRateLimiter(config.rateLimit);
  const apollo = api
    ? createApolloServer(api.schema, config.limits, httpServer, { limiter, fields: config.rateLimit.fields })
    : undefined;
  if (apollo && metrics) apollo.addPlugin(graphqlMetricsPlugin(metrics));
  const operations = new InFlightOperations();
  apollo?.addPlugin(operations.plugin);
  await apollo?.start();
  let accepting = true;

  app.use(
    pinoHttp({
      logger,
      genReqId: (req, res) => {
        const given = req.headers['x-request-id'];
        const id = typeof given === 'string' && REQUEST_ID.test(given) ? given : randomUUID();
        res.setHeader('x-request-id', id);
        return id;
      },
      autoLogging: { ignore: (req) => req.url === '/healthz' || req.url === '/readyz' || req.url === '/metrics' },
      // req.log then carries only the request id, not the whole request, on every line.
      quietReqLogger: true,
      serializers: {
        req: (req: { id: unknown; method: string; url: string }) => ({ id: req.id, method: req.method, url: req.url }),
        res: (res: { statusCode: number }) => ({ statusCode: res.statusCode }),
      },
    }),
  );

  app.get('/healthz', (_req, res) => {
    res.json({ status: 'ok' });
  });

  app.get('/readyz', async (_req, res) => {
    if (!accepting) {
      res.status(503).json({ status: 'shutting-down' });
      return;
    }
    const results = await Promise.all(
      readiness.map(async (r) => {
        try {
          await withTimeout(r.check(), READINESS_CHECK_TIMEOUT_MS);
          return [r.name, 'ok'] as const;
        } catch (err) {
          return [r.name, (err as Error).message] as const;
        }
      }),
    );
    const ready = results.every(([name, v]) => v === 'ok' || !readiness.find((r) => r.name === name)!.critical);
    res.status(ready ? 200 : 503).json({ status: ready ? 'ready' : 'not-ready', checks: Object.fromEntries(results) });
  });

  if (metrics) {
    app.get('/metrics', async (_req, res) => {
      res.setHeader('content-type', metrics.contentType);
      res.send(await metrics.render());
    });
  }

  if (api) {
    mountRaterRoutes(app, api.rater, logger);
    app.post('/media/uploads', rateLimitMiddleware(limiter, authenticator));
    mountUploadRoutes(app, authenticator, api.uploads);
    mountRenderRoutes(app, api.renders, logger);
  }

  if (apollo && api)
    app.use(
      '/graphql',
      express.json({ limit: '1mb' }),
      expressMiddleware(apollo, {
        context: async ({ req, res }): Promise<RequestContext> => {
          // Set by genReqId above, from the caller's x-request-id or a new UUID.
          const requestId = res.getHeader('x-request-id') as string;
          try {
            const principal = await authenticator.authenticate(req.headers.authorization);
            return { requestId, logger: req.log, principal, clientIp: req.ip, services: api.services };
          } catch (err) {
            if (err instanceof AppError) {
              throw new GraphQLError(err.message, { extensions: { code: err.code, http: { status: 401 } } });
            }
            throw err;
          }
        },
      }),
    );

  await new Promise<void>((resolve, reject) => {
    httpServer.once('error', reject);
    httpServer.listen(config.http.port, config.http.host, () => resolve());
  });
  const address = httpServer.address() as AddressInfo;
  const url = `http://${config.http.host}:${address.port}`;

  return {
    url,
    port: address.port,
    /** Stops taking requests (readiness goes 503), lets in-flight ones finish, closes the server. */
    stop: async () => {
      accepting = false;
      if (apollo) await apollo.stop();
      else await new Promise<void>((resolve) => httpServer.close(() => resolve()));
      // The sockets are closed; operations whose clients left before their answers may still run.
      const running = operations.size;
      if (!(await operations.idle(OPERATIONS_DRAIN_MS)))
        logger.warn({ running, left: operations.size }, 'GraphQL operations still running after the drain');
    },
  };
}
