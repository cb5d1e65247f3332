import type { JobRecord } from '../../db/prisma-types';
import { meanDirection } from '../../inference/embedder';
import type { ModelFolder } from '../../inference/model-manifest';
import { trackScaling, type TrackScaling } from '../../inference/track-scaling';
import { musicWindows, type MusicWindow } from '../../features/clip';
import { decodeAudio } from '../../media/decode-audio';
import { probeMedia } from '../../media/probe';
import type { JobContext, JobHandler } from '../job-handler';
import { failSubject, startEmbedding } from './embedding-subject';
import type { HandlerDeps } from './handler-deps';
import { ANALYZER_VERSION, analyzeTrack, type TrackAnalysisFields } from './track-analysis';

/**
 * Catalog track: decode to 16 kHz mono, cut into 32 s windows (every windowHopSeconds of the model
 * version), embed each with the BGM branch; store the windows (start offsets) and their normalised
 * mean (the track's search vector), with the track's score scaling when the model ships reference queries.
 * A model with catalogTypicality then gets its catalog pass: every track's offset recomputed.
 * Also analyses the music (tempo, beats, loudness: track-analysis.ts) once per analyzer version.
 */
export class EmbedTrackHandler implements JobHandler {
  readonly kind = 'EMBED_TRACK' as const;

  constructor(private readonly deps: HandlerDeps) {}

  async run(job: JobRecord, ctx: JobContext): Promise<void> {
    const { repos, uow, storage, embedder, models, limits } = this.deps;
    const { id: trackId, row: track, targets } = await startEmbedding(job, 'track', repos.tracks, repos.models);
    const needsAnalysis = (await repos.analyses.analyzerVersion(trackId)) !== ANALYZER_VERSION;
    let analysis: TrackAnalysisFields | undefined;

    // On an object store the worker reads a scratch copy; a store outage is retried as any transient fault.
    const audio = await storage.withLocalFile(track.mediaUri, async (file) => {
      const probed = await probeMedia(file, {
        maxFileBytes: limits.maxMediaBytes,
        maxDurationSeconds: limits.maxTrackSeconds,
        minDurationSeconds: limits.minMediaSeconds,
        requireAudio: true,
      });
      ctx.heartbeat();
      const decoded = await decodeAudio(file, {
        format: probed.formatName,
        streamIndex: probed.audio!.index,
        maxDurationSeconds: limits.maxTrackSeconds,
        declaredDurationSeconds: probed.audio!.durationSeconds,
      });
      ctx.heartbeat();
      // After the decode, so media that cannot be decoded fails the job as before; the analysis itself never does.
      if (needsAnalysis) analysis = await analyzeTrack(file, probed, decoded.pcm, decoded.sampleRate, this.deps.vad);
      return decoded;
    });
    ctx.heartbeat();

    // Each model version says how far apart its windows start (manifest windowHopSeconds).
    const windowsByHop = new Map<number, MusicWindow[]>();
    const perModel: {
      model: (typeof targets)[number];
      folder: ModelFolder;
      windows: MusicWindow[];
      vectors: number[][];
      scaling: TrackScaling | null;
    }[] = [];
    for (const model of targets) {
      const folder = await models.folder(model);
      const hop = folder.manifest.windowHopSeconds;
      const windows = windowsByHop.get(hop) ?? musicWindows(audio.pcm, hop);
      windowsByHop.set(hop, windows);
      const vectors = await embedder.embedMusic(folder, windows, ctx.heartbeat);
      // Ranking standardises this track's scores against the model's reference queries, if it ships them.
      const scaling = folder.referenceQueries
        ? trackScaling(folder.referenceQueries, vectors, folder.manifest.referenceSoftmaxBeta)
        : null;
      perModel.push({ model, folder, windows, vectors, scaling });
    }

    await uow.run(async (tx) => {
      for (const { model, windows, vectors, scaling } of perModel) {
        await tx.embeddings.replaceTrackSegments(
          trackId,
          model.id,
          windows.map((w, i) => ({ windowIndex: w.index, startSec: w.startSeconds, embedding: vectors[i]! })),
        );
        await tx.embeddings.upsertTrackEmbedding(trackId, model.id, meanDirection(vectors), scaling);
      }
      if (analysis) await tx.analyses.upsert(trackId, analysis);
      await tx.tracks.setStatus(trackId, 'READY', { error: null, durationSec: audio.durationSeconds });
    });
    // After the commit, one transaction per version: the pass reads this track's windows with the rest.
    for (const { model, folder } of perModel) {
      const typicality = folder.manifest.catalogTypicality;
      if (typicality) await uow.run((tx) => tx.embeddings.refreshTypicalityOffsets(model.id, typicality));
    }
    for (const { model } of perModel) if (!model.active) await this.deps.onPendingModelEmbedded(model.id);
    ctx.logger.info(
      {
        trackId,
        windows: perModel.map((m) => m.windows.length),
        seconds: audio.durationSeconds,
        models: targets.length,
        ...(analysis && {
          tempoBpm: analysis.tempoBpm,
          loudnessLufs: analysis.loudnessLufs,
          vocalPresence: analysis.vocalPresence,
          analysisErrors: [analysis.rhythmError, analysis.loudnessError, analysis.vocalError].filter((e) => e !== null),
        }),
      },
      'track embedded',
    );
  }

  onFailed(job: JobRecord, reason: string): Promise<void> {
    return failSubject(job, 'track', this.deps.repos.tracks, reason);
  }
}
