import { GraphQLJSONObject } from 'graphql-scalars';
import { Field, GraphQLISODateTime, ID, Int, ObjectType, registerEnumType } from 'type-graphql';
import { JobKind, JobStatus } from '../generated/prisma/enums';

registerEnumType(JobKind, { name: 'JobKind' });
registerEnumType(JobStatus, { name: 'JobStatus' });

@ObjectType({ description: 'Background work (embedding a track or video, re-embedding the catalog)' })
export class Job {
  @Field(() => ID)
  id!: string;

  @Field(() => JobKind)
  kind!: JobKind;

  @Field(() => JobStatus)
  status!: JobStatus;

  @Field(() => Int)
  attempts!: number;

  @Field(() => Int)
  maxAttempts!: number;

  @Field(() => String, { nullable: true })
  lastError!: string | null;

  @Field(() => GraphQLISODateTime)
  createdAt!: Date;

  @Field(() => GraphQLISODateTime, { nullable: true })
  finishedAt!: Date | null;

  @Field(() => GraphQLJSONObject, { description: 'What the job works on, e.g. { trackId } or { videoId }' })
  payload!: Record<string, unknown>;
}
