import { IsUUID, Max, Min } from 'class-validator';
import { Args, ArgsType, Authorized, Ctx, Field, ID, Int, Query, Resolver } from 'type-graphql';
import type { GraphQLContext } from '../../graphql/context';
import { listComplexity } from '../common/args';
import { SuggestBgmPayload } from './suggestion.type';

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

@Resolver()
export class SuggestionResolver {
  @Authorized()
  @Query(() => SuggestBgmPayload, {
    description: 'Licensed tracks that fit the video and its voice-over, best first. Fails with FAILED_PRECONDITION until the video is READY.',
    complexity: listComplexity,
  })
  suggestBgm(@Args() { videoId, first }: SuggestBgmArgs, @Ctx() ctx: GraphQLContext) {
    return ctx.services.suggestions.suggestBgm(ctx.principal, videoId, first);
  }
}
