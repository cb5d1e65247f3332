import type { Db, PreviewRenderRecord } from '../../db/prisma-types';
import { licenseJoin, trackConditions } from '../suggestion/suggestion-filter';

/** What a render is made of: its row is unique on these, so the same request reuses it. */
export interface RenderInputs {
  videoId: string;
  trackId: string;
  cutStartSec: number;
  cutEndSec: number;
  fadeOutSec: number;
  targetLufs: number;
}

export interface PreviewRenderRepository {
  findById(id: string): Promise<PreviewRenderRecord | null>;
  /** The track when suggestBgm could suggest it (READY, not retired, licensed now), else null. */
  renderableTrack(trackId: string): Promise<{ durationSec: number | null } | null>;
  /**
   * The render of these inputs, created PENDING when there is none, or made PENDING again when the
   * one there FAILED or expired. `queued` is true when the caller must queue its job: exactly one
   * of concurrent callers gets it.
   */
  /** restartFailed: a FAILED render starts over (an explicit ask); otherwise only an expired one does. */
  claim(
    inputs: RenderInputs,
    expiresAt: Date,
    restartFailed?: boolean,
  ): Promise<{ render: PreviewRenderRecord; queued: boolean }>;
  /** PENDING/PROCESSING -> PROCESSING; null when the render is gone or finished. */
  start(id: string): Promise<PreviewRenderRecord | null>;
  /** False when the render was deleted (swept, or its video deleted) while it rendered. */
  markReady(id: string, mediaUri: string, measuredLufs: number): Promise<boolean>;
  markFailed(id: string, reason: string): Promise<void>;
  /** Deletes up to `batch` renders expired before `now`; returns their stored files. */
  deleteExpired(now: Date, batch: number): Promise<{ id: string; videoId: string; mediaUri: string | null }[]>;
}

const MAX_REASON = 2000;

export class PrismaPreviewRenderRepository implements PreviewRenderRepository {
  constructor(private readonly db: Db) {}

  findById(id: string) {
    return this.db.previewRender.findUnique({ where: { id } });
  }

  async renderableTrack(trackId: string) {
    const rows = await this.db.$queryRaw<{ durationSec: number | null }[]>`
      SELECT t.duration_sec AS "durationSec" FROM track t ${licenseJoin({})}
      WHERE t.id = ${trackId}::uuid AND ${trackConditions({})}`;
    return rows[0] ?? null;
  }

  async claim(inputs: RenderInputs, expiresAt: Date, restartFailed = true) {
    const { videoId, trackId, cutStartSec, cutEndSec, fadeOutSec, targetLufs } = inputs;
    const created = await this.db.$queryRaw<{ id: string }[]>`
      INSERT INTO preview_render (video_id, track_id, cut_start_sec, cut_end_sec, fade_out_sec, target_lufs, expires_at, updated_at)
      VALUES (${videoId}::uuid, ${trackId}::uuid, ${cutStartSec}, ${cutEndSec}, ${fadeOutSec}, ${targetLufs}, ${expiresAt}, now())
      ON CONFLICT (video_id, track_id, cut_start_sec, cut_end_sec, target_lufs) DO NOTHING
      RETURNING id::text AS id`;
    if (created.length > 0) return { render: (await this.findById(created[0]!.id))!, queued: true };
    // An expired render asked for again starts over, and so does a failed one unless the caller only
    // polls (the conditional update lets one caller win).
    const redone = await this.db.$queryRaw<{ id: string }[]>`
      UPDATE preview_render SET status = 'PENDING', error = NULL, media_uri = NULL, measured_lufs = NULL,
        fade_out_sec = ${fadeOutSec}, expires_at = ${expiresAt}, created_at = now(), updated_at = now()
      WHERE video_id = ${videoId}::uuid AND track_id = ${trackId}::uuid AND cut_start_sec = ${cutStartSec}
        AND cut_end_sec = ${cutEndSec} AND target_lufs = ${targetLufs}
        AND ((${restartFailed} AND status = 'FAILED') OR expires_at <= now())
      RETURNING id::text AS id`;
    if (redone.length > 0) return { render: (await this.findById(redone[0]!.id))!, queued: true };
    const render = await this.db.previewRender.findFirstOrThrow({
      where: { videoId, trackId, cutStartSec, cutEndSec, targetLufs },
    });
    return { render, queued: false };
  }

  async start(id: string) {
    const { count } = await this.db.previewRender.updateMany({
      where: { id, status: { in: ['PENDING', 'PROCESSING'] } },
      data: { status: 'PROCESSING' },
    });
    return count === 0 ? null : this.findById(id);
  }

  async markReady(id: string, mediaUri: string, measuredLufs: number) {
    const { count } = await this.db.previewRender.updateMany({
      where: { id },
      data: { status: 'READY', mediaUri, measuredLufs, error: null },
    });
    return count > 0;
  }

  async markFailed(id: string, reason: string) {
    await this.db.previewRender.updateMany({
      where: { id },
      data: { status: 'FAILED', error: reason.slice(0, MAX_REASON) },
    });
  }

  deleteExpired(now: Date, batch: number) {
    return this.db.$queryRaw<{ id: string; videoId: string; mediaUri: string | null }[]>`
      DELETE FROM preview_render WHERE id IN (
        SELECT id FROM preview_render WHERE expires_at < ${now} ORDER BY expires_at LIMIT ${batch}
        FOR UPDATE SKIP LOCKED)
      RETURNING id::text AS id, video_id::text AS "videoId", media_uri AS "mediaUri"`;
  }
}
