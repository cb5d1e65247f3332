import { createHash } from 'node:crypto';
import type { EmbeddingRepository } from '../suggestion/embedding.repository';
import type { VocalPenalties } from '../suggestion/instrumental-preference';
import { rankTracks } from '../suggestion/rank-tracks';
import type { ArmRecord } from './experiment.repository';
import type { TrackPoolRepository } from './track-pool.repository';

/** What an arm suggests for a video: a track and where in it the music should start. */
export type ArmSuggestion = { ok: true; trackId: string; startSec: number } | { ok: false; reason: string };

/** One arm of an experiment: a way of picking background music for a video. */
export interface Recommender {
  /** `taskSeed` is fixed per task, so a randomised arm is reproducible from the task. */
  suggest(videoId: string, taskSeed: string): Promise<ArmSuggestion>;
}

export interface RecommenderDeps {
  embeddings: Pick<EmbeddingRepository, 'findVideoEmbedding' | 'nearestTracks' | 'bestWindows'>;
  trackPool: TrackPoolRepository;
  /** suggestBgm's instrumental preference for a video (instrumental-preference.ts); absent: none. */
  vocalPenalties?: (videoId: string) => Promise<VocalPenalties | undefined>;
}

/** A non-negative 48-bit integer from a string (SHA-256), for deterministic picks. */
export function stableHash(text: string): number {
  return createHash('sha256').update(text).digest().readUIntBE(0, 6);
}

/** The tags of a TAG_SEARCH arm's config (`{ tags: [...] }`); anything else reads as none. */
export function configTags(config: unknown): string[] {
  const tags = (config as { tags?: unknown } | null)?.tags;
  return Array.isArray(tags) ? tags.filter((t): t is string => typeof t === 'string' && t.length > 0) : [];
}

/** MODEL_VERSION: suggestBgm's top track for the video under that model version, from its best window. */
class ModelVersionRecommender implements Recommender {
  constructor(
    private readonly modelVersionId: string,
    private readonly deps: RecommenderDeps,
  ) {}

  async suggest(videoId: string): Promise<ArmSuggestion> {
    const query = await this.deps.embeddings.findVideoEmbedding(videoId, this.modelVersionId);
    if (!query)
      return { ok: false, reason: `video ${videoId} has no embedding under model version ${this.modelVersionId}` };
    const penalties = await this.deps.vocalPenalties?.(videoId);
    const [best] = await rankTracks(this.deps.embeddings, this.modelVersionId, query, 1, {}, penalties);
    if (!best)
      return { ok: false, reason: `no suggestible track has an embedding under model version ${this.modelVersionId}` };
    return { ok: true, trackId: best.trackId, startSec: best.startOffsetSec };
  }
}

/**
 * Picks the track at a hashed position among the suggestible tracks matching `tags` (all of
 * them when undefined). The pick is uniform over that pool, and fixed by `key`.
 */
async function pickFromPool(
  pool: TrackPoolRepository,
  key: string,
  tags: string[] | undefined,
  what: string,
): Promise<ArmSuggestion> {
  const size = await pool.count(tags);
  if (size === 0) return { ok: false, reason: `no suggestible track ${what}` };
  const trackId = await pool.idAt(stableHash(key) % size, tags);
  // The catalog changed between the two queries: report it rather than guess.
  if (!trackId) return { ok: false, reason: `the catalog changed while picking a track ${what}; try again` };
  return { ok: true, trackId, startSec: 0 };
}

/**
 * TAG_SEARCH: the paper's baseline of "random search under selected music style tags". A track
 * whose tags or moods overlap the arm's tags, the same one for a video every time (hash of the
 * arm and the video), so all raters judge the same suggestion.
 */
class TagSearchRecommender implements Recommender {
  constructor(
    private readonly armId: string,
    private readonly tags: string[],
    private readonly pool: TrackPoolRepository,
  ) {}

  suggest(videoId: string): Promise<ArmSuggestion> {
    return pickFromPool(this.pool, `${this.armId}/${videoId}`, this.tags, `tagged ${this.tags.join(', ')}`);
  }
}

/** RANDOM: any suggestible track, drawn afresh for every task (seeded by the task). */
class RandomRecommender implements Recommender {
  constructor(private readonly pool: TrackPoolRepository) {}

  suggest(_videoId: string, taskSeed: string): Promise<ArmSuggestion> {
    return pickFromPool(this.pool, taskSeed, undefined, 'in the catalog');
  }
}

/** The recommender behind an arm. The arm was validated when the experiment was created. */
export function recommenderFor(arm: ArmRecord, deps: RecommenderDeps): Recommender {
  switch (arm.kind) {
    case 'MODEL_VERSION':
      if (!arm.modelVersionId) throw new Error(`arm ${arm.id} of kind MODEL_VERSION has no model version`);
      return new ModelVersionRecommender(arm.modelVersionId, deps);
    case 'TAG_SEARCH':
      return new TagSearchRecommender(arm.id, configTags(arm.config), deps.trackPool);
    case 'RANDOM':
      return new RandomRecommender(deps.trackPool);
  }
}
