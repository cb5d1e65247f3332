import { requireRole, type Principal } from '../../auth/principal';
import { badInput, notFound } from '../../common/errors';
import type { TrackRepository } from '../track/track.repository';
import type { VideoRepository } from '../video/video.repository';
import { checkPageSize, keysetPage, type Page } from '../../graphql/page';
import type { BgmChoiceRecord, ChoiceRepository } from './choice.repository';

/** Bound on a reported rank: well above suggestBgm's page limit, so apps that page further fit. */
export const MAX_CHOICE_RANK = 1000;
/** Bound on a reported cut start: no catalog track is longer than an hour. */
export const MAX_CHOICE_START_SEC = 3600;

export interface ChoiceRepositories {
  choices: ChoiceRepository;
  videos: Pick<VideoRepository, 'findById'>;
  tracks: Pick<TrackRepository, 'findById'>;
}

/**
 * Which track creators actually put under their videos: implicit feedback on the suggestions,
 * kept as training data (positive pairs of video and music).
 */
export class ChoiceService {
  constructor(
    private readonly repos: ChoiceRepositories,
    private readonly maxPageSize: number,
  ) {}

  /** Only the video's owner can say which music they used; to anyone else the video does not exist. */
  async recordBgmChoice(
    principal: Principal | undefined,
    input: { videoId: string; trackId: string; rank?: number | null; startSec?: number | null },
  ) {
    const caller = requireRole(principal, 'app');
    if (input.rank != null && (!Number.isInteger(input.rank) || input.rank < 1 || input.rank > MAX_CHOICE_RANK)) {
      throw badInput(`rank must be between 1 and ${MAX_CHOICE_RANK}`, { argument: 'rank' });
    }
    const { startSec } = input;
    if (startSec != null && (!Number.isFinite(startSec) || startSec < 0 || startSec > MAX_CHOICE_START_SEC)) {
      throw badInput(`startSec must be between 0 and ${MAX_CHOICE_START_SEC}`, { argument: 'startSec' });
    }
    const video = await this.repos.videos.findById(input.videoId);
    if (!video || video.ownerId !== caller.id) throw notFound('Video', input.videoId);
    const track = await this.repos.tracks.findById(input.trackId);
    if (!track) throw notFound('Track', input.trackId);
    if (startSec != null && track.durationSec != null && startSec >= track.durationSec) {
      throw badInput(`startSec must be before the track's end (${track.durationSec} s)`, { argument: 'startSec' });
    }
    return this.repos.choices.create({
      videoId: video.id,
      trackId: track.id,
      userId: caller.id,
      rank: input.rank ?? null,
      startSec: startSec ?? null,
    });
  }

  async listChoices(
    principal: Principal | undefined,
    first: number,
    after?: string | null,
  ): Promise<Page<BgmChoiceRecord>> {
    requireRole(principal, 'admin');
    checkPageSize(first, this.maxPageSize);
    return keysetPage(first, after, (take, cursor) => this.repos.choices.list(take, cursor));
  }
}
