import { Field, Float, GraphQLISODateTime, ID, ObjectType, registerEnumType } from 'type-graphql';
import { RenderStatus } from '../../generated/prisma/enums';

registerEnumType(RenderStatus, { name: 'RenderStatus' });

@ObjectType({
  description:
    'A preview of a video with a cut of a track under its voice-over (ducked, loudness-normalised), rendered by a job',
})
export class PreviewRender {
  @Field(() => ID)
  id!: string;

  @Field(() => ID)
  videoId!: string;

  @Field(() => ID)
  trackId!: string;

  @Field(() => RenderStatus)
  status!: RenderStatus;

  @Field(() => Float)
  cutStartSec!: number;

  @Field(() => Float)
  cutEndSec!: number;

  @Field(() => Float)
  targetLufs!: number;

  @Field(() => Float, { nullable: true, description: 'Integrated loudness measured on the rendered file (READY)' })
  measuredLufs!: number | null;

  @Field(() => String, { nullable: true, description: 'Why the render failed (FAILED)' })
  error!: string | null;

  @Field(() => String, {
    nullable: true,
    description: 'READY: a signed URL of the MP4 (path on this API), valid until urlExpiresAt',
  })
  url!: string | null;

  @Field(() => GraphQLISODateTime, { nullable: true })
  urlExpiresAt!: Date | null;

  @Field(() => GraphQLISODateTime)
  createdAt!: Date;

  @Field(() => GraphQLISODateTime, { description: 'The render and its file are deleted after this' })
  expiresAt!: Date;
}
