import { ArrayMaxSize, IsOptional, IsUUID, Length, Matches, MaxLength } from 'class-validator';
import { ArgsType, Field, GraphQLISODateTime, ID, InputType } from 'type-graphql';

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

@ArgsType()
export class UpsertLicenseArgs {
  @Field(() => ID)
  @IsUUID('all', { message: 'trackId must be a UUID' })
  trackId!: string;

  @Field(() => ID, {
    nullable: true,
    description: "Omit to add a license; give one of the track's license ids to replace its terms",
  })
  @IsOptional()
  @IsUUID('all', { message: 'licenseId must be a UUID' })
  licenseId?: string;
}
