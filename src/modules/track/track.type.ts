import { Field, Float, GraphQLISODateTime, ID, ObjectType } from 'type-graphql';
import { Connection } from '../../graphql/connection.type';
import { MediaStatus } from '../../graphql/media-status.type';

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

@ObjectType({ description: 'A music track of the licensed catalog' })
export class Track {
  @Field(() => ID)
  id!: string;

  @Field()
  title!: string;

  @Field()
  artist!: string;

  @Field(() => Float, { nullable: true })
  durationSec!: number | null;

  @Field({ description: 'SHA-256 of the media file' })
  contentHash!: string;

  @Field(() => [String])
  tags!: string[];

  @Field(() => [String])
  moods!: string[];

  @Field(() => Float, { nullable: true })
  bpm!: number | null;

  @Field(() => MediaStatus)
  status!: MediaStatus;

  @Field(() => String, { nullable: true, description: 'Why processing failed, when status is FAILED' })
  error!: string | null;

  @Field(() => GraphQLISODateTime, { nullable: true })
  retiredAt!: Date | null;

  @Field(() => GraphQLISODateTime)
  createdAt!: Date;

  @Field(() => [License])
  licenses!: License[];
}

@ObjectType()
export class TrackConnection extends Connection(Track, 'Track') {}
