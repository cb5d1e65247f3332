import { IsOptional, IsUUID, Max, Min } from 'class-validator';
import { ArgsType, Field, ID, Int } from 'type-graphql';
import { MAX_CHOICE_RANK, MAX_CHOICE_START_SEC } from './choice.service';

@ArgsType()
export class RecordBgmChoiceArgs {
  @Field(() => ID)
  @IsUUID('all', { message: 'videoId must be a UUID' })
  videoId!: string;

  @Field(() => ID, { description: 'The track the creator used' })
  @IsUUID('all', { message: 'trackId must be a UUID' })
  trackId!: string;

  @Field(() => Int, { nullable: true, description: 'Its rank in the suggestions shown (1 = first), when known' })
  @IsOptional()
  @Min(1)
  @Max(MAX_CHOICE_RANK)
  rank?: number | null;

  @Field(() => Number, {
    nullable: true,
    description:
      "Where in the track the cut the creator used starts, in seconds (0 to the track's duration), when known",
  })
  @IsOptional()
  @Min(0)
  @Max(MAX_CHOICE_START_SEC)
  startSec?: number | null;
}
