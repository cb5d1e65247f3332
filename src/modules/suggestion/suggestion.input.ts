import { ArrayMaxSize, IsOptional, IsUUID, Length, Matches, Max, Min } from 'class-validator';
import { ArgsType, Field, Float, ID, InputType, Int } from 'type-graphql';
import { MAX_SUGGESTIONS } from './suggestion.service';

@InputType({ description: 'Conditions every suggestion must meet; all optional' })
export class SuggestionFilterInput {
  @Field(() => String, {
    nullable: true,
    description: 'ISO 3166-1 alpha-2 country the video is published in, e.g. "US"',
  })
  @IsOptional()
  @Matches(/^[A-Z]{2}$/, { message: 'territory must be an ISO 3166-1 alpha-2 code like "US"' })
  territory?: string;

  @Field(() => String, { nullable: true, description: 'Platform the video is published on, e.g. "ios"' })
  @IsOptional()
  @Length(1, 64)
  platform?: string;

  @Field(() => Boolean, { nullable: true, description: 'Only tracks licensed for commercial use' })
  commercialUse?: boolean;

  @Field(() => [String], { nullable: true, description: 'Any of these moods' })
  @IsOptional()
  @ArrayMaxSize(16)
  @Length(1, 64, { each: true })
  moods?: string[];

  @Field(() => Float, { nullable: true, description: 'Lowest tempo: the catalog bpm, else the analysed tempo' })
  @IsOptional()
  @Min(0)
  @Max(400)
  bpmMin?: number;

  @Field(() => Float, { nullable: true, description: 'Highest tempo: the catalog bpm, else the analysed tempo' })
  @IsOptional()
  @Min(0)
  @Max(400)
  bpmMax?: number;

  @Field(() => Float, { nullable: true, description: 'Lowest analysed integrated loudness, LUFS' })
  @IsOptional()
  @Min(-70)
  @Max(10)
  loudnessMinLufs?: number;

  @Field(() => Float, { nullable: true, description: 'Highest analysed integrated loudness, LUFS' })
  @IsOptional()
  @Min(-70)
  @Max(10)
  loudnessMaxLufs?: number;

  @Field(() => Boolean, {
    nullable: true,
    description:
      'suggestBgm: rank tracks with strong vocals down when the voice-over speaks most of the time (default true; ' +
      'false turns it off). Ignored by similarTracks',
  })
  preferInstrumental?: boolean;

  @Field(() => Float, { nullable: true, description: 'Shortest acceptable track, in seconds' })
  @IsOptional()
  @Min(0)
  @Max(24 * 3600)
  minDurationSec?: number;
}

@ArgsType()
export class SuggestBgmArgs {
  @Field(() => ID)
  @IsUUID('all', { message: 'videoId must be a UUID' })
  videoId!: string;

  @Field(() => Int, { defaultValue: 10, description: `How many suggestions, 1 to ${MAX_SUGGESTIONS}` })
  @Min(1)
  @Max(MAX_SUGGESTIONS)
  first!: number;
}

@ArgsType()
export class SimilarTracksArgs {
  @Field(() => ID)
  @IsUUID('all', { message: 'trackId must be a UUID' })
  trackId!: string;

  @Field(() => Int, { defaultValue: 10, description: `How many tracks, 1 to ${MAX_SUGGESTIONS}` })
  @Min(1)
  @Max(MAX_SUGGESTIONS)
  first!: number;
}
