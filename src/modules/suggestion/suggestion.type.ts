import { Field, Float, Int, ObjectType } from 'type-graphql';
import { ModelVersion } from '../model-version/model-version.type';
import { License } from '../license/license.type';
import { Track } from '../track/track.type';

@ObjectType({ description: 'A suggested track for a video' })
export class Suggestion {
  @Field(() => Track)
  track!: Track;

  @Field(() => Float, { description: 'Cosine similarity of the video and the best 32 s window of the track, -1 to 1' })
  score!: number;

  @Field(() => Float, {
    description:
      'What suggestions are ordered by: score standardised against how well videos in general fit this track ' +
      '(how unusually well this video fits it), or score itself when the model has no reference queries',
  })
  relevance!: number;

  @Field(() => Int, { description: '1 for the best match' })
  rank!: number;

  @Field(() => Float, { description: 'Where in the track to start the music (start of its best-fitting 32 s window)' })
  startOffsetSec!: number;

  @Field(() => License, { description: 'The license under which this track may be used for the requested filter' })
  license!: License;
}

@ObjectType()
export class SuggestBgmPayload {
  @Field(() => ModelVersion)
  modelVersion!: ModelVersion;

  @Field(() => [Suggestion])
  suggestions!: Suggestion[];
}

@ObjectType({ description: 'A track that sounds like another one' })
export class SimilarTrack {
  @Field(() => Track)
  track!: Track;

  @Field(() => Float)
  score!: number;

  @Field(() => Int)
  rank!: number;

  @Field(() => License)
  license!: License;
}
