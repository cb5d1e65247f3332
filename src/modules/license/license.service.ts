import { requireRole, type Principal } from '../../auth/principal';
import { badInput, notFound } from '../../common/errors';
import type { LicenseRecord } from '../../db/prisma-types';
import type { LicenseRepository, NewLicense } from './license.repository';

/**
 * Whether a track exists: all a license needs to know of the catalog. Stated here rather than
 * imported, because the track module depends on this one (a track carries its licenses).
 */
export interface TrackLookup {
  findById(id: string): Promise<unknown>;
}

/** The licenses of catalog tracks; a change takes effect on the next suggestBgm query. */
export class LicenseService {
  constructor(
    private readonly tracks: TrackLookup,
    private readonly licenses: LicenseRepository,
  ) {}

  /** Adds a license to a track, or replaces the terms of one of its licenses. */
  async upsertLicense(
    principal: Principal | undefined,
    trackId: string,
    licenseId: string | undefined,
    terms: NewLicense,
  ): Promise<LicenseRecord> {
    requireRole(principal, 'admin');
    checkTerms(terms);
    if (!(await this.tracks.findById(trackId))) throw notFound('Track', trackId);
    if (!licenseId) return this.licenses.create(trackId, terms);
    const existing = await this.licenses.findById(licenseId);
    if (!existing || existing.trackId !== trackId) throw notFound('License', licenseId);
    return this.licenses.update(licenseId, terms);
  }
}

export function checkTerms(terms: NewLicense): void {
  if (terms.validTo && terms.validFrom && terms.validTo <= terms.validFrom) {
    throw badInput('validTo must be after validFrom', { argument: 'license.validTo' });
  }
  const both = terms.territoriesAllowed.filter((t) => terms.territoriesDenied.includes(t));
  if (both.length > 0)
    throw badInput(`territories both allowed and denied: ${both.join(', ')}`, { argument: 'license' });
}
