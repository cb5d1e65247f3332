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

  async create(choice: NewBgmChoice) {
    // While a canary runs, the choice keeps the arm it was made on: the version that served the
    // video's latest suggestions under the running canary (canary_serving), in the same statement.
    const [row] = await this.db.$queryRaw<{ id: string }[]>`
      INSERT INTO bgm_choice (video_id, track_id, user_id, rank, start_sec, served_version_id, canary_version_id)
      SELECT ${choice.videoId}::uuid, ${choice.trackId}::uuid, ${choice.userId}, ${choice.rank}::int,
             ${choice.startSec}::float8, s.served_version_id, s.canary_version_id
      FROM (SELECT 1) one
      LEFT JOIN LATERAL (
        SELECT cs.served_version_id, cs.canary_version_id
        FROM canary_serving cs JOIN model_version m ON m.id = cs.canary_version_id AND m.canary_share > 0
        WHERE cs.video_id = ${choice.videoId}::uuid
        ORDER BY cs.last_served_at DESC
        LIMIT 1
      ) s ON true
      RETURNING id::text`;
    return this.db.bgmChoice.findUniqueOrThrow({ where: { id: row!.id } });
  }

  list(take: number, after?: Cursor) {
    return this.db.bgmChoice.findMany({
      where: afterCursor(after),
      orderBy: [{ createdAt: 'asc' }, { id: 'asc' }],
      take,
    });
  }
}
