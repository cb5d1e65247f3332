import { Arg, Args, Authorized, Ctx, FieldResolver, Mutation, Query, Resolver, Root } from 'type-graphql';
import { IdArgs, listComplexity, PageArgs } from '../../graphql/args';
import type { RequestContext } from '../../graphql/context';
import { TrackFilterInput, UpdateTrackInput } from './track.input';
import type { TrackService } from './track.service';
import { TrackAnalysis } from './track-analysis.type';
import { Track, TrackConnection } from './track.type';

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

  @Authorized('admin')
  @Mutation(() => Track, {
    description: 'Changes a track’s title, artist, tags, moods or bpm; suggestions filter on them at once',
  })
  updateTrack(
    @Args() { id }: IdArgs,
    @Arg('input', () => UpdateTrackInput) input: UpdateTrackInput,
    @Ctx() ctx: TrackContext,
  ) {
    return ctx.services.tracks.updateTrack(ctx.principal, id, input);
  }

  @Authorized('admin')
  @Mutation(() => Track, { description: 'Removes a track from suggestions and the catalog view at once' })
  retireTrack(@Args() { id }: IdArgs, @Ctx() ctx: TrackContext) {
    return ctx.services.tracks.setRetired(ctx.principal, id, true);
  }

  @Authorized('admin')
  @Mutation(() => Track, { description: 'Brings a retired track back' })
  unretireTrack(@Args() { id }: IdArgs, @Ctx() ctx: TrackContext) {
    return ctx.services.tracks.setRetired(ctx.principal, id, false);
  }

  @Authorized('admin')
  @FieldResolver(() => TrackAnalysis, {
    nullable: true,
    description: 'Tempo, beats, energy and loudness (admins); null until the track was analysed',
  })
  analysis(@Root() track: Track, @Ctx() ctx: TrackContext) {
    // One primary-key read per track: admin pages are bounded by maxPageSize.
    return ctx.services.tracks.getAnalysis(track.id);
  }
}
