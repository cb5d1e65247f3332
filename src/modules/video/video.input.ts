import { IsOptional, Length } from 'class-validator';
import { Field, InputType } from 'type-graphql';

@InputType()
export class RegisterVideoInput {
  @Field({ description: 'media:// reference (or path under the media root) of the uploaded video' })
  @Length(1, 1024)
  mediaUri!: string;

  @Field(() => String, { nullable: true, description: "Separate voice-over audio; omit to use the video's own audio" })
  @IsOptional()
  @Length(1, 1024)
  voiceOverUri?: string | null;
}
