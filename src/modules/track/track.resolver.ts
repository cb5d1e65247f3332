import { Args, Ctx, Query, Resolver, Arg } from 'type-graphql';
import type { RequestContext } from '../../graphql/context';
import { IdArgs, listComplexity, PageArgs } from '../../graphql/args';
import { TrackFilterInput } from './track.input';
import { Track, TrackConnection } from './track.type';
import type { TrackService } from './track.service';

/** The services this resolver reads from the request context. */
export type TrackContext = RequestContext<{ tracks: TrackService }>;

@Resolver(() => Track)
export class TrackResolver {
  @Query(() => Track, { description: 'One catalog track' })
  track(@Args() { id }: IdArgs, @Ctx() ctx: TrackContext) {
    return ctx.services.tracks.getTrack(id);
  }

  @Query(() => TrackConnection, { description: 'The catalog, oldest first', complexity: listComplexity })
  tracks(
    @Args() { first, after }: PageArgs,
    @Arg('filter', () => TrackFilterInput, { nullable: true }) filter: TrackFilterInput | undefined,
    @Ctx() ctx: TrackContext,
  ) {
    return ctx.services.tracks.listTracks(filter ?? {}, first, after);
  }
}
