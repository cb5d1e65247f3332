import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { S3rverProcess } from '../helpers/s3rver';
import { probeServices } from './services-probe';

const MODEL_DIR = path.resolve(__dirname, '../../test-artifacts/test-model');

/**
 * A model-version folder exported by the project's own training code (untrained, fixed seed), so
 * the pipeline tests run real ONNX inference through the same contract as a trained model.
 */
function exportTestModel(): string | undefined {
  try {
    fs.rmSync(MODEL_DIR, { recursive: true, force: true });
    execFileSync('/usr/bin/python3', ['-m', 'training.mrcmv.export', '--out', MODEL_DIR, '--seed', '7'], {
      cwd: path.resolve(__dirname, '../..'),
      stdio: 'pipe',
    });
    return undefined;
  } catch (err) {
    return `model export (python3 -m training.mrcmv.export) failed: ${String((err as { stderr?: Buffer }).stderr ?? err).slice(-500)}`;
  }
}

/**
 * Decides once whether the real-services suite (Postgres + pgvector, NATS JetStream, and the
 * object store it starts itself) can run.
 * With REQUIRE_SERVICES=1 (CI) a missing service fails the run instead of skipping the suite.
 */
export default async function globalSetup(): Promise<void> {
  const modelProblem = exportTestModel();
  if (modelProblem) {
    if (process.env.REQUIRE_SERVICES === '1') throw new Error(modelProblem);
    process.stderr.write(`${modelProblem}\nSkipping the ingestion pipeline suite.\n`);
  } else {
    process.env.BGM_TEST_MODEL_DIR = MODEL_DIR;
  }
  const problems = await probeServices();
  if (problems.length === 0) {
    // The postgres+nats mode keeps media in an object store: a real S3-protocol server (s3rver
    // from the npm registry) in a process of its own, stopped by global-teardown.ts.
    const server = new S3rverProcess();
    try {
      await server.start();
      (globalThis as { __bgmS3rver?: S3rverProcess }).__bgmS3rver = server;
      process.env.BGM_TEST_S3_ENDPOINT = server.endpoint;
      process.env.BGM_SERVICES_AVAILABLE = '1';
      return;
    } catch (err) {
      await server.dispose();
      problems.push(`object store (s3rver): ${(err as Error).message}`);
    }
  }
  const message = `Real-services suite unavailable:\n  - ${problems.join('\n  - ')}`;
  if (process.env.REQUIRE_SERVICES === '1') throw new Error(`${message}\n(REQUIRE_SERVICES=1)`);
  process.stderr.write(`${message}\nSkipping it; set REQUIRE_SERVICES=1 to make this an error.\n`);
  process.env.BGM_SERVICES_AVAILABLE = '0';
}
