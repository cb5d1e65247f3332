import { requireRole, type Principal } from '../../auth/principal';
import { badInput, notFound } from '../../common/errors';
import type { LicenseRecord } from '../../db/prisma-types';
import type { NewLicense, TrackMetadata, TrackRepository, TrackWithLicenses } from '../track/track.repository';
import type { LicenseRepository } from './license.repository';

/** Catalog administration: licenses, metadata and retirement. Each takes effect on the next query. */
export class CatalogAdminService {
  constructor(
    private readonly tracks: TrackRepository,
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

  /** Changes a track's catalog metadata; suggestions filter on the new moods and bpm at once. */
  async updateTrack(
    principal: Principal | undefined,
    trackId: string,
    input: TrackMetadataInput,
  ): Promise<TrackWithLicenses> {
    requireRole(principal, 'admin');
    const { clearBpm, ...given } = input;
    if (clearBpm && given.bpm != null)
      throw badInput('give either bpm or clearBpm, not both', { argument: 'input.bpm' });
    const fields: TrackMetadata = Object.fromEntries(Object.entries(given).filter(([, v]) => v != null));
    if (clearBpm) fields.bpm = null;
    if (Object.keys(fields).length === 0)
      throw badInput('input changes nothing: give at least one field', { argument: 'input' });
    if (!(await this.tracks.findById(trackId))) throw notFound('Track', trackId);
    return this.tracks.updateMetadata(trackId, fields);
  }

  /** Retired tracks leave suggestions and the default catalog view at once; unretire brings them back. */
  async setRetired(principal: Principal | undefined, trackId: string, retired: boolean): Promise<TrackWithLicenses> {
    requireRole(principal, 'admin');
    if (!(await this.tracks.findById(trackId))) throw notFound('Track', trackId);
    return this.tracks.setRetired(trackId, retired);
  }
}

export type TrackMetadataInput = { [K in keyof TrackMetadata]?: TrackMetadata[K] | null } & {
  clearBpm?: boolean | null;
};

export function checkTerms(terms: NewLicense): void {
  if (terms.validTo && terms.validFrom && terms.validTo <= terms.validFrom) {
    throw badInput('validTo must be after validFrom', { argument: 'license.validTo' });
  }
  const both = terms.territoriesAllowed.filter((t) => terms.territoriesDenied.includes(t));
  if (both.length > 0)
    throw badInput(`territories both allowed and denied: ${both.join(', ')}`, { argument: 'license' });
}
