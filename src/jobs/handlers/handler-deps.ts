import type { MediaStatus, ModelVersionRecord, TrackRecord, VideoRecord } from '../../db/prisma-types';
import type { UnitOfWork } from '../../db/unit-of-work';
import type { TypicalitySettings } from '../../inference/catalog-typicality';
import type { Embedder } from '../../inference/embedder';
import type { ModelFolder } from '../../inference/model-manifest';
import type { TrackScaling } from '../../inference/track-scaling';
import type { StoredVoiceActivity, VoiceActivityDetector } from '../../inference/voice-activity';
import type { MediaStorage } from '../../storage/media-storage';
import type { JobRepository } from '../job.repository';
import type { TrackAnalysisFields } from './track-analysis';

/*
 * What the handlers need of the catalog, stated here as ports rather than imported from the
 * modules: the modules enqueue jobs, so the job pipeline sits below them and never imports them.
 * The composition root passes the modules' repositories, which satisfy these structurally.
 */

/** A track or video row as an embedding job reads and updates it. */
export interface MediaRows<R> {
  findById(id: string): Promise<R | null>;
  setStatus(id: string, status: MediaStatus, fields?: { error?: string | null; durationSec?: number }): Promise<void>;
}

export interface ModelVersionRows {
  findById(id: string): Promise<ModelVersionRecord | null>;
  /** The active version, versions waiting to become active, the canary, candidates being evaluated. */
  findEmbeddingTargets(): Promise<ModelVersionRecord[]>;
}

export interface HandlerRepositories {
  tracks: MediaRows<TrackRecord> & {
    /** Live tracks without an embedding for the model, in id order after `afterId`. */
    idsMissingEmbedding(modelVersionId: string, take: number, afterId?: string): Promise<string[]>;
  };
  videos: MediaRows<VideoRecord> & {
    /** The video, its row locked until the transaction ends (a deletion waits for the embedding). */
    lockById(id: string): Promise<VideoRecord | null>;
    setVoiceActivity(id: string, activity: StoredVoiceActivity): Promise<void>;
  };
  models: ModelVersionRows;
  embeddings: {
    /** Replaces the per-window embeddings of (track, model version). */
    replaceTrackSegments(
      trackId: string,
      modelVersionId: string,
      segments: { windowIndex: number; startSec: number; embedding: number[] }[],
    ): Promise<void>;
    upsertTrackEmbedding(
      trackId: string,
      modelVersionId: string,
      embedding: number[],
      scaling?: TrackScaling | null,
    ): Promise<void>;
    upsertVideoEmbedding(videoId: string, modelVersionId: string, embedding: number[]): Promise<void>;
    /** Every track's catalog-typicality offset under the version, recomputed (in a transaction). */
    refreshTypicalityOffsets(modelVersionId: string, settings: TypicalitySettings): Promise<number>;
  };
  jobs: Pick<JobRepository, 'enqueueOnce'>;
  analyses: {
    /** The analyzer version of the track's stored analysis, or null when it has none. */
    analyzerVersion(trackId: string): Promise<number | null>;
    upsert(trackId: string, analysis: TrackAnalysisFields): Promise<void>;
  };
}

/** A model version's folder (manifest and ONNX files), read (or downloaded) once per version. */
export interface ModelFolders {
  folder(model: Pick<ModelVersionRecord, 'id' | 'artifactUri' | 'manifest'>): Promise<ModelFolder>;
}

export interface MediaLimits {
  maxMediaBytes: number;
  maxTrackSeconds: number;
  maxVideoSeconds: number;
  minMediaSeconds: number;
}

/** What the embedding handlers need; everything is a seam, so they run the same in both modes. */
export interface HandlerDeps {
  repos: HandlerRepositories;
  uow: UnitOfWork<HandlerRepositories>;
  storage: MediaStorage;
  embedder: Embedder;
  models: ModelFolders;
  /** The voice-over timeline of a video (speech segments) beside its embedding; a track's vocal presence. */
  vad: Pick<VoiceActivityDetector, 'detect' | 'speechShare'>;
  limits: MediaLimits;
  /** Called after media was embedded for a version that is waiting to become active. */
  onPendingModelEmbedded: (modelVersionId: string) => Promise<void>;
}
