import { Args, Authorized, Ctx, Mutation, Query, Resolver } from 'type-graphql';
import { IdArgs } from '../../graphql/args';
import type { RequestContext } from '../../graphql/context';
import { RenderPreviewArgs } from './preview-render.input';
import type { PreviewRenderService } from './preview-render.service';
import { PreviewRender } from './preview-render.type';

export type PreviewRenderContext = RequestContext<{ renders: PreviewRenderService }>;

@Resolver(() => PreviewRender)
export class PreviewRenderResolver {
  @Authorized()
  @Mutation(() => PreviewRender, {
    description:
      "Queues a preview of the caller's video (admins: any) with a cut of a READY licensed track under its voice-over, ducked and normalised to the target loudness; the same request answers the same render until it expires",
  })
  renderPreview(@Args() { videoId, trackId, cut, startSec }: RenderPreviewArgs, @Ctx() ctx: PreviewRenderContext) {
    return ctx.services.renders.renderPreview(ctx.principal, videoId, trackId, cut, startSec ?? 0);
  }

  @Authorized()
  @Query(() => PreviewRender, {
    description: 'A preview render of one of the caller’s videos: status, and a signed URL once READY',
  })
  previewRender(@Args() { id }: IdArgs, @Ctx() ctx: PreviewRenderContext) {
    return ctx.services.renders.previewRender(ctx.principal, id);
  }
}
