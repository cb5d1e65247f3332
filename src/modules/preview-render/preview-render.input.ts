import { IsOptional, IsUUID, Max, Min, ValidateNested } from 'class-validator';
import { ArgsType, Field, Float, ID, InputType } from 'type-graphql';

/** Longest track position a cut may name (a day: tracks are bounded far below at ingest). */
const MAX_CUT_SEC = 86_400;

@InputType({ description: 'Where to cut the track (seconds from its start); end after start' })
export class CutInput {
  @Field(() => Float)
  @Min(0)
  @Max(MAX_CUT_SEC)
  startSec!: number;

  @Field(() => Float)
  @Min(0)
  @Max(MAX_CUT_SEC)
  endSec!: number;
}

@ArgsType()
export class RenderPreviewArgs {
  @Field(() => ID)
  @IsUUID('all', { message: 'videoId must be a UUID' })
  videoId!: string;

  @Field(() => ID)
  @IsUUID('all', { message: 'trackId must be a UUID' })
  trackId!: string;

  @Field(() => CutInput, {
    nullable: true,
    description:
      "Omit for the suggestion's cut around startSec (on the beat, from the track's analysis; from startSec without one)",
  })
  @IsOptional()
  @ValidateNested()
  cut?: CutInput | null;

  @Field(() => Float, {
    nullable: true,
    description:
      "Without a cut: the suggestion's start offset (Suggestion.startSec) the cut is found around; default 0",
  })
  @IsOptional()
  @Min(0)
  @Max(MAX_CUT_SEC)
  startSec?: number | null;
}
