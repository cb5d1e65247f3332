import { randomUUID } from 'node:crypto';
import type { Repositories } from '../../src/app/repositories';
import type { UnitOfWork } from '../../src/db/unit-of-work';
import type { JobRecord, ModelVersionRecord, VideoRecord } from '../../src/db/prisma-types';
import type { JobRepository } from '../../src/jobs/job.repository';
import type { EmbeddingRepository, ScoredTrack } from '../../src/modules/suggestion/embedding.repository';
import type {
  RankedSuggestion,
  VideoSuggestionQuery,
  VideoSuggestionRepository,
  VideoSuggestionResult,
} from '../../src/modules/suggestion/video-suggestion.repository';
import type {
  NewTrack,
  TrackMetadata,
  TrackRepository,
  TrackWithLicenses,
} from '../../src/modules/track/track.repository';
import type { UploadRef, UploadRepository } from '../../src/modules/video/upload.repository';
import type { NewVideo, VideoRepository } from '../../src/modules/video/video.repository';
import type { StoredVoiceActivity } from '../../src/inference/voice-activity';
import type { MediaStorage, StoredMedia } from '../../src/storage/media-storage';
import { badInput } from '../../src/common/errors';

/** In-memory repositories for service unit tests (one layer, no database). */
export class FakeTracks implements TrackRepository {
  rows: TrackWithLicenses[] = [];
  private clock = Date.parse('2026-01-01T00:00:00Z');

  findById(id: string) {
    return Promise.resolve(this.rows.find((t) => t.id === id) ?? null);
  }
  findByIds(ids: string[]) {
    return Promise.resolve(this.rows.filter((t) => ids.includes(t.id)));
  }
  list(_filter: unknown, take: number, after?: { createdAt: Date; id: string }) {
    const sorted = [...this.rows].sort((a, b) => +a.createdAt - +b.createdAt || a.id.localeCompare(b.id));
    const start = after
      ? sorted.findIndex(
          (t) => +t.createdAt > +after.createdAt || (+t.createdAt === +after.createdAt && t.id > after.id),
        )
      : 0;
    return Promise.resolve(start < 0 ? [] : sorted.slice(start, start + take));
  }
  findByContentHashes(hashes: string[]) {
    return Promise.resolve(this.rows.filter((t) => hashes.includes(t.contentHash)));
  }
  setStatus(
    id: string,
    status: TrackWithLicenses['status'],
    fields: { error?: string | null; durationSec?: number } = {},
  ) {
    Object.assign(
      this.rows.find((t) => t.id === id)!,
      { status, ...fields },
    );
    return Promise.resolve();
  }
  anyReadyMissingEmbedding() {
    return Promise.resolve(false);
  }
  setRetired(id: string, retired: boolean) {
    const t = this.rows.find((r) => r.id === id)!;
    t.retiredAt = retired ? new Date() : null;
    return Promise.resolve(t);
  }
  updateMetadata(id: string, fields: TrackMetadata) {
    return Promise.resolve(
      Object.assign(
        this.rows.find((r) => r.id === id)!,
        fields,
      ),
    );
  }
  idsMissingEmbedding(_modelVersionId: string, take: number, afterId?: string) {
    const ids = this.rows
      .filter((t) => !t.retiredAt)
      .map((t) => t.id)
      .sort();
    return Promise.resolve(ids.filter((id) => !afterId || id > afterId).slice(0, take));
  }
  create({ license, ...t }: NewTrack) {
    const id = randomUUID();
    const row: TrackWithLicenses = {
      id,
      durationSec: null,
      bpm: t.bpm ?? null,
      status: 'PENDING',
      error: null,
      retiredAt: null,
      createdAt: new Date((this.clock += 1000)),
      updatedAt: new Date(this.clock),
      ...t,
      licenses: license
        ? [
            {
              id: randomUUID(),
              trackId: id,
              attribution: null,
              validFrom: new Date(0),
              validTo: null,
              createdAt: new Date(),
              ...license,
              attributionText: undefined,
            } as never,
          ]
        : [],
    };
    this.rows.push(row);
    return Promise.resolve(row);
  }
}

export class FakeVideos implements VideoRepository {
  rows: VideoRecord[] = [];
  findById(id: string) {
    return Promise.resolve(this.rows.find((v) => v.id === id) ?? null);
  }
  create(v: NewVideo) {
    const row: VideoRecord = {
      id: randomUUID(),
      durationSec: null,
      status: 'PENDING',
      error: null,
      createdAt: new Date(),
      updatedAt: new Date(),
      voiceOverUri: null,
      idempotencyKey: null,
      voiceActivity: null,
      ...v,
    };
    this.rows.push(row);
    return Promise.resolve(row);
  }
  lockIdempotencyKey() {
    return Promise.resolve();
  }
  findByIdempotencyKey(ownerId: string, key: string) {
    return Promise.resolve(this.rows.find((v) => v.ownerId === ownerId && v.idempotencyKey === key) ?? null);
  }
  setStatus(id: string, status: VideoRecord['status'], fields: { error?: string | null; durationSec?: number } = {}) {
    Object.assign(
      this.rows.find((v) => v.id === id)!,
      { status, ...fields },
    );
    return Promise.resolve();
  }
  listByOwner(ownerId: string, status: VideoRecord['status'] | undefined, take: number) {
    return Promise.resolve(
      this.rows
        .filter((v) => v.ownerId === ownerId && (!status || v.status === status))
        .reverse()
        .slice(0, take),
    );
  }
  lockById(id: string) {
    return this.findById(id);
  }
  setVoiceActivity(id: string, activity: StoredVoiceActivity) {
    this.rows.find((v) => v.id === id)!.voiceActivity = activity as unknown as VideoRecord['voiceActivity'];
    return Promise.resolve();
  }
  /** Only the row: the fakes keep no experiments or jobs that refer to videos. */
  deleteWithDependents(id: string) {
    this.rows = this.rows.filter((v) => v.id !== id);
    return Promise.resolve({ experiments: 0, votes: 0, jobs: 0 });
  }
  lockMedia() {
    return Promise.resolve();
  }
  isMediaReferenced(uri: string) {
    return Promise.resolve(this.rows.some((v) => v.mediaUri === uri || v.voiceOverUri === uri));
  }
  isMediaReferencedByOwner(uri: string, ownerId: string) {
    return Promise.resolve(
      this.rows.some((v) => v.ownerId === ownerId && (v.mediaUri === uri || v.voiceOverUri === uri)),
    );
  }
}

/** Upload rows: (file, uploader), with their size, age and whether they are registered. */
export class FakeUploads implements UploadRepository {
  rows: (UploadRef & { sizeBytes: number; createdAt: Date; registeredAt: Date | null })[] = [];
  private find(ownerId: string, mediaUri: string) {
    return this.rows.find((r) => r.ownerId === ownerId && r.mediaUri === mediaUri);
  }
  lockOwner() {
    return Promise.resolve();
  }
  record(u: UploadRef & { sizeBytes: number }) {
    const row = this.find(u.ownerId, u.mediaUri);
    if (!row) this.rows.push({ ...u, createdAt: new Date(), registeredAt: null });
    else if (!row.registeredAt) row.createdAt = new Date();
    return Promise.resolve();
  }
  owns(ownerId: string, mediaUri: string) {
    return Promise.resolve(Boolean(this.find(ownerId, mediaUri)));
  }
  unregisteredUsage(ownerId: string) {
    const mine = this.rows.filter((r) => r.ownerId === ownerId && !r.registeredAt);
    return Promise.resolve({ count: mine.length, bytes: mine.reduce((a, r) => a + r.sizeBytes, 0) });
  }
  markRegistered(ownerId: string, mediaUris: readonly string[]) {
    for (const uri of mediaUris) {
      const row = this.find(ownerId, uri);
      if (row && !row.registeredAt) row.registeredAt = new Date();
    }
    return Promise.resolve();
  }
  recordPendingDeletion(ownerId: string, mediaUri: string) {
    this.rows = this.rows.filter((r) => !(r.ownerId === ownerId && r.mediaUri === mediaUri));
    this.rows.push({ ownerId, mediaUri, sizeBytes: 0, createdAt: new Date(0), registeredAt: null });
    return Promise.resolve();
  }
  remove(ownerId: string, mediaUri: string) {
    this.rows = this.rows.filter((r) => !(r.ownerId === ownerId && r.mediaUri === mediaUri));
    return Promise.resolve();
  }
  hasUploader(mediaUri: string) {
    return Promise.resolve(this.rows.some((r) => r.mediaUri === mediaUri));
  }
  listUnregisteredBefore(before: Date, take: number) {
    return Promise.resolve(
      this.rows
        .filter((r) => !r.registeredAt && r.createdAt < before)
        .slice(0, take)
        .map(({ mediaUri, ownerId }) => ({ mediaUri, ownerId })),
    );
  }
  removeIfUnregisteredBefore(ref: UploadRef, before: Date) {
    const row = this.find(ref.ownerId, ref.mediaUri);
    if (!row || row.registeredAt || row.createdAt >= before) return Promise.resolve(false);
    this.rows = this.rows.filter((r) => r !== row);
    return Promise.resolve(true);
  }
}

export class FakeJobs implements JobRepository {
  rows: JobRecord[] = [];
  enqueue(kind: JobRecord['kind'], payload: object) {
    const row: JobRecord = {
      id: randomUUID(),
      kind,
      payload,
      status: 'PENDING',
      attempts: 0,
      maxAttempts: 5,
      lastError: null,
      dedupKey: null,
      createdAt: new Date(),
      updatedAt: new Date(),
      startedAt: null,
      finishedAt: null,
      rearms: 0,
      msgId: null,
    };
    this.rows.push(row);
    return Promise.resolve(row);
  }
  findById(id: string) {
    return Promise.resolve(this.rows.find((j) => j.id === id) ?? null);
  }
  findByDedupKey(key: string) {
    return Promise.resolve(this.rows.find((j) => j.dedupKey === key) ?? null);
  }
  async enqueueOnce(kind: JobRecord['kind'], payload: object, dedupKey: string) {
    if (this.rows.some((j) => j.dedupKey === dedupKey)) return null;
    const job = await this.enqueue(kind, payload);
    job.dedupKey = dedupKey;
    return job;
  }
  private set(id: string, fields: Partial<JobRecord>) {
    Object.assign(
      this.rows.find((j) => j.id === id)!,
      fields,
    );
    return Promise.resolve();
  }
  start(id: string, msgId?: string) {
    const job = this.rows.find((j) => j.id === id);
    if (!job || job.status === 'SUCCEEDED' || job.status === 'FAILED') return Promise.resolve(null);
    if (job.msgId !== null && msgId !== undefined && job.msgId !== msgId) return Promise.resolve(null);
    Object.assign(job, { status: 'PROCESSING', attempts: job.attempts + 1 });
    return Promise.resolve({ ...job });
  }
  touch(id: string) {
    return this.set(id, { updatedAt: new Date() });
  }
  succeed(id: string) {
    return this.set(id, { status: 'SUCCEEDED', lastError: null });
  }
  retryLater(id: string, reason: string) {
    return this.set(id, { status: 'PENDING', lastError: reason });
  }
  fail(id: string, reason: string) {
    return this.set(id, { status: 'FAILED', lastError: reason });
  }
  listFailed(take: number) {
    return Promise.resolve(this.rows.filter((j) => j.status === 'FAILED').slice(0, take));
  }
  requeue(id: string) {
    const job = this.rows.find((j) => j.id === id && j.status === 'FAILED');
    if (!job) return Promise.resolve(null);
    Object.assign(job, { status: 'PENDING', attempts: 0, rearms: 0, lastError: null });
    return Promise.resolve(job);
  }
  // The reconciler's queries are SQL (tested on real Postgres and PGlite); unit tests do not use them.
  unfinishedByKind(): Promise<never[]> {
    return Promise.resolve([]);
  }
  claimStalled(): Promise<JobRecord[]> {
    return Promise.resolve([]);
  }
  rearm(id: string) {
    const job = this.rows.find((j) => j.id === id)!;
    return this.set(id, { status: 'PENDING', rearms: job.rearms + 1 });
  }
  pruneSucceeded(cutoff: Date, batch: number) {
    const old = this.rows
      .filter((j) => j.status === 'SUCCEEDED' && j.finishedAt !== null && j.finishedAt < cutoff)
      .slice(0, batch);
    this.rows = this.rows.filter((j) => !old.includes(j));
    return Promise.resolve(old.length);
  }
}

export class FakeEmbeddings implements EmbeddingRepository {
  videos = new Map<string, number[]>();
  nearest: ScoredTrack[] = [];
  upsertTrackEmbedding() {
    return Promise.resolve();
  }
  segments = new Map<string, number>();
  replaceTrackSegments(trackId: string, modelVersionId: string, segments: unknown[]) {
    this.segments.set(`${trackId}/${modelVersionId}`, segments.length);
    return Promise.resolve();
  }
  refreshTypicalityOffsets() {
    return Promise.resolve(0);
  }
  upsertVideoEmbedding(videoId: string, modelVersionId: string, e: number[]) {
    this.videos.set(`${videoId}/${modelVersionId}`, e);
    return Promise.resolve();
  }
  findVideoEmbedding(videoId: string, modelVersionId: string) {
    return Promise.resolve(this.videos.get(`${videoId}/${modelVersionId}`) ?? null);
  }
  nearestTracks(_m: string, _q: number[], limit: number) {
    return Promise.resolve(this.nearest.slice(0, limit));
  }
  windows: { trackId: string; startSec: number; score: number }[] = [];
  bestWindows(_m: string, _q: number[], ids: string[]) {
    return Promise.resolve(this.windows.filter((w) => ids.includes(w.trackId)));
  }
  findTrackEmbedding() {
    return Promise.resolve(null);
  }
}

/**
 * suggestBgm's one statement over the fake rows: the video, the active model and the video's
 * embedding under it are looked up as the SQL does; the ranked page is whatever `ranked` holds
 * (the ranking itself is SQL, tested against Postgres and PGlite in tests/integration).
 */
export class FakeVideoSuggestions implements VideoSuggestionRepository {
  ranked: RankedSuggestion[] = [];
  calls: VideoSuggestionQuery[] = [];
  constructor(
    private readonly videos: FakeVideos,
    private readonly embeddings: FakeEmbeddings,
    private readonly active: () => ModelVersionRecord | null,
  ) {}
  suggestForVideo(q: VideoSuggestionQuery): Promise<VideoSuggestionResult> {
    this.calls.push(q);
    const video = this.videos.rows.find((v) => v.id === q.videoId);
    const model = this.active();
    const visible = video && (video.ownerId === q.callerId || q.callerIsAdmin) && video.status === 'READY';
    const hasEmbedding = Boolean(visible && model && this.embeddings.videos.has(`${q.videoId}/${model.id}`));
    return Promise.resolve({
      video: video
        ? {
            id: video.id,
            ownerId: video.ownerId,
            status: video.status,
            error: video.error,
            voiceCoverage: (video.voiceActivity as { coverage?: number } | null)?.coverage ?? null,
          }
        : null,
      servingModel: model ? { id: model.id, activatedAt: model.activatedAt } : null,
      canary: null,
      hasEmbedding,
      suggestions: hasEmbedding ? this.ranked.slice(0, q.first) : [],
    });
  }
}

export function fakeModel(overrides: Partial<ModelVersionRecord> = {}): ModelVersionRecord {
  return {
    id: randomUUID(),
    name: 'm',
    version: '1',
    dims: 512,
    artifactUri: 'x',
    manifest: {},
    metrics: null,
    active: true,
    activatedAt: new Date(),
    activationRequestedAt: null,
    coverageCheckedAt: null,
    status: 'CANDIDATE',
    statusReason: null,
    lineage: null,
    probe: null,
    evaluation: null,
    canaryShare: 0,
    canaryStartedAt: null,
    createdAt: new Date(),
    ...overrides,
  };
}

/** Fake repositories plus a unit of work that applies writes only when fn resolves. */
export function fakeRepositories() {
  const tracks = new FakeTracks();
  const videos = new FakeVideos();
  const uploads = new FakeUploads();
  const jobs = new FakeJobs();
  const embeddings = new FakeEmbeddings();
  let active: ModelVersionRecord | null = null;
  const models = new Map<string, ModelVersionRecord>();
  const videoSuggestions = new FakeVideoSuggestions(videos, embeddings, () => active);
  const repos = {
    tracks,
    videos,
    uploads,
    jobs,
    embeddings,
    videoSuggestions,
    models: {
      findActive: () => Promise.resolve(active),
      findById: (id: string) => Promise.resolve(models.get(id) ?? null),
      setActive: (m: ModelVersionRecord | null) => {
        if (m) models.set(m.id, m);
        active = m;
      },
    },
  } as unknown as Repositories & {
    tracks: FakeTracks;
    videos: FakeVideos;
    uploads: FakeUploads;
    jobs: FakeJobs;
    embeddings: FakeEmbeddings;
    videoSuggestions: FakeVideoSuggestions;
    models: { setActive(m: ModelVersionRecord | null): void };
  };
  const uow: UnitOfWork<Repositories> = {
    run: async (fn) => {
      const snapshot = { t: [...tracks.rows], v: [...videos.rows], j: [...jobs.rows], u: [...uploads.rows] };
      try {
        return await fn(repos);
      } catch (err) {
        tracks.rows = snapshot.t;
        videos.rows = snapshot.v;
        jobs.rows = snapshot.j;
        uploads.rows = snapshot.u;
        throw err;
      }
    },
  };
  return { repos, uow };
}

/** Storage where every reference named in `files` exists with that content. */
export function fakeStorage(files: Record<string, string>): MediaStorage {
  return {
    locate: (given, argument) => {
      // Like LocalMediaStorage, a canonical media:// URI names the same file as its plain path.
      const ref = given.startsWith('media://') ? given.slice('media://'.length) : given;
      if (!(ref in files)) return Promise.reject(badInput(`${argument}: no media file at ${ref}`, { argument }));
      return Promise.resolve({ uri: `media://${ref}`, sizeBytes: files[ref]!.length });
    },
    withLocalFile: (uri, fn) => fn(`/fake/${uri}`),
    putFile: () => Promise.reject(new Error('not supported by the fake')),
    downloadTo: () => Promise.reject(new Error('not supported by the fake')),
    presignUpload: () => Promise.reject(new Error('not supported by the fake')),
    uriOf: (given) => (given.startsWith('media://') ? given : `media://${given}`),
    sha256: (m: StoredMedia) => Promise.resolve(`sha-${files[m.uri.slice('media://'.length)]}`),
    fetchUrl: (_url, argument) =>
      Promise.reject(badInput(`${argument}: host is not in MEDIA_URL_ALLOWLIST`, { argument })),
    discard: () => Promise.resolve(),
    discardFolder: () => Promise.resolve(),
    saveUpload: () => Promise.reject(new Error('not supported by the fake')),
  };
}
