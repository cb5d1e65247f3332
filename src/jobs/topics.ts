import type { JobKind } from '../generated/prisma/enums';

/**
 * One topic per job kind, so operators can see and scale each kind's traffic. The NATS queue
 * prefixes topics with its configured subject prefix (e.g. `bgm.jobs.embed-track`).
 */
export function topicFor(kind: JobKind): string {
  switch (kind) {
    case 'EMBED_TRACK':
      return 'embed-track';
    case 'EMBED_VIDEO':
      return 'embed-video';
    case 'REEMBED_CATALOG':
      return 'reembed-catalog';
    case 'RENDER_PREVIEW':
      return 'render-preview';
    case 'PROBE_MODEL':
      return 'probe-model';
    case 'EVALUATE_MODEL':
      return 'evaluate-model';
  }
}

/** The message a job's outbox row carries: the job row holds everything else. */
export interface JobMessage {
  jobId: string;
  kind: JobKind;
}
