import { Field, GraphQLISODateTime, ID, ObjectType } from 'type-graphql';

@ObjectType({ description: 'Terms under which a track may be used' })
export class License {
  @Field(() => ID)
  id!: string;

  @Field()
  licensor!: string;

  @Field(() => [String], { description: 'ISO 3166-1 alpha-2 codes; empty means worldwide' })
  territoriesAllowed!: string[];

  @Field(() => [String], { description: 'ISO 3166-1 alpha-2 codes excluded even if allowed' })
  territoriesDenied!: string[];

  @Field(() => [String], { description: 'Platforms the license covers; empty means all' })
  platforms!: string[];

  @Field()
  commercialUse!: boolean;

  @Field(() => String, { nullable: true })
  attribution!: string | null;

  @Field(() => GraphQLISODateTime)
  validFrom!: Date;

  @Field(() => GraphQLISODateTime, { nullable: true })
  validTo!: Date | null;
}
