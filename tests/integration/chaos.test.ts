import { builtWorker, formatReport, problems, runChaos } from '../../bench/chaos/chaos-run';
import { describeMode } from './harness';
import { modelDir } from './pipeline-helpers';
import { TEST_NATS_URL, TEST_PG_URL } from './services-probe';

const run = modelDir() ? describeMode : (m: 'postgres+nats', fn: () => void) => describe.skip(`[${m}]`, fn);

/**
 * The CI version of `npm run chaos` (bench/chaos): 20 items, one worker SIGKILL, Postgres and
 * NATS each down 10 s. Runs the built worker (scripts/test.sh builds first).
 */
describe('chaos (reduced)', () => {
  run('postgres+nats', () => {
    it('loses, duplicates and strands no job through a worker kill and Postgres and NATS outages', async () => {
      const report = await runChaos({
        tracks: 12,
        videos: 8,
        workers: 2,
        kills: 1,
        pgOutageS: 10,
        natsOutageS: 10,
        settleTimeoutS: 90,
        modelDir: modelDir()!,
        postgresUrl: TEST_PG_URL,
        natsUrl: TEST_NATS_URL,
        workerJs: builtWorker(),
        log: (line) => (process.env.CHAOS_VERBOSE ? process.stderr.write(`${line}\n`) : undefined),
      });
      process.stdout.write(`${formatReport(report)}\n`);
      expect(report.ingested).toEqual({ tracks: 12, videos: 8 });
      expect({ lost: report.lost, duplicated: report.duplicated, stranded: report.stranded }).toEqual({
        lost: 0,
        duplicated: 0,
        stranded: 0,
      });
      expect(report.duplicateEmbeddings).toBe(0);
      expect(problems(report)).toBe(0);
      expect(report.faults.every((f) => f.readyAfterS !== null)).toBe(true);
    }, 240_000);
  });
});
