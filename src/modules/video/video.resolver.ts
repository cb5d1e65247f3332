import { Arg, Args, Authorized, Ctx, FieldResolver, Mutation, Query, Resolver, Root } from 'type-graphql';
import type { VideoRecord } from '../../db/prisma-types';
import type { RequestContext } from '../../graphql/context';
import { IdArgs, listComplexity } from '../../graphql/args';
import { RegisterVideoInput, VideoListArgs } from './video.input';
import { DeleteVideoPayload, RegisterVideoPayload, Video, VideoConnection } from './video.type';
import type { VideoService } from './video.service';

/** The services this resolver reads from the request context. */
export type VideoContext = RequestContext<{ videos: VideoService }>;

@Resolver(() => Video)
export class VideoResolver {
  @Authorized()
  @Query(() => Video, { description: 'A video of the caller (admins see all)' })
  video(@Args() { id }: IdArgs, @Ctx() ctx: VideoContext) {
    return ctx.services.videos.getVideo(ctx.principal, id);
  }

  @Authorized()
  @Query(() => VideoConnection, {
    description: 'The caller’s videos, newest first (admins: any owner’s)',
    complexity: listComplexity,
  })
  videos(@Args() { first, after, ownerId, status }: VideoListArgs, @Ctx() ctx: VideoContext) {
    return ctx.services.videos.listVideos(ctx.principal, { ownerId, status }, first, after);
  }

  @Authorized('app')
  @Mutation(() => RegisterVideoPayload, { description: 'Registers an uploaded video and queues its embedding' })
  registerVideo(@Arg('input', () => RegisterVideoInput) input: RegisterVideoInput, @Ctx() ctx: VideoContext) {
    return ctx.services.videos.registerVideo(ctx.principal, input);
  }

  @Authorized()
  @Mutation(() => DeleteVideoPayload, {
    description:
      'Deletes a video of the caller (admins: any) with its voice-over, embeddings, choices, experiment tasks and votes, and unfinished jobs',
  })
  deleteVideo(@Args() { id }: IdArgs, @Ctx() ctx: VideoContext) {
    return ctx.services.videos.deleteVideo(ctx.principal, id);
  }

  @FieldResolver(() => Boolean)
  separateVoiceOver(@Root() video: VideoRecord): boolean {
    return video.voiceOverUri !== null;
  }
}
