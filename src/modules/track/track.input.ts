import { ArrayMaxSize, IsOptional, Length, Max, MaxLength, Min } from 'class-validator';
import { Field, Float, InputType } from 'type-graphql';
import { MediaStatus } from '../../graphql/media-status.type';

@InputType({ description: 'Catalog filter; all given conditions must hold' })
export class TrackFilterInput {
  @Field(() => String, {
    nullable: true,
    description: 'Case-insensitive substring of title or artist; every character matches itself (% and _ too)',
  })
  @IsOptional()
  @Length(1, 200)
  search?: string;

  @Field(() => String, { nullable: true, description: 'The artist, exactly (case-insensitive): not a pattern' })
  @IsOptional()
  @MaxLength(300)
  artist?: string;

  @Field(() => String, { nullable: true })
  @IsOptional()
  @MaxLength(64)
  tag?: string;

  @Field(() => String, { nullable: true })
  @IsOptional()
  @MaxLength(64)
  mood?: string;

  @Field(() => MediaStatus, { nullable: true })
  status?: MediaStatus;

  @Field({ nullable: true, defaultValue: false, description: 'Also list retired tracks' })
  includeRetired?: boolean;

  @Field(() => Float, { nullable: true, description: 'Lowest analysed tempo, BPM (unanalysed tracks never match)' })
  @IsOptional()
  @Min(0)
  @Max(400)
  tempoMin?: number;

  @Field(() => Float, { nullable: true, description: 'Highest analysed tempo, BPM' })
  @IsOptional()
  @Min(0)
  @Max(400)
  tempoMax?: number;

  @Field(() => Float, {
    nullable: true,
    description: 'Lowest integrated loudness, LUFS (unanalysed tracks never match)',
  })
  @IsOptional()
  @Min(-70)
  @Max(10)
  loudnessMinLufs?: number;

  @Field(() => Float, { nullable: true, description: 'Highest integrated loudness, LUFS' })
  @IsOptional()
  @Min(-70)
  @Max(10)
  loudnessMaxLufs?: number;
}

@InputType({ description: 'Catalog metadata to change; omitted fields stay as they are (the bounds of ingestTracks)' })
export class UpdateTrackInput {
  @Field(() => String, { nullable: true })
  @IsOptional()
  @Length(1, 300)
  title?: string | null;

  @Field(() => String, { nullable: true })
  @IsOptional()
  @Length(1, 300)
  artist?: string | null;

  @Field(() => [String], { nullable: true, description: 'Replaces the tags' })
  @IsOptional()
  @ArrayMaxSize(32)
  @Length(1, 64, { each: true })
  tags?: string[] | null;

  @Field(() => [String], { nullable: true, description: 'Replaces the moods (suggestBgm filters on them)' })
  @IsOptional()
  @ArrayMaxSize(32)
  @Length(1, 64, { each: true })
  moods?: string[] | null;

  @Field(() => Float, { nullable: true, description: 'Beats per minute (suggestBgm filters on it)' })
  @IsOptional()
  @Min(20)
  @Max(400)
  bpm?: number | null;

  @Field({ nullable: true, defaultValue: false, description: 'Forget the bpm (bpm must then be omitted)' })
  clearBpm?: boolean;
}
