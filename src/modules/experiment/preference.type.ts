import { Field, GraphQLISODateTime, ID, Int, ObjectType } from 'type-graphql';
import { ExperimentHeading } from './experiment.type';

@ObjectType({ description: 'A RUNNING experiment as a rater sees it' })
export class RaterExperiment extends ExperimentHeading {}

@ObjectType({ description: "A rater's progress through an experiment" })
export class Progress {
  @Field(() => Int, { description: 'Pairs voted on' })
  done!: number;

  @Field(() => Int, { description: 'Pairs in the experiment: videos x pairs of arms' })
  total!: number;
}

@ObjectType({ description: 'A blind pair: the same video with two soundtracks, in random order' })
export class PreferenceTask {
  @Field(() => ID)
  id!: string;

  @Field({ description: 'Signed, short-lived URL (relative to the API) of the video with soundtrack A' })
  previewA!: string;

  @Field({ description: 'Signed, short-lived URL of the video with soundtrack B' })
  previewB!: string;

  @Field(() => GraphQLISODateTime, { description: 'Vote before this; ask for a task again after' })
  expiresAt!: Date;

  @Field(() => GraphQLISODateTime, {
    description: 'The preview URLs stop working then; ask for the task again for new ones',
  })
  previewsExpireAt!: Date;
}

@ObjectType()
export class PreferenceTaskPayload {
  @Field(() => PreferenceTask, { nullable: true, description: 'Null when the rater has voted on every pair' })
  task!: PreferenceTask | null;

  @Field(() => Progress)
  progress!: Progress;
}

@ObjectType()
export class SubmitPreferencePayload {
  @Field(() => Progress)
  progress!: Progress;
}
