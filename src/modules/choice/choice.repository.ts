import type { Db } from '../../db/prisma-types';
import type { BgmChoice } from '../../generated/prisma/client';
import { afterCursor, type Cursor } from '../../db/keyset';

export type BgmChoiceRecord = BgmChoice;

export interface NewBgmChoice {
  videoId: string;
  trackId: string;
  userId: string;
  rank: number | null;
  startSec: number | null;
}

export interface ChoiceRepository {
  create(choice: NewBgmChoice): Promise<BgmChoiceRecord>;
  /** Choices in (createdAt, id) order after the cursor; returns up to `take` rows. */
  list(take: number, after?: Cursor): Promise<BgmChoiceRecord[]>;
}

export class PrismaChoiceRepository implements ChoiceRepository {
  constructor(private readonly db: Db) {}

  create(choice: NewBgmChoice) {
    return this.db.bgmChoice.create({ data: choice });
  }

  list(take: number, after?: Cursor) {
    return this.db.bgmChoice.findMany({
      where: afterCursor(after),
      orderBy: [{ createdAt: 'asc' }, { id: 'asc' }],
      take,
    });
  }
}
