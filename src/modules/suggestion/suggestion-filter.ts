import { Prisma } from '../../generated/prisma/client';

/** What a suggestion must satisfy besides fitting the video. Every condition is optional. */
export interface SuggestionFilter {
  /** ISO 3166-1 alpha-2 country where the video is published. */
  territory?: string;
  platform?: string;
  /** Only tracks licensed for commercial use. */
  commercialUse?: boolean;
  /** Any of these moods. */
  moods?: string[];
  /** On the catalog bpm, else the analysed tempo (track_analysis); a track with neither never matches. */
  bpmMin?: number;
  bpmMax?: number;
  minDurationSec?: number;
  /** On the analysed integrated loudness; an unanalysed track never matches. */
  loudnessMinLufs?: number;
  loudnessMaxLufs?: number;
  /** false: no ranking down of vocal tracks under a talking voice-over (suggestBgm only). Default on. */
  preferInstrumental?: boolean;
}

/** The filter with its keys in one order and unset ones left out: equal filters, equal keys. */
export function canonicalFilter(f: SuggestionFilter): [string, unknown][] {
  return Object.entries(f)
    .filter(([, v]) => v !== undefined)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
}

// An admin's bpm is a correction of the analysis, so it wins over the measured tempo.
const TEMPO = Prisma.sql`coalesce(t.bpm, (SELECT a.tempo_bpm FROM track_analysis a WHERE a.track_id = t.id))`;
const LOUDNESS = Prisma.sql`(SELECT a.loudness_lufs FROM track_analysis a WHERE a.track_id = t.id)`;

/**
 * SQL conditions on `track t` that make a track suggestible: READY, not retired, matching the
 * filter. Licensing is a separate lateral join (licenseJoin) so the matching license is returned.
 */
export function trackConditions(f: SuggestionFilter): Prisma.Sql {
  const parts = [Prisma.sql`t.status = 'READY'`, Prisma.sql`t.retired_at IS NULL`];
  if (f.moods?.length) parts.push(Prisma.sql`t.moods && ${f.moods}::text[]`);
  if (f.bpmMin !== undefined) parts.push(Prisma.sql`${TEMPO} >= ${f.bpmMin}`);
  if (f.bpmMax !== undefined) parts.push(Prisma.sql`${TEMPO} <= ${f.bpmMax}`);
  if (f.loudnessMinLufs !== undefined) parts.push(Prisma.sql`${LOUDNESS} >= ${f.loudnessMinLufs}`);
  if (f.loudnessMaxLufs !== undefined) parts.push(Prisma.sql`${LOUDNESS} <= ${f.loudnessMaxLufs}`);
  if (f.minDurationSec !== undefined) parts.push(Prisma.sql`t.duration_sec >= ${f.minDurationSec}`);
  return Prisma.join(parts, ' AND ');
}

/**
 * `JOIN LATERAL` picking one license of track t valid now for the filter: inside its validity
 * window, covering the territory (empty allow-list = worldwide, deny-list wins), the platform
 * (empty = all) and commercial use when asked. The longest-running license is preferred.
 */
export function licenseJoin(f: SuggestionFilter): Prisma.Sql {
  const parts = [
    Prisma.sql`l.track_id = t.id`,
    Prisma.sql`l.valid_from <= now()`,
    Prisma.sql`(l.valid_to IS NULL OR l.valid_to > now())`,
  ];
  if (f.territory) {
    parts.push(
      Prisma.sql`(coalesce(cardinality(l.territories_allowed), 0) = 0 OR ${f.territory} = ANY(l.territories_allowed))`,
    );
    parts.push(Prisma.sql`NOT (${f.territory} = ANY(coalesce(l.territories_denied, '{}')))`);
  }
  if (f.platform)
    parts.push(Prisma.sql`(coalesce(cardinality(l.platforms), 0) = 0 OR ${f.platform} = ANY(l.platforms))`);
  if (f.commercialUse) parts.push(Prisma.sql`l.commercial_use`);
  return Prisma.sql`JOIN LATERAL (
    SELECT l.id FROM license l WHERE ${Prisma.join(parts, ' AND ')}
    ORDER BY l.valid_to DESC NULLS FIRST, l.id LIMIT 1) lic ON true`;
}
