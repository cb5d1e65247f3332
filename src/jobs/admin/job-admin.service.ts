import { requireRole, type Principal } from '../../auth/principal';
import { failedPrecondition, notFound } from '../../common/errors';
import type { JobRecord } from '../../db/prisma-types';
import type { UnitOfWork } from '../../db/unit-of-work';
import { checkPageSize, keysetPage, type Page } from '../../graphql/page';
import type { MediaStatus } from '../../db/prisma-types';
import type { JobRepository } from '../job.repository';

/** A track or video row whose status a retry resets (a port: the job pipeline never imports the modules). */
interface SubjectRows {
  setStatus(id: string, status: MediaStatus, fields: { error: null }): Promise<void>;
}

/** A retry requeues the job and puts its subject (track or video) back to PENDING, together. */
export interface RetryRepositories {
  jobs: JobRepository;
  tracks: SubjectRows;
  videos: SubjectRows;
}

/** Admin view of background work: dead-lettered (FAILED) jobs and their retry. */
export class JobAdminService {
  constructor(
    private readonly jobs: JobRepository,
    private readonly uow: UnitOfWork<RetryRepositories>,
    private readonly maxPageSize: number,
    private readonly onEnqueued: () => void,
  ) {}

  async getJob(principal: Principal | undefined, id: string): Promise<JobRecord> {
    requireRole(principal, 'admin');
    const job = await this.jobs.findById(id);
    if (!job) throw notFound('Job', id);
    return job;
  }

  async failedJobs(principal: Principal | undefined, first: number, after?: string | null): Promise<Page<JobRecord>> {
    requireRole(principal, 'admin');
    checkPageSize(first, this.maxPageSize);
    return keysetPage(first, after, (take, cursor) => this.jobs.listFailed(take, cursor));
  }

  /** Runs a FAILED job again with a fresh attempt budget (after fixing its media, say). */
  async retryJob(principal: Principal | undefined, id: string): Promise<JobRecord> {
    requireRole(principal, 'admin');
    const job = await this.uow.run(async ({ jobs, tracks, videos }) => {
      const requeued = await jobs.requeue(id);
      // The job's subject shows it is waiting again, not the old failure.
      const { trackId, videoId } = (requeued?.payload ?? {}) as { trackId?: string; videoId?: string };
      if (requeued?.kind === 'EMBED_TRACK' && trackId) await tracks.setStatus(trackId, 'PENDING', { error: null });
      if (requeued?.kind === 'EMBED_VIDEO' && videoId) await videos.setStatus(videoId, 'PENDING', { error: null });
      return requeued;
    });
    if (!job) {
      const existing = await this.jobs.findById(id);
      if (!existing) throw notFound('Job', id);
      throw failedPrecondition(`Job ${id} is ${existing.status}; only FAILED jobs can be retried`, {
        status: existing.status,
      });
    }
    this.onEnqueued();
    return job;
  }
}
