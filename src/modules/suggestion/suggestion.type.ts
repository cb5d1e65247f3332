import { Field, Float, Int, ObjectType } from 'type-graphql';
import { ModelVersion } from '../model-version/model-version.type';
import { Track } from '../track/track.type';

@ObjectType({ description: 'A suggested track for a video' })
export class Suggestion {
  @Field(() => Track)
  track!: Track;

  @Field(() => Float, { description: 'Cosine similarity of the video and track embeddings, -1 to 1' })
  score!: number;

  @Field(() => Int, { description: '1 for the best match' })
  rank!: number;
}

@ObjectType()
export class SuggestBgmPayload {
  @Field(() => ModelVersion)
  modelVersion!: ModelVersion;

  @Field(() => [Suggestion])
  suggestions!: Suggestion[];
}
