import { Arg, Args, Authorized, Ctx, Query, Resolver } from 'type-graphql';
import { listComplexity } from '../../graphql/args';
import type { RequestContext } from '../../graphql/context';
import { SimilarTracksArgs, SuggestBgmArgs, SuggestionFilterInput } from './suggestion.input';
import type { SuggestionService } from './suggestion.service';
import { SimilarTrack, SuggestBgmPayload } from './suggestion.type';

/** The services this resolver reads from the request context. */
export type SuggestionContext = RequestContext<{ suggestions: SuggestionService }>;

@Resolver()
export class SuggestionResolver {
  @Authorized()
  @Query(() => SuggestBgmPayload, {
    description:
      'Licensed tracks that fit the video and its voice-over, best first, each with a start offset and the license that ' +
      'allows it under the filter. Fails with FAILED_PRECONDITION until the video is READY.',
    complexity: listComplexity,
  })
  suggestBgm(
    @Args() { videoId, first }: SuggestBgmArgs,
    @Arg('filter', () => SuggestionFilterInput, { nullable: true }) filter: SuggestionFilterInput | undefined,
    @Ctx() ctx: SuggestionContext,
  ) {
    return ctx.services.suggestions.suggestBgm(ctx.principal, videoId, first, { ...filter });
  }

  @Query(() => [SimilarTrack], {
    description: 'Tracks that sound like this one under the active model',
    complexity: listComplexity,
  })
  similarTracks(
    @Args() { trackId, first }: SimilarTracksArgs,
    @Arg('filter', () => SuggestionFilterInput, { nullable: true }) filter: SuggestionFilterInput | undefined,
    @Ctx() ctx: SuggestionContext,
  ) {
    return ctx.services.suggestions.similarTracks(trackId, first, { ...filter });
  }
}
