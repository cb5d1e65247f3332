import { randomUUID } from 'node:crypto';
import type { Repositories } from '../../../../src/app/repositories';
import type { UnitOfWork } from '../../../../src/db/unit-of-work';
import type { PreferenceVote } from '../../../../src/generated/prisma/client';
import type { ExperimentStatus, PreferenceChoice } from '../../../../src/generated/prisma/enums';
import type {
  ArmRecord,
  ExperimentRepository,
  ExperimentWithArms,
  NewExperiment,
} from '../../../../src/modules/experiment/experiment.repository';
import type {
  NewTask,
  PreferenceRepository,
  TaskRecord,
  Unit,
} from '../../../../src/modules/experiment/preference.repository';
import type { TrackPoolRepository } from '../../../../src/modules/experiment/track-pool.repository';
import { FakeEmbeddings, FakeTracks, FakeVideos, fakeModel } from '../../../helpers/fakes';

/** In-memory experiment repositories for service unit tests. */
export class FakeExperiments implements ExperimentRepository {
  rows: (ExperimentWithArms & { videoIds: string[] })[] = [];
  constructor(private readonly videos: FakeVideos) {}

  create({ arms, videoIds, ...e }: NewExperiment) {
    const id = randomUUID();
    const armRows: ArmRecord[] = arms.map((a, position) => ({
      id: randomUUID(),
      experimentId: id,
      position,
      createdAt: new Date(),
      ...a,
      config: a.config as ArmRecord['config'],
    }));
    const row = {
      id,
      ...e,
      status: 'DRAFT' as ExperimentStatus,
      arms: armRows,
      videoIds,
      videoCount: videoIds.length,
      createdAt: new Date(),
      updatedAt: new Date(),
    };
    this.rows.push(row);
    return Promise.resolve(row);
  }
  findById(id: string) {
    return Promise.resolve(this.rows.find((e) => e.id === id) ?? null);
  }
  list(take: number, status?: ExperimentStatus) {
    return Promise.resolve(this.rows.filter((e) => !status || e.status === status).slice(0, take));
  }
  setStatus(id: string, status: ExperimentStatus) {
    const row = this.rows.find((e) => e.id === id)!;
    row.status = status;
    return Promise.resolve(row);
  }
  videoIds(experimentId: string) {
    return Promise.resolve(this.rows.find((e) => e.id === experimentId)?.videoIds ?? []);
  }
  videoStatuses(ids: string[]) {
    return Promise.resolve(
      this.videos.rows.filter((v) => ids.includes(v.id)).map(({ id, status }) => ({ id, status })),
    );
  }
}

export class FakePreferences implements PreferenceRepository {
  tasks: TaskRecord[] = [];
  votes: PreferenceVote[] = [];
  locks: string[] = [];
  constructor(private readonly experiments: FakeExperiments) {}

  lockRater(experimentId: string, raterId: string) {
    this.locks.push(`${experimentId}/${raterId}`);
    return Promise.resolve();
  }
  findOpenTask(experimentId: string, raterId: string, now: Date) {
    const open = this.tasks.filter(
      (t) =>
        t.experimentId === experimentId &&
        t.raterId === raterId &&
        t.expiresAt > now &&
        !this.votes.some((v) => v.taskId === t.id),
    );
    return Promise.resolve(open.at(-1) ?? null);
  }
  createTask(task: NewTask) {
    const row = { ...task, createdAt: new Date() };
    this.tasks.push(row);
    return Promise.resolve(row);
  }
  async findTask(id: string) {
    const task = this.tasks.find((t) => t.id === id);
    if (!task) return null;
    const experiment = (await this.experiments.findById(task.experimentId))!;
    return { ...task, experiment };
  }
  votedUnits(experimentId: string, raterId: string): Promise<Unit[]> {
    const voted = this.tasks.filter(
      (t) => t.experimentId === experimentId && this.votes.some((v) => v.taskId === t.id && v.raterId === raterId),
    );
    return Promise.resolve(voted.map(({ videoId, firstArmId, secondArmId }) => ({ videoId, firstArmId, secondArmId })));
  }
  createVote(taskId: string, raterId: string, choice: PreferenceChoice) {
    if (this.votes.some((v) => v.taskId === taskId && v.raterId === raterId))
      return Promise.reject(new Error('unique (task, rater)'));
    const vote = { id: randomUUID(), taskId, raterId, choice, createdAt: new Date() };
    this.votes.push(vote);
    return Promise.resolve(vote);
  }
  outcomes(experimentId: string) {
    return Promise.resolve(
      this.votes.flatMap((v) => {
        const t = this.tasks.find((x) => x.id === v.taskId && x.experimentId === experimentId);
        return t
          ? [
              {
                choice: v.choice,
                raterId: v.raterId,
                firstArmId: t.firstArmId,
                secondArmId: t.secondArmId,
                firstIsA: t.firstIsA,
                sameTrack: t.sameTrack,
              },
            ]
          : [];
      }),
    );
  }
}

/** Suggestible tracks by id, each with tags. */
export class FakeTrackPool implements TrackPoolRepository {
  tracks: { id: string; tags: string[] }[] = [];
  private matching(tags?: string[]) {
    return this.tracks
      .filter((t) => !tags || t.tags.some((x) => tags.includes(x)))
      .sort((a, b) => a.id.localeCompare(b.id));
  }
  count(tags?: string[]) {
    return Promise.resolve(this.matching(tags).length);
  }
  idAt(offset: number, tags?: string[]) {
    return Promise.resolve(this.matching(tags)[offset]?.id ?? null);
  }
}

export function experimentRepositories() {
  const videos = new FakeVideos();
  const tracks = new FakeTracks();
  const embeddings = new FakeEmbeddings();
  const experiments = new FakeExperiments(videos);
  const preferences = new FakePreferences(experiments);
  const trackPool = new FakeTrackPool();
  const model = fakeModel();
  const models = {
    findById: (id: string) => Promise.resolve(id === model.id ? model : null),
    findActive: () => Promise.resolve(model),
  };
  const repos = { videos, tracks, embeddings, experiments, preferences, trackPool, models } as unknown as Repositories;
  const uow: UnitOfWork<Repositories> = { run: (fn) => fn(repos) };
  return { repos, uow, videos, tracks, embeddings, experiments, preferences, trackPool, model };
}

/** A READY video of `owner`. */
export async function readyVideo(videos: FakeVideos, owner = 'creator') {
  const v = await videos.create({ ownerId: owner, mediaUri: `media://${randomUUID()}.mp4` });
  v.status = 'READY';
  return v;
}
