import { execFileSync } from 'node:child_process';
import path from 'node:path';
import type { App } from '../../src/app/start-app';
import type { ModelEvaluation } from '../../src/jobs/handlers/model-evaluation';
import { makeTone, makeVideo } from '../helpers/media';
import { gql, grantUploads, tokenFor } from './harness';
import { ingest, modelDir, settledTracks, settledVideo, waitFor } from './pipeline-helpers';

export const EVALUATE = `mutation($id: ID!, $f: Float!) { evaluateModelVersion(id: $id, heldOutFraction: $f) { id evaluation } }`;

/** An app on the bundled model that runs its jobs, retrying and sweeping fast (the gate waits on both). */
export const gateAppEnv = () => ({
  MODEL_DIR: modelDir()!,
  RUN_JOBS: 'true',
  JOB_RETRY_BASE_MS: '100',
  ACTIVATION_CHECK_INTERVAL_MS: '200',
});

/** Four tone tracks in the catalog (READY), their ids. */
export async function toneCatalog(a: App, prefix: string): Promise<string[]> {
  const hz = [300, 420, 560, 700];
  hz.forEach((f) => makeTone(a.config.mediaRoot, `${prefix}${f}.ogg`, f, 40));
  const trackIds = await ingest(
    a,
    hz.map((f) => ({ mediaUri: `${prefix}${f}.ogg`, title: `${prefix}${f}` })),
  );
  expect((await settledTracks(a, trackIds)).every((t) => t.status === 'READY')).toBe(true);
  return trackIds;
}

/**
 * One READY video per track, registered by `creator`, each with a recorded choice of its track.
 * The videos from index `speakingFrom` on have a separate espeak-ng voice-over that speaks through
 * most of them (the instrumental preference applies to those); the others only a tone.
 */
export async function videosWithChoices(
  a: App,
  prefix: string,
  trackIds: string[],
  { creator = 'creator', speakingFrom = Infinity }: { creator?: string; speakingFrom?: number } = {},
) {
  const token = await tokenFor(a, 'app', creator);
  const videoIds: string[] = [];
  for (const [i, trackId] of trackIds.entries()) {
    const video = `${prefix}-v${i}.mp4`;
    makeVideo(a.config.mediaRoot, video, 4);
    const voice = i >= speakingFrom ? `${prefix}-v${i}-voice.wav` : undefined;
    if (voice)
      execFileSync('espeak-ng', ['-w', path.join(a.config.mediaRoot, voice), 'This is my trip to the mountains today']);
    await grantUploads(a, creator, video, ...(voice ? [voice] : []));
    const input = voice ? `{ mediaUri: "${video}", voiceOverUri: "${voice}" }` : `{ mediaUri: "${video}" }`;
    const reg = await gql(a, `mutation { registerVideo(input: ${input}) { video { id } } }`, {}, token);
    const id = reg.data!.registerVideo.video.id as string;
    expect((await settledVideo(a, id)).status).toBe('READY');
    videoIds.push(id);
    const chose = await gql(
      a,
      `mutation { recordBgmChoice(videoId: "${id}", trackId: "${trackId}", startSec: 2) { id } }`,
      {},
      token,
    );
    expect(chose.errors).toBeUndefined();
  }
  return videoIds;
}

/** The version's evaluation once the gate's job has finished it. */
export function finishedEvaluation(a: App, id: string): Promise<ModelEvaluation> {
  return waitFor(async () => {
    const e = (await a.repos.models.findById(id))!.evaluation as unknown as ModelEvaluation;
    return e.status === 'PREPARING' ? undefined : e;
  }, 'the gate to finish');
}
