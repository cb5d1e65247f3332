import type { Db, MediaStatus } from '../../db/prisma-types';
import type { Experiment, ExperimentArm, Prisma } from '../../generated/prisma/client';
import type { ArmKind, ExperimentStatus } from '../../generated/prisma/enums';

export type ArmRecord = ExperimentArm;
export type ExperimentWithArms = Experiment & { arms: ArmRecord[]; videoCount: number };

export interface NewArm {
  label: string;
  kind: ArmKind;
  modelVersionId: string | null;
  config: Prisma.InputJsonObject;
}

export interface NewExperiment {
  name: string;
  description: string;
  arms: NewArm[];
  videoIds: string[];
}

export interface ExperimentRepository {
  /** The experiment with its arms (position = order given) and videos (in the order given). */
  create(experiment: NewExperiment): Promise<ExperimentWithArms>;
  findById(id: string): Promise<ExperimentWithArms | null>;
  /** Newest first. */
  list(take: number, status?: ExperimentStatus): Promise<ExperimentWithArms[]>;
  setStatus(id: string, status: ExperimentStatus): Promise<ExperimentWithArms>;
  /** The experiment's video ids in the order the admin gave them. */
  videoIds(experimentId: string): Promise<string[]>;
  /** Status of each of these videos that exists (any owner). */
  videoStatuses(ids: string[]): Promise<{ id: string; status: MediaStatus }[]>;
}

const withArms = {
  arms: { orderBy: { position: 'asc' } },
  _count: { select: { videos: true } },
} satisfies Prisma.ExperimentInclude;

type Loaded = Experiment & { arms: ArmRecord[]; _count: { videos: number } };

function toExperiment({ _count, ...row }: Loaded): ExperimentWithArms {
  return { ...row, videoCount: _count.videos };
}

export class PrismaExperimentRepository implements ExperimentRepository {
  constructor(private readonly db: Db) {}

  async create({ arms, videoIds, ...experiment }: NewExperiment) {
    const row = await this.db.experiment.create({
      data: {
        ...experiment,
        arms: { create: arms.map((arm, position) => ({ ...arm, position })) },
        videos: { create: videoIds.map((videoId, position) => ({ videoId, position })) },
      },
      include: withArms,
    });
    return toExperiment(row);
  }

  async findById(id: string) {
    const row = await this.db.experiment.findUnique({ where: { id }, include: withArms });
    return row ? toExperiment(row) : null;
  }

  async list(take: number, status?: ExperimentStatus) {
    const rows = await this.db.experiment.findMany({
      where: status ? { status } : {},
      orderBy: [{ createdAt: 'desc' }, { id: 'asc' }],
      take,
      include: withArms,
    });
    return rows.map(toExperiment);
  }

  async setStatus(id: string, status: ExperimentStatus) {
    return toExperiment(await this.db.experiment.update({ where: { id }, data: { status }, include: withArms }));
  }

  async videoIds(experimentId: string) {
    const rows = await this.db.experimentVideo.findMany({
      where: { experimentId },
      orderBy: { position: 'asc' },
      select: { videoId: true },
    });
    return rows.map((r) => r.videoId);
  }

  videoStatuses(ids: string[]) {
    return this.db.video.findMany({ where: { id: { in: ids } }, select: { id: true, status: true } });
  }
}
