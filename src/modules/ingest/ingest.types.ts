export type { NewLicense, TrackWithLicenses } from '../track/track.repository';
export type { TrackRecord as TrackRecordLike } from '../../db/prisma-types';
