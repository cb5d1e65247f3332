import { Arg, Args, Authorized, Ctx, FieldResolver, Query, Resolver, Root } from 'type-graphql';
import { listComplexity } from '../../graphql/args';
import type { RequestContext } from '../../graphql/context';
import { SimilarTracksArgs, SuggestBgmArgs, SuggestionFilterInput } from './suggestion.input';
import type { SuggestionService, VideoSuggestion } from './suggestion.service';
import { DuckingPlan, MusicCut, SimilarTrack, SuggestBgmPayload, Suggestion } from './suggestion.type';

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

/** The soundtrack fields of a suggestBgm suggestion, loaded once per page when asked for. */
@Resolver(() => Suggestion)
export class SuggestionSoundtrackResolver {
  @FieldResolver(() => MusicCut, { nullable: true })
  async cut(@Root() suggestion: VideoSuggestion): Promise<MusicCut | null> {
    return (await suggestion.soundtrack()).cut;
  }

  @FieldResolver(() => DuckingPlan, { nullable: true })
  async ducking(@Root() suggestion: VideoSuggestion): Promise<DuckingPlan | null> {
    return (await suggestion.soundtrack()).ducking;
  }
}
