import { ArrayMaxSize, IsOptional, Length, Max, Min, ValidateNested } from 'class-validator';
import { Field, Float, InputType } from 'type-graphql';
import { LicenseInput } from '../license/license.input';

@InputType()
export class IngestTrackInput {
  @Field(() => String, {
    nullable: true,
    description: 'media:// reference of an uploaded file (POST /media). Exactly one of mediaUri and sourceUrl.',
  })
  @IsOptional()
  @Length(1, 1024)
  mediaUri?: string | null;

  @Field(() => String, {
    nullable: true,
    description: 'http(s) URL on a host of MEDIA_URL_ALLOWLIST to download the file from',
  })
  @IsOptional()
  @Length(1, 2048)
  sourceUrl?: string | null;

  @Field()
  @Length(1, 300)
  title!: string;

  @Field()
  @Length(1, 300)
  artist!: string;

  @Field(() => [String], { defaultValue: [] })
  @ArrayMaxSize(32)
  @Length(1, 64, { each: true })
  tags!: string[];

  @Field(() => [String], { defaultValue: [] })
  @ArrayMaxSize(32)
  @Length(1, 64, { each: true })
  moods!: string[];

  @Field(() => Float, { nullable: true })
  @IsOptional()
  @Min(20)
  @Max(400)
  bpm?: number | null;

  @Field(() => LicenseInput, { nullable: true })
  @IsOptional()
  @ValidateNested()
  license?: LicenseInput | null;
}
