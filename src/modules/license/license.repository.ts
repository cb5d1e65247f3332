import type { Db, LicenseRecord } from '../../db/prisma-types';

/** The terms of a license, as given when it is recorded (with a track, or later by upsertLicense). */
export interface NewLicense {
  licensor: string;
  territoriesAllowed: string[];
  territoriesDenied: string[];
  platforms: string[];
  commercialUse: boolean;
  attribution?: string | null;
  validFrom?: Date;
  validTo?: Date | null;
}

export interface LicenseRepository {
  findById(id: string): Promise<LicenseRecord | null>;
  create(trackId: string, license: NewLicense): Promise<LicenseRecord>;
  update(id: string, license: NewLicense): Promise<LicenseRecord>;
}

export class PrismaLicenseRepository implements LicenseRepository {
  constructor(private readonly db: Db) {}

  findById(id: string) {
    return this.db.license.findUnique({ where: { id } });
  }

  create(trackId: string, license: NewLicense) {
    return this.db.license.create({ data: { trackId, ...license } });
  }

  update(id: string, license: NewLicense) {
    return this.db.license.update({ where: { id }, data: license });
  }
}
