import { randomInt, randomUUID } from 'node:crypto';
import { requireRole, type Principal } from '../../auth/principal';
import { conflict, failedPrecondition, forbidden, notFound } from '../../common/errors';
import type { UnitOfWork } from '../../db/unit-of-work';
import type { PreferenceChoice } from '../../generated/prisma/enums';
import type { ExperimentRepository, ExperimentWithArms } from './experiment.repository';
import type { NewTask, PreferenceRepository, TaskRecord, Unit } from './preference.repository';
import type { PreviewLinks, Side } from './preview-links';
import { recommenderFor, type RecommenderDeps } from './recommenders';
import type { TrackPoolRepository } from './track-pool.repository';

export interface PreferenceRepositories {
  experiments: ExperimentRepository;
  preferences: PreferenceRepository;
  embeddings: RecommenderDeps['embeddings'];
  trackPool: TrackPoolRepository;
}

/** What issuing a task and voting read and write inside one transaction. */
type RaterRepositories = Pick<PreferenceRepositories, 'experiments' | 'preferences'>;

export interface Progress {
  done: number;
  total: number;
}

/** What a rater sees of a task: no arm, no track, only the two previews in random order. */
export interface ServedTask {
  id: string;
  previewA: string;
  previewB: string;
  expiresAt: Date;
  previewsExpireAt: Date;
}

export interface TaskOffer {
  task: ServedTask | null;
  progress: Progress;
}

/** What one side's preview mixes: the video, the arm's track and its start offset. */
export interface PreviewSource {
  videoId: string;
  trackId: string;
  startSec: number;
}

export interface PreferenceSettings {
  /** How long an issued task can be voted on. */
  taskTtlMs: number;
  /** How long a preview URL stays valid (never beyond its task); the page asks again after. */
  previewTtlMs: number;
  now: () => Date;
  /** Uniform in [0, 1): picks the unit and which arm plays as A. */
  random: () => number;
  /** suggestBgm's instrumental preference for a video, so a model arm suggests what is served (none: off). */
  vocalPenalties?: RecommenderDeps['vocalPenalties'];
}

export const DEFAULT_PREFERENCE_SETTINGS: PreferenceSettings = {
  taskTtlMs: 60 * 60_000,
  previewTtlMs: 20 * 60_000,
  now: () => new Date(),
  random: () => randomInt(2 ** 47) / 2 ** 47,
};

/** Units tried before giving up when arms cannot suggest anything (e.g. a missing embedding). */
const MAX_ISSUE_ATTEMPTS = 20;

const unitKey = (u: Unit) => `${u.videoId}|${u.firstArmId}|${u.secondArmId}`;
const pairCount = (e: ExperimentWithArms) => (e.arms.length * (e.arms.length - 1)) / 2;
const totalUnits = (e: ExperimentWithArms) => e.videoCount * pairCount(e);

/** Every (video, pair of arms) of the experiment; arms of a pair in position order. */
function allUnits(experiment: ExperimentWithArms, videoIds: string[]): Unit[] {
  const arms = [...experiment.arms].sort((a, b) => a.position - b.position);
  return videoIds.flatMap((videoId) =>
    arms.flatMap((first, i) =>
      arms.slice(i + 1).map((second) => ({ videoId, firstArmId: first.id, secondArmId: second.id })),
    ),
  );
}

/**
 * The raters' side of an experiment: blind pairs, one vote per rater per (video, pair of arms).
 * Issue and vote run under a per-rater lock, so a rater never holds two open tasks for one unit.
 */
export class PreferenceService {
  private readonly settings: PreferenceSettings;

  constructor(
    private readonly repos: PreferenceRepositories,
    private readonly uow: UnitOfWork<RaterRepositories>,
    readonly links: PreviewLinks,
    settings: Partial<PreferenceSettings> = {},
  ) {
    this.settings = { ...DEFAULT_PREFERENCE_SETTINGS, ...settings };
  }

  /** The RUNNING experiments, without anything that would unblind them. */
  async runningExperiments(principal: Principal | undefined) {
    requireRole(principal, 'rater');
    return this.repos.experiments.list(100, 'RUNNING');
  }

  /**
   * The rater's open task, or a new one for a unit they have not voted on; null when done. The
   * arms' suggestions are computed outside the transaction (no lock is held during vector
   * search); the task is then created under the rater's lock after checking again that no open
   * task or vote appeared meanwhile.
   */
  async nextTask(principal: Principal | undefined, experimentId: string): Promise<TaskOffer> {
    const rater = requireRole(principal, 'rater');
    if (!this.links.ready) throw failedPrecondition('Rater previews are not served by this process');
    for (let round = 0; round < 3; round++) {
      const state = await this.raterState(this.repos, experimentId, rater.id);
      if (state.open || state.remaining.length === 0) return this.offer(state);
      const draft = await this.draftTask(state.experiment, rater.id, state.remaining);
      const offer = await this.uow.run(async (repos) => {
        await repos.preferences.lockRater(experimentId, rater.id);
        const locked = await this.raterState(repos, experimentId, rater.id);
        // A concurrent request of the same rater opened a task: serve that one.
        if (locked.open) return this.offer(locked);
        // ... or voted on this unit meanwhile: draft again.
        if (!locked.remaining.some((u) => unitKey(u) === unitKey(draft))) return null;
        return this.offer({ ...locked, open: await repos.preferences.createTask(draft) });
      });
      if (offer) return offer;
    }
    throw conflict('Concurrent requests for this rater; ask again');
  }

  /** One vote per rater and task (and per unit); anything else is refused before a write. */
  async submit(
    principal: Principal | undefined,
    taskId: string,
    choice: PreferenceChoice,
  ): Promise<{ progress: Progress }> {
    const rater = requireRole(principal, 'rater');
    const task = await this.repos.preferences.findTask(taskId);
    if (!task) throw notFound('Task', taskId);
    if (task.raterId !== rater.id) throw forbidden('This task was issued to another rater');
    return this.uow.run(async (repos) => {
      await repos.preferences.lockRater(task.experimentId, rater.id);
      const experiment = this.checkOpen(await repos.experiments.findById(task.experimentId), task.experimentId);
      if (task.expiresAt <= this.settings.now()) {
        throw failedPrecondition('This task has expired; ask for a new one', {
          expiredAt: task.expiresAt.toISOString(),
        });
      }
      const voted = await repos.preferences.votedUnits(experiment.id, rater.id);
      if (voted.some((u) => unitKey(u) === unitKey(task))) {
        throw conflict('You have already voted on this pair for this video', { taskId });
      }
      await repos.preferences.createVote(task.id, rater.id, choice);
      return { progress: { done: voted.length + 1, total: totalUnits(experiment) } };
    });
  }

  /** What the preview of one side mixes. Callers check the URL's signature first. */
  async previewSource(taskId: string, side: Side): Promise<PreviewSource> {
    const task = await this.repos.preferences.findTask(taskId);
    if (!task) throw notFound('Task', taskId);
    const first = (side === 'A') === task.firstIsA;
    return {
      videoId: task.videoId,
      trackId: first ? task.firstTrackId : task.secondTrackId,
      startSec: first ? task.firstStartSec : task.secondStartSec,
    };
  }

  /** Raters see RUNNING experiments only: a draft does not exist for them, a closed one takes no votes. */
  private checkOpen(experiment: ExperimentWithArms | null, id: string): ExperimentWithArms {
    if (!experiment || experiment.status === 'DRAFT') throw notFound('Experiment', id);
    if (experiment.status !== 'RUNNING') {
      throw failedPrecondition(`Experiment ${id} is ${experiment.status}; it takes no more votes`, {
        status: experiment.status,
      });
    }
    return experiment;
  }

  private async raterState(repos: RaterRepositories, experimentId: string, raterId: string) {
    const experiment = this.checkOpen(await repos.experiments.findById(experimentId), experimentId);
    const now = this.settings.now();
    const voted = await repos.preferences.votedUnits(experiment.id, raterId);
    const open = await repos.preferences.findOpenTask(experiment.id, raterId, now);
    const votedKeys = new Set(voted.map(unitKey));
    const remaining = open
      ? []
      : allUnits(experiment, await repos.experiments.videoIds(experiment.id)).filter((u) => !votedKeys.has(unitKey(u)));
    return { experiment, now, open, remaining, progress: { done: voted.length, total: totalUnits(experiment) } };
  }

  private offer(state: { open: TaskRecord | null; now: Date; progress: Progress }): TaskOffer {
    return { task: state.open ? this.serve(state.open, state.now) : null, progress: state.progress };
  }

  /** Picks a random remaining unit both arms can serve and what each suggests for it. */
  private async draftTask(experiment: ExperimentWithArms, raterId: string, units: Unit[]): Promise<NewTask> {
    const remaining = [...units];
    const arms = new Map(experiment.arms.map((a) => [a.id, a]));
    const deps = {
      embeddings: this.repos.embeddings,
      trackPool: this.repos.trackPool,
      vocalPenalties: this.settings.vocalPenalties,
    };
    const reasons: string[] = [];
    for (let attempt = 0; attempt < MAX_ISSUE_ATTEMPTS && remaining.length > 0; attempt++) {
      const [unit] = remaining.splice(Math.floor(this.settings.random() * remaining.length), 1);
      const id = randomUUID();
      const first = await recommenderFor(arms.get(unit!.firstArmId)!, deps).suggest(unit!.videoId, `${id}/first`);
      const second = await recommenderFor(arms.get(unit!.secondArmId)!, deps).suggest(unit!.videoId, `${id}/second`);
      if (!first.ok || !second.ok) {
        for (const [s, armId] of [
          [first, unit!.firstArmId],
          [second, unit!.secondArmId],
        ] as const) {
          if (!s.ok) reasons.push(`arm "${arms.get(armId)!.label}": ${s.reason}`);
        }
        continue;
      }
      return {
        id,
        experimentId: experiment.id,
        videoId: unit!.videoId,
        raterId,
        firstArmId: unit!.firstArmId,
        firstTrackId: first.trackId,
        firstStartSec: first.startSec,
        secondArmId: unit!.secondArmId,
        secondTrackId: second.trackId,
        secondStartSec: second.startSec,
        firstIsA: this.settings.random() < 0.5,
        // Served anyway: a tie by construction, kept visible in the results.
        sameTrack: first.trackId === second.trackId,
        expiresAt: new Date(this.settings.now().getTime() + this.settings.taskTtlMs),
      };
    }
    throw failedPrecondition(`No task can be served: ${reasons[0] ?? 'no unit left'}`, {
      reasons: reasons.slice(0, 5),
    });
  }

  private serve(task: TaskRecord, now: Date): ServedTask {
    const until = new Date(Math.min(task.expiresAt.getTime(), now.getTime() + this.settings.previewTtlMs));
    const a = this.links.sign(task.id, 'A', until);
    const b = this.links.sign(task.id, 'B', until);
    return { id: task.id, previewA: a.url, previewB: b.url, expiresAt: task.expiresAt, previewsExpireAt: a.expiresAt };
  }
}
