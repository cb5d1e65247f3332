import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { type Browser, chromium } from 'playwright-core';
import type { App } from '../../src/app/start-app';
import { makeTone, makeVideo, unitVector } from '../helpers/media';
import { describeMode, gql, MODES, TestEnv, tokenFor } from './harness';
import { storedNames } from './object-store';

const CHROMIUM = '/usr/bin/chromium';
const CHROMIUM_FLAGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];
const SCREENSHOT = path.resolve(__dirname, '../../test-artifacts/rater-page.png');

// The functions below run in the page. This project's TypeScript has no DOM types, and the page's
// CSP forbids evaluating strings, so they are typed by this minimal declaration.
declare const document: {
  getElementById(id: string): {
    dataset: Record<string, string | undefined>;
    duration: number;
    src: string;
    textContent: string | null;
  };
};

/** Two READY videos (with their own audio as the voice-over) and three licensed tracks, with embeddings. */
async function seed(app: App, mediaRoot: string) {
  const p = app.db.prisma;
  const model = await app.repos.models.upsert({
    name: 'mrcmv',
    version: 'page',
    dims: 512,
    artifactUri: 'memory://',
    manifest: {},
  });
  for (let i = 0; i < 3; i++) {
    makeTone(mediaRoot, `music-${i}.ogg`, 220 * (i + 1), 6);
    const track = await p.track.create({
      data: {
        title: `music ${i}`,
        artist: 'A',
        mediaUri: `media://music-${i}.ogg`,
        contentHash: randomUUID(),
        status: 'READY',
        tags: ['epic'],
        licenses: { create: { licensor: 'L' } },
      },
    });
    await app.repos.embeddings.upsertTrackEmbedding(track.id, model.id, unitVector(512, i));
  }
  const videoIds: string[] = [];
  for (let i = 0; i < 2; i++) {
    makeVideo(mediaRoot, `clip-${i}.mp4`, 2);
    const video = await p.video.create({
      data: { ownerId: 'creator', mediaUri: `media://clip-${i}.mp4`, status: 'READY', durationSec: 2 },
    });
    await app.repos.embeddings.upsertVideoEmbedding(video.id, model.id, unitVector(512, i, 0.02));
    videoIds.push(video.id);
  }
  const admin = await tokenFor(app, 'admin');
  const created = await gql(
    app,
    'mutation($input: CreateExperimentInput!) { createExperiment(input: $input) { id } }',
    {
      input: {
        name: 'HoK400 subjective test',
        description: 'Watch the clip twice, with two soundtracks under the voice-over. Which music fits better?',
        arms: [
          { label: 'MRCMV', kind: 'MODEL_VERSION', modelVersionId: model.id },
          { label: 'Search under tags', kind: 'TAG_SEARCH', tags: ['epic'] },
        ],
        videoIds,
      },
    },
    admin,
  );
  const id = created.data!.createExperiment.id as string;
  await gql(app, 'mutation($id: ID!) { setExperimentStatus(id: $id, status: RUNNING) { id } }', { id }, admin);
  return id;
}

// Both modes: previews are preview renders made by RENDER_PREVIEW jobs (here run by the API
// process itself, as the embedded default does), stored under previews/<videoId>/renders/ on the
// media folder or in the bucket, where deleting the video removes them.
for (const mode of MODES)
  describeMode(mode, () => {
    describe('rater page (/rater) in headless Chromium', () => {
      const env = new TestEnv(mode);
      let app: App;
      let browser: Browser;
      let experimentId: string;

      beforeAll(async () => {
        app = await env.start({ RUN_JOBS: 'true' });
        experimentId = await seed(app, env.mediaRoot);
        browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_FLAGS });
      });
      afterAll(async () => {
        await browser?.close();
        await app?.stop();
        await env.cleanup();
      });

      it('plays both candidates, takes a keyboard and a click vote, and stores them', async () => {
        const page = await browser.newPage({ viewport: { width: 1100, height: 900 } });
        const problems: string[] = [];
        page.on('pageerror', (err) => problems.push(err.message));
        page.on('console', (msg) => msg.type() === 'error' && problems.push(msg.text()));
        page.on('response', (r) => r.status() >= 400 && problems.push(`${r.status()} ${r.url()}`));

        await page.goto(`${app.url}/rater`);
        await page.fill('#token-input', await tokenFor(app, 'rater', 'rita'));
        await page.click('button[type=submit]');

        // The preview loads (rendered by a job, fetched through a signed URL) and has a duration.
        await page.waitForFunction(() => Number(document.getElementById('player').dataset.loaded ?? 0) >= 1, null, {
          timeout: 45_000,
        });
        expect(await page.evaluate(() => document.getElementById('player').duration)).toBeGreaterThan(1);
        expect(await page.textContent('#experiment-name')).toBe('HoK400 subjective test');
        expect(await page.textContent('#progress-text')).toBe('0 / 2');

        // Voting unlocks once A and then B have played to the end.
        await page.waitForSelector('#vote-a:not([disabled])', { timeout: 45_000 });
        expect(await page.evaluate(() => document.getElementById('player').src)).toMatch(
          /\/rater\/preview\/[0-9a-f-]{36}\/B\?exp=\d+&sig=/,
        );
        await page.keyboard.press('a');
        await page.waitForFunction(() => document.getElementById('progress-text').textContent === '1 / 2');

        await page.waitForSelector('#vote-b:not([disabled])', { timeout: 45_000 });
        fs.mkdirSync(path.dirname(SCREENSHOT), { recursive: true });
        await page.screenshot({ path: SCREENSHOT, fullPage: true });
        await page.click('#vote-b');

        await page.waitForSelector('#done-view:not([hidden])', { timeout: 15_000 });
        expect(await page.textContent('#progress-text')).toBe('2 / 2');
        expect(await page.textContent('#done-text')).toMatch(/all 2 pairs/);

        // What played came from the job path: READY renders of the suggestion's cut, jobs done.
        const renders = await app.db.prisma.previewRender.findMany();
        expect(renders.length).toBeGreaterThanOrEqual(2);
        for (const r of renders) expect(r).toMatchObject({ status: 'READY', cutStartSec: 0 });
        for (const r of renders)
          expect(Math.abs(r.measuredLufs! - app.config.previewRender.targetLufs)).toBeLessThan(1);
        const jobs = await app.db.prisma.job.findMany({ where: { kind: 'RENDER_PREVIEW' } });
        expect(jobs.map((j) => j.status)).toEqual(renders.map(() => 'SUCCEEDED'));

        const votes = await app.db.prisma.preferenceVote.findMany({
          where: { raterId: 'rita' },
          orderBy: { createdAt: 'asc' },
        });
        expect(votes.map((v) => v.choice)).toEqual(['A', 'B']);
        const tasks = await app.db.prisma.preferenceTask.findMany({ where: { experimentId, raterId: 'rita' } });
        expect(new Set(tasks.map((t) => t.videoId)).size).toBe(2);
        expect(problems).toEqual([]);

        // The token is kept: a reload goes straight to the (finished) experiment.
        await page.reload();
        await page.waitForSelector('#done-view:not([hidden])');
        await page.close();
      });

      if (mode === 'postgres+nats')
        it("keeps the previews in the object store and deletes a video's previews with it", async () => {
          const videos = await app.db.prisma.video.findMany({ orderBy: { createdAt: 'asc' } });
          // Each video was rated once: the sides the page played were rendered and stored (one or
          // both: a vote may come before the page asks for the second side, as a CI run and a local run showed).
          const previews = await Promise.all(videos.map((v) => storedNames(app, `previews/${v.id}/renders`)));
          for (const names of previews) expect([1, 2]).toContain(names.length);
          const deleted = await gql(
            app,
            'mutation($id: ID!) { deleteVideo(id: $id) { videoId } }',
            { id: videos[0]!.id },
            await tokenFor(app, 'admin'),
          );
          expect(deleted.errors).toBeUndefined();
          expect(await storedNames(app, `previews/${videos[0]!.id}/renders`)).toEqual([]);
          expect(await storedNames(app, `previews/${videos[1]!.id}/renders`)).toEqual(previews[1]);
        });
    });
  });
