import { Field, Float, GraphQLISODateTime, ID, Int, ObjectType } from 'type-graphql';
import { MediaStatus } from '../../graphql/media-status.type';
import { Connection } from '../../graphql/connection.type';
import { Job } from '../../jobs/job.type';

@ObjectType({ description: "A creator's video with its voice-over" })
export class Video {
  @Field(() => ID)
  id!: string;

  @Field()
  ownerId!: string;

  @Field(() => MediaStatus)
  status!: MediaStatus;

  @Field(() => String, { nullable: true, description: 'Why processing failed, when status is FAILED' })
  error!: string | null;

  @Field(() => Float, { nullable: true })
  durationSec!: number | null;

  @Field({ description: 'False when the voice-over is the video’s own audio track' })
  separateVoiceOver!: boolean;

  @Field(() => GraphQLISODateTime)
  createdAt!: Date;

  @Field(() => GraphQLISODateTime)
  updatedAt!: Date;
}

@ObjectType()
export class RegisterVideoPayload {
  @Field(() => Video)
  video!: Video;

  @Field(() => Job, { description: 'The embedding job; the video becomes READY when it succeeds' })
  job!: Job;
}

@ObjectType({ description: 'What deleteVideo removed' })
export class DeleteVideoPayload {
  @Field(() => ID)
  videoId!: string;

  @Field(() => Int, {
    description: 'Experiments the video was taken out of (its rater tasks and their votes went with it)',
  })
  removedFromExperiments!: number;

  @Field(() => Int, { description: 'Rater votes on the video that were deleted' })
  deletedVotes!: number;

  @Field(() => Int, { description: 'Unfinished or failed jobs of the video that were deleted' })
  cancelledJobs!: number;

  @Field(() => Int, { description: 'Stored media files deleted (a file another video or a track uses is kept)' })
  deletedFiles!: number;
}

@ObjectType()
export class VideoConnection extends Connection(Video, 'Video') {}
