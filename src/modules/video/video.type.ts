import { Field, Float, GraphQLISODateTime, ID, Int, ObjectType } from 'type-graphql';
import { MediaStatus } from '../../graphql/media-status.type';
import { Connection } from '../../graphql/connection.type';
import { Job } from '../../jobs/job.type';

@ObjectType({ description: 'A stretch of the voice-over where someone speaks' })
export class SpeechSegment {
  @Field(() => Float, { description: 'Seconds from the start of the voice-over' })
  startSec!: number;

  @Field(() => Float)
  endSec!: number;

  @Field(() => Float, { description: 'RMS level of the segment in dBFS: the loudest lines are the highest' })
  levelDbfs!: number;
}

@ObjectType({
  description:
    'Where the voice-over speaks, from a voice activity model (Silero VAD) run by the embedding job over the whole voice-over',
})
export class VoiceOverTimeline {
  @Field(() => [SpeechSegment], { description: 'In time order; empty when no speech was found or on error' })
  segments!: SpeechSegment[];

  @Field(() => Float, { nullable: true, description: 'Share of the voice-over spent speaking, 0 to 1; null on error' })
  coverage!: number | null;

  @Field(() => Float, { nullable: true, description: 'Length of the voice-over read; null on error' })
  durationSec!: number | null;

  @Field(() => String, { nullable: true, description: 'Why there is no timeline (the video itself is still usable)' })
  error!: string | null;

  @Field({ description: 'The model and segmenting that produced it' })
  detector!: string;
}

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

  @Field(() => VoiceOverTimeline, {
    nullable: true,
    description: 'Speech segments of the voice-over; null until the video has been processed',
  })
  voiceOver!: VoiceOverTimeline | null;

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
