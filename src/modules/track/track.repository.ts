import type { Db, LicenseRecord, TrackRecord } from '../../db/prisma-types';
import type { Prisma } from '../../generated/prisma/client';
import type { NewLicense } from '../license/license.repository';
import { afterCursor, type Cursor } from '../../db/keyset';

export type TrackWithLicenses = TrackRecord & { licenses: LicenseRecord[] };

export interface TrackFilter {
  search?: string;
  artist?: string;
  tag?: string;
  mood?: string;
  status?: TrackRecord['status'];
  includeRetired?: boolean;
  /** Bounds on the analysed tempo (BPM) and integrated loudness (LUFS); unanalysed tracks never match. */
  tempoMin?: number;
  tempoMax?: number;
  loudnessMinLufs?: number;
  loudnessMaxLufs?: number;
}

export interface NewTrack {
  title: string;
  artist: string;
  mediaUri: string;
  contentHash: string;
  tags: string[];
  moods: string[];
  bpm?: number | null;
  license?: NewLicense;
}

export interface TrackRepository {
  findById(id: string): Promise<TrackWithLicenses | null>;
  findByIds(ids: string[]): Promise<TrackWithLicenses[]>;
  /** Tracks in (createdAt, id) order after the cursor; returns up to `take` rows. */
  list(filter: TrackFilter, take: number, after?: Cursor): Promise<TrackWithLicenses[]>;
  findByContentHashes(hashes: string[]): Promise<TrackRecord[]>;
  create(track: NewTrack): Promise<TrackWithLicenses>;
  setStatus(
    id: string,
    status: TrackRecord['status'],
    fields?: { error?: string | null; durationSec?: number },
  ): Promise<void>;
  /** Ids of live tracks (not retired, not FAILED) without an embedding for the model, in id order after `afterId`. */
  idsMissingEmbedding(modelVersionId: string, take: number, afterId?: string): Promise<string[]>;
  /** Whether some READY live track has no embedding for the model (false: the model covers the catalog). */
  anyReadyMissingEmbedding(modelVersionId: string): Promise<boolean>;
  setRetired(id: string, retired: boolean): Promise<TrackWithLicenses>;
  updateMetadata(id: string, fields: TrackMetadata): Promise<TrackWithLicenses>;
}

/** What catalog admins may change after ingestion; undefined leaves a field as it is. */
export interface TrackMetadata {
  title?: string;
  artist?: string;
  tags?: string[];
  moods?: string[];
  bpm?: number | null;
}

export class PrismaTrackRepository implements TrackRepository {
  constructor(private readonly db: Db) {}

  findById(id: string) {
    return this.db.track.findUnique({ where: { id }, include: { licenses: true } });
  }

  findByIds(ids: string[]) {
    return this.db.track.findMany({ where: { id: { in: ids } }, include: { licenses: true } });
  }

  list(filter: TrackFilter, take: number, after?: Cursor) {
    const tempo = range(filter.tempoMin, filter.tempoMax);
    const loudness = range(filter.loudnessMinLufs, filter.loudnessMaxLufs);
    const where: Prisma.TrackWhereInput = {
      ...(tempo || loudness
        ? { analysis: { is: { ...(tempo && { tempoBpm: tempo }), ...(loudness && { loudnessLufs: loudness }) } } }
        : {}),
      ...(filter.includeRetired ? {} : { retiredAt: null }),
      ...(filter.status ? { status: filter.status } : {}),
      // Prisma turns both insensitive `equals` and `contains` into ILIKE without escaping the
      // pattern: escaped, `%`, `_` and `\` match only themselves (`artist: "%"` no longer matches all).
      ...(filter.artist ? { artist: { equals: escapeLike(filter.artist), mode: 'insensitive' } } : {}),
      ...(filter.tag ? { tags: { has: filter.tag } } : {}),
      ...(filter.mood ? { moods: { has: filter.mood } } : {}),
      ...(filter.search
        ? {
            OR: [
              { title: { contains: escapeLike(filter.search), mode: 'insensitive' } },
              { artist: { contains: escapeLike(filter.search), mode: 'insensitive' } },
            ],
          }
        : {}),
    };
    return this.db.track.findMany({
      where: after ? { AND: [where, afterCursor(after)] } : where,
      orderBy: [{ createdAt: 'asc' }, { id: 'asc' }],
      take,
      include: { licenses: true },
    });
  }

  findByContentHashes(hashes: string[]) {
    return this.db.track.findMany({ where: { contentHash: { in: hashes } } });
  }

  async setStatus(
    id: string,
    status: TrackRecord['status'],
    fields: { error?: string | null; durationSec?: number } = {},
  ) {
    await this.db.track.update({ where: { id }, data: { status, ...fields } });
  }

  async idsMissingEmbedding(modelVersionId: string, take: number, afterId?: string) {
    const rows = await this.db.track.findMany({
      where: {
        retiredAt: null,
        status: { not: 'FAILED' },
        embeddings: { none: { modelVersionId } },
        ...(afterId ? { id: { gt: afterId } } : {}),
      },
      orderBy: { id: 'asc' },
      take,
      select: { id: true },
    });
    return rows.map((r) => r.id);
  }

  async anyReadyMissingEmbedding(modelVersionId: string) {
    // findFirst, not count: it stops at the first gap, which matters when checked after every track of a re-embed.
    const gap = await this.db.track.findFirst({
      where: { retiredAt: null, status: 'READY', embeddings: { none: { modelVersionId } } },
      select: { id: true },
    });
    return gap !== null;
  }

  setRetired(id: string, retired: boolean) {
    return this.db.track.update({
      where: { id },
      data: { retiredAt: retired ? new Date() : null },
      include: { licenses: true },
    });
  }

  updateMetadata(id: string, fields: TrackMetadata) {
    return this.db.track.update({ where: { id }, data: fields, include: { licenses: true } });
  }

  create({ license, ...track }: NewTrack) {
    return this.db.track.create({
      data: { ...track, ...(license ? { licenses: { create: license } } : {}) },
      include: { licenses: true },
    });
  }
}

/** Escapes LIKE's wildcards and its escape character (Postgres' default, backslash). */
export function escapeLike(text: string): string {
  return text.replace(/[\\%_]/g, '\\$&');
}

function range(min: number | undefined, max: number | undefined): { gte?: number; lte?: number } | undefined {
  if (min === undefined && max === undefined) return undefined;
  return { ...(min !== undefined && { gte: min }), ...(max !== undefined && { lte: max }) };
}
