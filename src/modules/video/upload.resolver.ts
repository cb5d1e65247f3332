import { Args, Authorized, Ctx, Mutation, Resolver } from 'type-graphql';
import type { RequestContext } from '../../graphql/context';
import { CreateUploadArgs } from './upload.input';
import type { UploadService } from './upload.service';
import { DirectUpload } from './upload.type';

/** The services this resolver reads from the request context. */
export type UploadContext = RequestContext<{ uploads: UploadService }>;

@Resolver()
export class UploadResolver {
  @Authorized('app', 'admin')
  @Mutation(() => DirectUpload, {
    description:
      'A presigned PUT for uploading a file straight to the object store (MEDIA_STORE=s3; the embedded default answers FAILED_PRECONDITION: use POST /media/uploads). Counts against the upload quota until registered.',
  })
  async createUpload(@Args() { kind, contentType, bytes }: CreateUploadArgs, @Ctx() ctx: UploadContext) {
    const upload = await ctx.services.uploads.createDirect(ctx.principal, { kind, contentType, bytes });
    return {
      ...upload,
      method: 'PUT',
      headers: Object.entries(upload.headers).map(([name, value]) => ({ name, value })),
    };
  }
}
