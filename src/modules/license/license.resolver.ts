import { Arg, Args, Authorized, Ctx, Mutation, Resolver } from 'type-graphql';
import type { RequestContext } from '../../graphql/context';
import { LicenseInput, UpsertLicenseArgs } from './license.input';
import type { LicenseService } from './license.service';
import { License } from './license.type';

/** The services this resolver reads from the request context. */
export type LicenseContext = RequestContext<{ licenses: LicenseService }>;

@Resolver()
export class LicenseResolver {
  @Authorized('admin')
  @Mutation(() => License, { description: 'Adds or replaces a license of a track; suggestions follow it at once' })
  upsertLicense(
    @Args() { trackId, licenseId }: UpsertLicenseArgs,
    @Arg('license', () => LicenseInput) license: LicenseInput,
    @Ctx() ctx: LicenseContext,
  ) {
    return ctx.services.licenses.upsertLicense(ctx.principal, trackId, licenseId, {
      ...license,
      validFrom: license.validFrom ?? undefined,
      validTo: license.validTo ?? null,
    });
  }
}
