import { Arg, Args, Authorized, Ctx, FieldResolver, Mutation, Query, Resolver, Root } from 'type-graphql';
import type { VideoRecord } from '../../db/prisma-types';
import type { RequestContext } from '../../graphql/context';
import { IdArgs, listComplexity } from '../../graphql/args';
import { RegisterVideoInput, VideoListArgs } from './video.input';
import type { StoredVoiceActivity } from '../../inference/voice-activity';
import { DeleteVideoPayload, RegisterVideoPayload, Video, VideoConnection, VoiceOverTimeline } from './video.type';
import type { VideoService } from './video.service';

/** The services this resolver reads from the request context. */
export type VideoContext = RequestContext<{ videos: VideoService }>;

/** The stored timeline (video.voice_activity) as the API shows it. */
export function voiceOverTimeline(stored: StoredVoiceActivity | null): VoiceOverTimeline | null {
  if (!stored) return null;
  if ('error' in stored)
    return { segments: [], coverage: null, durationSec: null, error: stored.error, detector: stored.detector };
  const { segments, coverage, durationSec, detector } = stored;
  return { segments, coverage, durationSec, error: null, detector };
}

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

  @FieldResolver(() => VoiceOverTimeline, { nullable: true })
  voiceOver(@Root() video: VideoRecord): VoiceOverTimeline | null {
    return voiceOverTimeline(video.voiceActivity as StoredVoiceActivity | null);
  }
}
