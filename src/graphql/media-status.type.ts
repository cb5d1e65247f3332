import { registerEnumType } from 'type-graphql';
import { MediaStatus } from '../generated/prisma/enums';

// Shared by Track and Video, so registered here rather than in either module.
registerEnumType(MediaStatus, {
  name: 'MediaStatus',
  description: 'Processing state of a track or video: PENDING -> PROCESSING -> READY | FAILED',
});

export { MediaStatus };
