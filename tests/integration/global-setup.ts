import { probeServices } from './services-probe';

/**
 * Decides once whether the real-services suite (Postgres + pgvector, NATS JetStream) can run.
 * With REQUIRE_SERVICES=1 (CI) a missing service fails the run instead of skipping the suite.
 */
export default async function globalSetup(): Promise<void> {
  const problems = await probeServices();
  if (problems.length === 0) {
    process.env.BGM_SERVICES_AVAILABLE = '1';
    return;
  }
  const message = `Real-services suite unavailable:\n  - ${problems.join('\n  - ')}`;
  if (process.env.REQUIRE_SERVICES === '1') throw new Error(`${message}\n(REQUIRE_SERVICES=1)`);
  process.stderr.write(`${message}\nSkipping it; set REQUIRE_SERVICES=1 to make this an error.\n`);
  process.env.BGM_SERVICES_AVAILABLE = '0';
}
