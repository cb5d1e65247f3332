import { Arg, Authorized, Ctx, Mutation, Resolver } from 'type-graphql';
import type { RequestContext } from '../../graphql/context';
import { IngestTrackInput } from './ingest.input';
import { IngestTracksPayload } from './ingest.type';
import type { IngestService } from './ingest.service';

/** The services this resolver reads from the request context. */
export type IngestContext = RequestContext<{ ingest: IngestService }>;

@Resolver()
export class IngestResolver {
  @Authorized('admin')
  @Mutation(() => IngestTracksPayload, {
    description:
      'Adds tracks to the catalog and queues their embedding. All items are validated before anything is written.',
  })
  ingestTracks(@Arg('tracks', () => [IngestTrackInput]) tracks: IngestTrackInput[], @Ctx() ctx: IngestContext) {
    return ctx.services.ingest.ingestTracks(
      ctx.principal,
      tracks.map(({ license, ...t }) => ({
        ...t,
        license: license
          ? { ...license, validFrom: license.validFrom ?? undefined, validTo: license.validTo ?? null }
          : undefined,
      })),
    );
  }
}
