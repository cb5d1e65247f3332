import { requireRole, type Principal } from '../../auth/principal';
import { badInput, notFound } from '../../common/errors';
import type { LicenseRecord } from '../../db/prisma-types';
import type { NewLicense, TrackRepository, TrackWithLicenses } from '../track/track.repository';
import type { LicenseRepository } from './license.repository';

/** Catalog administration: licenses and retirement. Both take effect on the next query. */
export class CatalogAdminService {
  constructor(
    private readonly tracks: TrackRepository,
    private readonly licenses: LicenseRepository,
  ) {}

  /** Adds a license to a track, or replaces the terms of one of its licenses. */
  async upsertLicense(principal: Principal | undefined, trackId: string, licenseId: string | undefined, terms: NewLicense): Promise<LicenseRecord> {
    requireRole(principal, 'admin');
    checkTerms(terms);
    if (!(await this.tracks.findById(trackId))) throw notFound('Track', trackId);
    if (!licenseId) return this.licenses.create(trackId, terms);
    const existing = await this.licenses.findById(licenseId);
    if (!existing || existing.trackId !== trackId) throw notFound('License', licenseId);
    return this.licenses.update(licenseId, terms);
  }

  /** Retired tracks leave suggestions and the default catalog view at once; unretire brings them back. */
  async setRetired(principal: Principal | undefined, trackId: string, retired: boolean): Promise<TrackWithLicenses> {
    requireRole(principal, 'admin');
    if (!(await this.tracks.findById(trackId))) throw notFound('Track', trackId);
    return this.tracks.setRetired(trackId, retired);
  }
}

export function checkTerms(terms: NewLicense): void {
  if (terms.validTo && terms.validFrom && terms.validTo <= terms.validFrom) {
    throw badInput('validTo must be after validFrom', { argument: 'license.validTo' });
  }
  const both = terms.territoriesAllowed.filter((t) => terms.territoriesDenied.includes(t));
  if (both.length > 0) throw badInput(`territories both allowed and denied: ${both.join(', ')}`, { argument: 'license' });
}
