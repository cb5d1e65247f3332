import { Field, Float, GraphQLISODateTime, ID, ObjectType } from 'type-graphql';
import { Connection } from '../../graphql/connection.type';
import { MediaStatus } from '../../graphql/media-status.type';
import { License } from '../license/license.type';

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
