/**
 * npm run bench:ingest [-- --model DIR --tracks N --videos N --only music|video|pipeline]
 * Ingest throughput and latency on CPU, stage by stage and end to end through the real job
 * pipeline (embedded default: PGlite + in-process queue + inference thread). The query-video part
 * times, alternately on the same 32 s video, the former sequential path (probe, every frame
 * decoded, voice-over decode, features, inference) and the current one (query-video-inputs.ts:
 * voice-over and frames concurrently, non-reference frames skipped), with the embeddings' cosine.
 */
import 'reflect-metadata';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { execFileSync } from 'node:child_process';
import { startApp } from '../src/app/start-app';
import { createLogger } from '../src/common/logger';
import { projectRoot } from '../src/common/paths';
import { loadConfig } from '../src/config/config';
import { clipPatches, musicClip, musicWindows } from '../src/features/clip';
import { OnnxEmbedder } from '../src/inference/embedder';
import { readModelFolder } from '../src/inference/model-manifest';
import { OnnxPool } from '../src/inference/onnx-pool';
import { decodeAudio } from '../src/media/decode-audio';
import { decodeClipFrames, decoderThreads } from '../src/media/decode-frames';
import { probeMedia } from '../src/media/probe';
import { readQueryVideo } from '../src/jobs/handlers/query-video-inputs';
import type { ModelFolder } from '../src/inference/model-manifest';
import { copyDebianMusic } from '../tests/helpers/debian-music';
import { benchModelDir, machine, median, timed } from './bench-utils';

const { values } = parseArgs({
  options: {
    model: { type: 'string' },
    tracks: { type: 'string', default: '12' },
    videos: { type: 'string', default: '5' },
    only: { type: 'string' },
  },
});
const nTracks = Number(values.tracks);
const nVideos = Number(values.videos);

function openEmbedder() {
  // One inference thread with one intra-op thread: figures per core.
  const pool = new OnnxPool(1, { provider: 'cpu', threadsPerSession: 1 }, createLogger('silent'));
  return { pool, embedder: new OnnxEmbedder(pool, 8) };
}

async function musicStages(folder: ModelFolder, music: string[]) {
  const { pool, embedder } = openEmbedder();
  let audioSec = 0;
  const t = { decode: 0, features: 0, inference: 0 };
  await embedder.embedMusic(folder, [musicClip(new Float32Array(16000))]); // load the session
  for (const file of music) {
    const [audio, dMs] = await timed(() => decodeAudio(file, { maxDurationSeconds: 1800 }));
    // The model's own window spacing (manifest windowHopSeconds), as embed-track.handler.ts cuts them.
    const [windows, fMs] = await timed(() =>
      Promise.resolve(musicWindows(audio.pcm, folder.manifest.windowHopSeconds)),
    );
    const [, iMs] = await timed(() => embedder.embedMusic(folder, windows));
    audioSec += audio.durationSeconds;
    t.decode += dMs;
    t.features += fMs;
    t.inference += iMs;
  }
  const totalMs = t.decode + t.features + t.inference;
  console.log(
    `\n## Music, ${music.length} real tracks, ${audioSec.toFixed(0)} s of audio, windows every ${folder.manifest.windowHopSeconds} s, 1 core`,
  );
  console.log(`| stage | ms per audio minute | real-time factor |`);
  console.log(`|---|---|---|`);
  for (const [k, ms] of Object.entries({ ...t, total: totalMs })) {
    console.log(`| ${k} | ${((ms / audioSec) * 60).toFixed(1)} | ${(audioSec / (ms / 1000)).toFixed(0)}x |`);
  }
  await pool.close();
}

async function videoStages(folder: ModelFolder, video: string, voice: string) {
  const { pool, embedder } = openEmbedder();
  const { width, height } = folder.manifest.video;
  const bounds = { maxFileBytes: 1e9, maxDurationSeconds: 600 };
  await embedder.embedQuery(folder, {
    fast: new Float32Array(64 * 3 * height * width),
    slow: new Float32Array(8 * 3 * height * width),
    voice: clipPatches(new Float32Array(16000)),
  });
  const before: Record<string, number[]> = {
    'probe (video, voice-over)': [],
    'frames (every frame decoded, loop filter on)': [],
    'voice-over decode': [],
    features: [],
    inference: [],
    total: [],
  };
  const after: Record<string, number[]> = {
    'video probe, then frames (non-reference frames and loop filter skipped) and voice-over decode in one ffmpeg, no voice-over probe + features':
      [],
    inference: [],
    total: [],
  };
  const cosines: number[] = [];
  // The frame decode alone (non-reference frames skipped) on ffmpeg's thread count and on
  // decoderThreads' choice for this machine and picture, alternately.
  const threads = { auto: [] as number[], chosen: [] as number[] };
  // And with the loop filter kept or skipped (decodeClipFrames' skipLoopFilter), alternately.
  const loopFilter = { kept: [] as number[], skipped: [] as number[] };
  // And the query video's inputs with the voice-over decoded in the frames' ffmpeg or in its own.
  const processes = { one: [] as number[], two: [] as number[] };
  let chosenThreads = 0;
  // Alternating, so that both paths see the same load on a shared machine.
  for (let i = 0; i < nVideos; i++) {
    const t0 = performance.now();
    const [[info, voiceInfo], pMs] = await timed(() =>
      Promise.resolve().then(async () => [
        await probeMedia(video, { ...bounds, requireVideo: true }),
        await probeMedia(voice, { ...bounds, requireAudio: true }),
      ]),
    );
    const [frames, frMs] = await timed(() =>
      decodeClipFrames(video, {
        width,
        height,
        format: info.formatName,
        streamIndex: info.video!.index,
        skipNonReferenceFrames: false,
        skipLoopFilter: false,
        decoderThreads: 0, // ffmpeg's own choice, as before decoderThreads
      }),
    );
    const [pcm, vMs] = await timed(() =>
      decodeAudio(voice, { maxDurationSeconds: 32, format: voiceInfo.formatName, streamIndex: voiceInfo.audio!.index }),
    );
    const [patches, fMs] = await timed(() => Promise.resolve(clipPatches(pcm.pcm)));
    const [e1, iMs] = await timed(() =>
      embedder.embedQuery(folder, { fast: frames.fast, slow: frames.slow, voice: patches }),
    );
    const beforeMs = performance.now() - t0;
    Object.entries({
      'probe (video, voice-over)': pMs,
      'frames (every frame decoded, loop filter on)': frMs,
      'voice-over decode': vMs,
      features: fMs,
      inference: iMs,
      total: beforeMs,
    }).forEach(([k, v]) => before[k]!.push(v));

    const t1 = performance.now();
    const [inputs, rMs] = await timed(() => readQueryVideo(video, voice, [{ width, height }], { bounds }));
    const clip = inputs.frames.get(`${width}x${height}`)!;
    const [e2, i2Ms] = await timed(() =>
      embedder.embedQuery(folder, { fast: clip.fast, slow: clip.slow, voice: inputs.voicePatches }),
    );
    Object.entries({
      'video probe, then frames (non-reference frames and loop filter skipped) and voice-over decode in one ffmpeg, no voice-over probe + features':
        rMs,
      inference: i2Ms,
      total: performance.now() - t1,
    }).forEach(([k, v]) => after[k]!.push(v));
    // The same inputs read the former way, right after: the pair for the one-process comparison.
    processes.one.push(rMs);
    processes.two.push(
      (await timed(() => readQueryVideo(video, voice, [{ width, height }], { bounds, oneProcess: false })))[1],
    );
    cosines.push(e1.reduce((s, x, j) => s + x * e2[j]!, 0));

    const sampled = { width, height, format: info.formatName, streamIndex: info.video!.index };
    threads.auto.push((await timed(() => decodeClipFrames(video, { ...sampled, decoderThreads: 0 })))[1]);
    chosenThreads = decoderThreads(os.availableParallelism(), info.video!);
    threads.chosen.push((await timed(() => decodeClipFrames(video, { ...sampled, sourceSize: info.video! })))[1]);
    const oneThread = { ...sampled, decoderThreads: 1 };
    loopFilter.kept.push((await timed(() => decodeClipFrames(video, { ...oneThread, skipLoopFilter: false })))[1]);
    loopFilter.skipped.push((await timed(() => decodeClipFrames(video, oneThread)))[1]);
  }
  // The loop filter's effect on the embedding of the demo videos (their own audio as voice-over).
  const demoCosines: number[] = [];
  const demoDir = path.join(projectRoot(), 'demo', 'videos');
  for (const file of fs.readdirSync(demoDir).filter((f) => f.endsWith('.mp4'))) {
    const demo = path.join(demoDir, file);
    const [kept, skipped] = await Promise.all(
      [false, true].map(async (skipLoopFilter) => {
        const inputs = await readQueryVideo(demo, undefined, [{ width, height }], { bounds, skipLoopFilter });
        const clip = inputs.frames.get(`${width}x${height}`)!;
        return embedder.embedQuery(folder, { fast: clip.fast, slow: clip.slow, voice: inputs.voicePatches });
      }),
    );
    demoCosines.push(kept!.reduce((s, x, j) => s + x * skipped![j]!, 0));
  }
  console.log(
    `\n## One 32 s query video (640x360, 30 fps H.264, separate voice-over), median of ${nVideos}, 1 inference core`,
  );
  console.log(`Before (sequential, as the embed-video job did up to 09d99d0):`);
  console.log(`| stage | ms |`);
  console.log(`|---|---|`);
  for (const [k, v] of Object.entries(before)) console.log(`| ${k} | ${median(v).toFixed(0)} |`);
  console.log(`\nAfter (query-video-inputs.ts, what the job does now):`);
  console.log(`| stage | ms |`);
  console.log(`|---|---|`);
  for (const [k, v] of Object.entries(after)) console.log(`| ${k} | ${median(v).toFixed(0)} |`);
  console.log(
    `\nafter/before total: ${(median(after.total!) / median(before.total!)).toFixed(2)}; ` +
      `embedding cosine after vs before: min ${Math.min(...cosines).toFixed(6)}`,
  );
  const [auto, chosen, cores] = [median(threads.auto), median(threads.chosen), os.availableParallelism()];
  console.log(
    `frame decode alone: ffmpeg's thread count ${auto.toFixed(0)} ms, ` +
      `${chosenThreads || "ffmpeg's"} thread${chosenThreads === 1 ? '' : 's'} (decoderThreads, ${cores} core${cores === 1 ? '' : 's'}) ` +
      `${chosen.toFixed(0)} ms, ratio ${(chosen / auto).toFixed(2)}`,
  );
  const [kept, skipped] = [median(loopFilter.kept), median(loopFilter.skipped)];
  console.log(
    `frame decode alone on one thread: loop filter kept ${kept.toFixed(0)} ms, skipped ${skipped.toFixed(0)} ms, ` +
      `ratio ${(skipped / kept).toFixed(2)}; embedding cosine, loop filter skipped vs kept, ${demoCosines.length} demo videos: ` +
      `min ${Math.min(...demoCosines).toFixed(6)}`,
  );
  const [one, two] = [median(processes.one), median(processes.two)];
  console.log(
    `query video inputs, the voice-over probed and decoded in ffprobe and ffmpeg of its own ${two.toFixed(0)} ms, ` +
      `decoded in the frames' ffmpeg without a probe ${one.toFixed(0)} ms, ratio ${(one / two).toFixed(2)}`,
  );
  await pool.close();
}

async function endToEnd(modelDir: string, dataDir: string, names: string[]) {
  const config = loadConfig({
    DATA_DIR: dataDir,
    PORT: '0',
    LOG_LEVEL: 'silent',
    MODEL_DIR: modelDir,
    OUTBOX_POLL_MS: '50',
  });
  const app = await startApp(config, createLogger('silent'));
  try {
    const started = Date.now();
    const result = await app.services.ingest.ingestTracks(
      { id: 'bench', roles: ['admin'] },
      names.map((n) => ({ mediaUri: n, title: n, artist: 'bench', tags: [], moods: [] })),
    );
    const ids = result.created.map((c) => c.track.id);
    for (;;) {
      const done = await app.db.prisma.track.count({ where: { id: { in: ids }, status: { in: ['READY', 'FAILED'] } } });
      if (done === ids.length) break;
      await new Promise((r) => setTimeout(r, 50));
    }
    const min = (Date.now() - started) / 60_000;
    const ready = await app.db.prisma.track.count({ where: { id: { in: ids }, status: 'READY' } });
    console.log(
      `\n## End to end: ingestTracks -> READY, embedded default, 1 worker (concurrency ${config.worker.concurrency}, ${config.inference.intraOpThreads} inference threads)`,
    );
    console.log(`| tracks | READY | wall s | tracks per minute |`);
    console.log(`|---|---|---|---|`);
    console.log(`| ${ids.length} | ${ready} | ${(min * 60).toFixed(1)} | ${(ids.length / min).toFixed(1)} |`);
  } finally {
    await app.stop();
  }
}

async function main() {
  const modelDir = benchModelDir(values.model);
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'bgm-bench-'));
  const media = path.join(dataDir, 'media');
  const only = values.only;
  fs.mkdirSync(media, { recursive: true });
  const names = only === 'video' ? [] : copyDebianMusic(media, nTracks);
  const video = path.join(media, 'query.mp4');
  const voice = path.join(media, 'voice.wav');
  execFileSync('ffmpeg', [
    '-v',
    'error',
    '-y',
    '-f',
    'lavfi',
    '-i',
    'testsrc2=size=640x360:rate=30:duration=32',
    '-pix_fmt',
    'yuv420p',
    video,
  ]);
  execFileSync('espeak-ng', [
    '-w',
    voice,
    'Here we go. Three enemies on the left, and the final push starts right now. Watch this!',
  ]);
  console.log(
    `# bench:ingest  ${new Date().toISOString()}  ${machine()}  model ${path.basename(modelDir)}  ` +
      `load average ${os
        .loadavg()
        .map((l) => l.toFixed(2))
        .join(' ')}`,
  );
  try {
    const folder = readModelFolder(modelDir);
    if (!only || only === 'music')
      await musicStages(
        folder,
        names.map((n) => path.join(media, n)),
      );
    if (!only || only === 'video') await videoStages(folder, video, voice);
    if (!only || only === 'pipeline') await endToEnd(modelDir, dataDir, names);
  } finally {
    fs.rmSync(dataDir, { recursive: true, force: true });
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
