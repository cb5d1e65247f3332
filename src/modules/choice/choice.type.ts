import { Field, GraphQLISODateTime, ID, Int, ObjectType } from 'type-graphql';
import { Connection } from '../../graphql/connection.type';

@ObjectType({ description: 'The track a creator used for a video (training data: a positive video-music pair)' })
export class BgmChoice {
  @Field(() => ID)
  id!: string;

  @Field(() => ID)
  videoId!: string;

  @Field(() => ID)
  trackId!: string;

  @Field({ description: 'The creator (owner of the video)' })
  userId!: string;

  @Field(() => Int, { nullable: true, description: 'Rank of the track in the suggestions shown, when known' })
  rank!: number | null;

  @Field(() => Number, { nullable: true, description: 'Where in the track the cut the creator used starts (seconds)' })
  startSec!: number | null;

  @Field(() => ID, {
    nullable: true,
    description: "While a canary ran: the version that served the video's suggestions before this choice (its arm)",
  })
  servedVersionId!: string | null;

  @Field(() => ID, { nullable: true, description: 'The canary running when the choice was made, if any' })
  canaryVersionId!: string | null;

  @Field(() => GraphQLISODateTime)
  createdAt!: Date;
}

@ObjectType()
export class BgmChoiceConnection extends Connection(BgmChoice, 'BgmChoice') {}
