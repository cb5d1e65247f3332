import { registerEnumType } from 'type-graphql';
import { JobKind, JobStatus, MediaStatus } from '../generated/prisma/enums';

registerEnumType(MediaStatus, {
  name: 'MediaStatus',
  description: 'Processing state of a track or video: PENDING -> PROCESSING -> READY | FAILED',
});
registerEnumType(JobKind, { name: 'JobKind' });
registerEnumType(JobStatus, { name: 'JobStatus' });

export { JobKind, JobStatus, MediaStatus };
