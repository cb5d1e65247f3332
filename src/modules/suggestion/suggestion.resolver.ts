import { IsUUID, Max, Min } from 'class-validator';
import { Arg, Args, ArgsType, Authorized, Ctx, Field, ID, Int, Query, Resolver } from 'type-graphql';
import type { RequestContext } from '../../graphql/context';
import { listComplexity } from '../../graphql/args';
import { SuggestionFilterInput } from './suggestion.input';
import { SimilarTrack, SuggestBgmPayload } from './suggestion.type';
import type { SuggestionService } from './suggestion.service';

/** The services this resolver reads from the request context. */
export type SuggestionContext = RequestContext<{ suggestions: SuggestionService }>;

@ArgsType()
class SuggestBgmArgs {
  @Field(() => ID)
  @IsUUID('all', { message: 'videoId must be a UUID' })
  videoId!: string;

  @Field(() => Int, { defaultValue: 10, description: 'How many suggestions, 1 to 50' })
  @Min(1)
  @Max(1000)
  first!: number;
}

@ArgsType()
class SimilarTracksArgs {
  @Field(() => ID)
  @IsUUID('all', { message: 'trackId must be a UUID' })
  trackId!: string;

  @Field(() => Int, { defaultValue: 10, description: 'How many tracks, 1 to 50' })
  @Min(1)
  @Max(1000)
  first!: number;
}

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
