import { IsOptional, IsUUID } from 'class-validator';
import { Arg, Args, ArgsType, Authorized, Ctx, Field, ID, Mutation, Resolver } from 'type-graphql';
import type { RequestContext } from '../../graphql/context';
import { IdArgs } from '../../graphql/args';
import { LicenseInput } from '../ingest/ingest.input';
import { UpdateTrackInput } from '../track/track.input';
import { License, Track } from '../track/track.type';
import type { CatalogAdminService } from './license.service';

/** The services this resolver reads from the request context. */
export type CatalogAdminContext = RequestContext<{ catalog: CatalogAdminService }>;

@ArgsType()
class UpsertLicenseArgs {
  @Field(() => ID)
  @IsUUID('all', { message: 'trackId must be a UUID' })
  trackId!: string;

  @Field(() => ID, {
    nullable: true,
    description: "Omit to add a license; give one of the track's license ids to replace its terms",
  })
  @IsOptional()
  @IsUUID('all', { message: 'licenseId must be a UUID' })
  licenseId?: string;
}

@Resolver()
export class CatalogAdminResolver {
  @Authorized('admin')
  @Mutation(() => License, { description: 'Adds or replaces a license of a track; suggestions follow it at once' })
  upsertLicense(
    @Args() { trackId, licenseId }: UpsertLicenseArgs,
    @Arg('license', () => LicenseInput) license: LicenseInput,
    @Ctx() ctx: CatalogAdminContext,
  ) {
    return ctx.services.catalog.upsertLicense(ctx.principal, trackId, licenseId, {
      ...license,
      validFrom: license.validFrom ?? undefined,
      validTo: license.validTo ?? null,
    });
  }

  @Authorized('admin')
  @Mutation(() => Track, {
    description: 'Changes a track’s title, artist, tags, moods or bpm; suggestions filter on them at once',
  })
  updateTrack(
    @Args() { id }: IdArgs,
    @Arg('input', () => UpdateTrackInput) input: UpdateTrackInput,
    @Ctx() ctx: CatalogAdminContext,
  ) {
    return ctx.services.catalog.updateTrack(ctx.principal, id, input);
  }

  @Authorized('admin')
  @Mutation(() => Track, { description: 'Removes a track from suggestions and the catalog view at once' })
  retireTrack(@Args() { id }: IdArgs, @Ctx() ctx: CatalogAdminContext) {
    return ctx.services.catalog.setRetired(ctx.principal, id, true);
  }

  @Authorized('admin')
  @Mutation(() => Track, { description: 'Brings a retired track back' })
  unretireTrack(@Args() { id }: IdArgs, @Ctx() ctx: CatalogAdminContext) {
    return ctx.services.catalog.setRetired(ctx.principal, id, false);
  }
}
