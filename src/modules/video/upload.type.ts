import { Field, GraphQLISODateTime, ObjectType, registerEnumType } from 'type-graphql';
import { UploadKind } from '../../storage/direct-upload-types';

registerEnumType(UploadKind, {
  name: 'UploadKind',
  description: 'What a direct upload is: VIDEO and VOICE_OVER (role app), TRACK (role admin, catalog audio)',
});

@ObjectType({ description: 'One HTTP header of a presigned request' })
export class HttpHeader {
  @Field()
  name!: string;

  @Field()
  value!: string;
}

@ObjectType({
  description:
    'A presigned PUT straight to the object store. Send the file as the body with exactly these headers before expiresAt, then pass mediaUri to registerVideo or ingestTracks.',
})
export class DirectUpload {
  @Field({ description: 'The reference to register once the PUT succeeded' })
  mediaUri!: string;

  @Field({ description: 'Presigned URL of the PUT' })
  url!: string;

  @Field({ description: 'Always PUT' })
  method!: string;

  @Field(() => [HttpHeader], { description: 'Signed headers: another size or content type is refused' })
  headers!: HttpHeader[];

  @Field(() => GraphQLISODateTime)
  expiresAt!: Date;
}
