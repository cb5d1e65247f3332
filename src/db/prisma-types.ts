import type { Prisma, PrismaClient } from '../generated/prisma/client';

/** A Prisma client or an interactive-transaction client: what repositories run their queries on. */
export type Db = PrismaClient | Prisma.TransactionClient;

export type {
  Job as JobRecord,
  License as LicenseRecord,
  ModelVersion as ModelVersionRecord,
  Track as TrackRecord,
  PreviewRender as PreviewRenderRecord,
  Video as VideoRecord,
} from '../generated/prisma/client';
export type { JobKind, JobStatus, MediaStatus, RenderStatus } from '../generated/prisma/enums';
