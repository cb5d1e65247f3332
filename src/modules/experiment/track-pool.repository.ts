import type { Db } from '../../db/prisma-types';
import type { Prisma } from '../../generated/prisma/client';

/**
 * The suggestible catalog for the non-model arms: READY, not retired, with a license valid now
 * (the same rule nearestTracks applies in its SQL, so no arm can suggest an unlicensed track).
 */
export interface TrackPoolRepository {
  /** How many suggestible tracks there are; with `tags`, only those whose tags or moods overlap them. */
  count(tags?: string[]): Promise<number>;
  /** The suggestible track at `offset` in id order (same filter as count), or null past the end. */
  idAt(offset: number, tags?: string[]): Promise<string | null>;
}

export class PrismaTrackPoolRepository implements TrackPoolRepository {
  constructor(private readonly db: Db) {}

  private where(tags: string[] | undefined): Prisma.TrackWhereInput {
    const now = new Date();
    return {
      status: 'READY',
      retiredAt: null,
      licenses: { some: { validFrom: { lte: now }, OR: [{ validTo: null }, { validTo: { gt: now } }] } },
      ...(tags ? { OR: [{ tags: { hasSome: tags } }, { moods: { hasSome: tags } }] } : {}),
    };
  }

  count(tags?: string[]) {
    return this.db.track.count({ where: this.where(tags) });
  }

  async idAt(offset: number, tags?: string[]) {
    const row = await this.db.track.findFirst({
      where: this.where(tags),
      orderBy: { id: 'asc' },
      skip: offset,
      select: { id: true },
    });
    return row?.id ?? null;
  }
}
