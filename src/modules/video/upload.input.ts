import { Length } from 'class-validator';
import { GraphQLSafeInt } from 'graphql-scalars';
import { ArgsType, Field } from 'type-graphql';
import { UploadKind } from '../../storage/direct-upload-types';

@ArgsType()
export class CreateUploadArgs {
  @Field(() => UploadKind)
  kind!: UploadKind;

  @Field({ description: 'MIME type of the file (video/mp4, audio/ogg ...); the PUT must send the same' })
  @Length(3, 200)
  contentType!: string;

  @Field(() => GraphQLSafeInt, { description: 'Exact size of the file in bytes, at most MAX_MEDIA_BYTES' })
  bytes!: number;
}
