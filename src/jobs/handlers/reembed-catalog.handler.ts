import type { JobRecord } from '../../db/prisma-types';
import { type JobContext, type JobHandler, payloadString } from '../job-handler';
import type { HandlerDeps } from './handler-deps';

const PAGE = 500;

/**
 * Queues an EMBED_TRACK job for every live track that has no embedding under the given model
 * version, a page at a time (each page in one transaction with its outbox messages). Each
 * (track, model) job has a dedup key, so a re-run or a redelivery never queues the same work twice.
 */
export class ReembedCatalogHandler implements JobHandler {
  readonly kind = 'REEMBED_CATALOG' as const;

  constructor(
    private readonly deps: Pick<HandlerDeps, 'repos' | 'uow'>,
    private readonly onEnqueued: () => void,
  ) {}

  async run(job: JobRecord, ctx: JobContext): Promise<void> {
    const modelVersionId = payloadString(job, 'modelVersionId');
    let after: string | undefined;
    let queued = 0;
    for (;;) {
      const ids = await this.deps.repos.tracks.idsMissingEmbedding(modelVersionId, PAGE, after);
      if (ids.length === 0) break;
      await this.deps.uow.run(async ({ jobs }) => {
        for (const trackId of ids) {
          const job = await jobs.enqueueOnce(
            'EMBED_TRACK',
            { trackId, modelVersionId },
            `embed-track:${trackId}:${modelVersionId}`,
          );
          if (job) queued += 1;
        }
      });
      after = ids.at(-1);
      this.onEnqueued();
      ctx.heartbeat();
    }
    ctx.logger.info({ modelVersionId, queued }, 're-embedding queued');
  }

  onFailed(): Promise<void> {
    return Promise.resolve();
  }
}
