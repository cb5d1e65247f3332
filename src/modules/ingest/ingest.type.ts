import { Field, Int, ObjectType } from 'type-graphql';
import { Job } from '../../jobs/job.type';
import { Track } from '../track/track.type';

@ObjectType()
export class IngestedTrack {
  @Field(() => Track)
  track!: Track;

  @Field(() => Job)
  job!: Job;
}

@ObjectType({ description: 'An input item whose file is already in the catalog; nothing was written for it' })
export class DuplicateTrack {
  @Field(() => Int, { description: 'Position of the item in the input list' })
  index!: number;

  @Field(() => Track)
  track!: Track;
}

@ObjectType()
export class IngestTracksPayload {
  @Field(() => [IngestedTrack])
  created!: IngestedTrack[];

  @Field(() => [DuplicateTrack])
  duplicates!: DuplicateTrack[];
}
