import { IsOptional, Length, Matches } from 'class-validator';
import { ArgsType, Field, InputType } from 'type-graphql';
import { PageArgs } from '../../graphql/args';
import { MediaStatus } from '../../graphql/media-status.type';

@InputType()
export class RegisterVideoInput {
  @Field({ description: 'media:// reference (or path under the media root) of the uploaded video' })
  @Length(1, 1024)
  mediaUri!: string;

  @Field(() => String, { nullable: true, description: "Separate voice-over audio; omit to use the video's own audio" })
  @IsOptional()
  @Length(1, 1024)
  voiceOverUri?: string | null;

  @Field(() => String, {
    nullable: true,
    description:
      'Chosen by the client, unique per registration (e.g. a UUID): retrying with the same key and input returns the first registration instead of a second video; the same key with other input is a CONFLICT',
  })
  @IsOptional()
  @Matches(/^[A-Za-z0-9._:-]{1,128}$/, { message: 'idempotencyKey: 1-128 characters of A-Z a-z 0-9 . _ : -' })
  idempotencyKey?: string | null;
}

@ArgsType()
export class VideoListArgs extends PageArgs {
  @Field(() => String, { nullable: true, description: 'Admins only: list this owner’s videos (default: the caller’s)' })
  @IsOptional()
  @Length(1, 256)
  ownerId?: string | null;

  @Field(() => MediaStatus, { nullable: true, description: 'Only videos in this status' })
  @IsOptional()
  status?: MediaStatus | null;
}
