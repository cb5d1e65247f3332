import type { Db } from '../../db/prisma-types';
import type { Experiment, PreferenceTask, PreferenceVote } from '../../generated/prisma/client';
import type { PreferenceChoice } from '../../generated/prisma/enums';
import type { VoteOutcome } from './results';

export type TaskRecord = PreferenceTask;
export type TaskWithExperiment = PreferenceTask & { experiment: Experiment };

export type NewTask = Omit<PreferenceTask, 'createdAt'>;

/** What one rater judges once: a video under a pair of arms (first = lower position). */
export interface Unit {
  videoId: string;
  firstArmId: string;
  secondArmId: string;
}

export interface PreferenceRepository {
  /**
   * Serialises task issue and voting of one rater in one experiment until the transaction ends,
   * so two concurrent requests cannot both open or vote on the same unit. Call inside a transaction.
   */
  lockRater(experimentId: string, raterId: string): Promise<void>;
  /** The rater's newest task that is neither expired nor voted on. */
  findOpenTask(experimentId: string, raterId: string, now: Date): Promise<TaskRecord | null>;
  createTask(task: NewTask): Promise<TaskRecord>;
  findTask(id: string): Promise<TaskWithExperiment | null>;
  /** Units the rater has voted on in this experiment. */
  votedUnits(experimentId: string, raterId: string): Promise<Unit[]>;
  createVote(taskId: string, raterId: string, choice: PreferenceChoice): Promise<PreferenceVote>;
  /** Every vote of the experiment with what it takes to score it. */
  outcomes(experimentId: string): Promise<VoteOutcome[]>;
}

// Lock class of the two-key advisory locks (a key space apart from the migrator's one-key lock).
const RATER_LOCK_CLASS = 0x62676d31;

export class PrismaPreferenceRepository implements PreferenceRepository {
  constructor(private readonly db: Db) {}

  async lockRater(experimentId: string, raterId: string) {
    // $executeRaw: pg_advisory_xact_lock returns void, which a result-reading query cannot decode.
    await this.db
      .$executeRaw`SELECT pg_advisory_xact_lock(${RATER_LOCK_CLASS}::int, hashtext(${`${experimentId}/${raterId}`}))`;
  }

  findOpenTask(experimentId: string, raterId: string, now: Date) {
    return this.db.preferenceTask.findFirst({
      where: { experimentId, raterId, expiresAt: { gt: now }, votes: { none: {} } },
      orderBy: { createdAt: 'desc' },
    });
  }

  createTask(task: NewTask) {
    return this.db.preferenceTask.create({ data: task });
  }

  findTask(id: string) {
    return this.db.preferenceTask.findUnique({ where: { id }, include: { experiment: true } });
  }

  async votedUnits(experimentId: string, raterId: string) {
    return this.db.preferenceTask.findMany({
      where: { experimentId, votes: { some: { raterId } } },
      select: { videoId: true, firstArmId: true, secondArmId: true },
    });
  }

  createVote(taskId: string, raterId: string, choice: PreferenceChoice) {
    return this.db.preferenceVote.create({ data: { taskId, raterId, choice } });
  }

  async outcomes(experimentId: string): Promise<VoteOutcome[]> {
    const rows = await this.db.preferenceVote.findMany({
      where: { task: { experimentId } },
      select: {
        choice: true,
        raterId: true,
        task: { select: { firstArmId: true, secondArmId: true, firstIsA: true, sameTrack: true } },
      },
    });
    return rows.map(({ choice, raterId, task }) => ({ choice, raterId, ...task }));
  }
}
