import type { Db, LicenseRecord } from '../../db/prisma-types';
import type { NewLicense } from '../track/track.repository';

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
