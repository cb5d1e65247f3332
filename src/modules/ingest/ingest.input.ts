import { ArrayMaxSize, IsOptional, Length, Matches, Max, MaxLength, Min, ValidateNested } from 'class-validator';
import { Field, Float, GraphQLISODateTime, InputType } from 'type-graphql';

const ISO_COUNTRY = /^[A-Z]{2}$/;

@InputType({ description: 'License terms recorded with a track' })
export class LicenseInput {
  @Field()
  @Length(1, 200)
  licensor!: string;

  @Field(() => [String], { defaultValue: [], description: 'ISO 3166-1 alpha-2; empty means worldwide' })
  @ArrayMaxSize(250)
  @Matches(ISO_COUNTRY, { each: true, message: 'territoriesAllowed must hold ISO 3166-1 alpha-2 codes like "US"' })
  territoriesAllowed!: string[];

  @Field(() => [String], { defaultValue: [] })
  @ArrayMaxSize(250)
  @Matches(ISO_COUNTRY, { each: true, message: 'territoriesDenied must hold ISO 3166-1 alpha-2 codes like "US"' })
  territoriesDenied!: string[];

  @Field(() => [String], { defaultValue: [], description: 'Empty means every platform' })
  @ArrayMaxSize(32)
  @Length(1, 64, { each: true })
  platforms!: string[];

  @Field({ defaultValue: false })
  commercialUse!: boolean;

  @Field(() => String, { nullable: true })
  @IsOptional()
  @MaxLength(2000)
  attribution?: string | null;

  @Field(() => GraphQLISODateTime, { nullable: true, description: 'Default: now' })
  validFrom?: Date | null;

  @Field(() => GraphQLISODateTime, { nullable: true, description: 'Default: no expiry' })
  validTo?: Date | null;
}

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
