import { randomUUID } from 'node:crypto';
import type { BgmChoiceRecord, ChoiceRepository, NewBgmChoice } from '../../../../src/modules/choice/choice.repository';
import { ChoiceService } from '../../../../src/modules/choice/choice.service';
import { exportChoices } from '../../../../src/modules/choice/export-choices';
import { FakeTracks, FakeVideos } from '../../../helpers/fakes';
import { failure } from '../../../helpers/failure';

class FakeChoices implements ChoiceRepository {
  rows: BgmChoiceRecord[] = [];
  private clock = Date.parse('2026-01-01T00:00:00Z');
  create(c: NewBgmChoice) {
    const row = {
      id: randomUUID(),
      createdAt: new Date((this.clock += 1000)),
      servedVersionId: null,
      canaryVersionId: null,
      ...c,
    };
    this.rows.push(row);
    return Promise.resolve(row);
  }
  list(take: number, after?: { createdAt: Date; id: string }) {
    return Promise.resolve(this.rows.filter((r) => !after || +r.createdAt > +after.createdAt).slice(0, take));
  }
}

const owner = { id: 'creator', roles: ['app' as const] };

async function setup() {
  const videos = new FakeVideos();
  const tracks = new FakeTracks();
  const choices = new FakeChoices();
  const service = new ChoiceService({ videos, tracks, choices }, 100);
  const video = await videos.create({ ownerId: owner.id, mediaUri: 'media://v.mp4' });
  const track = await tracks.create({
    title: 't',
    artist: 'a',
    mediaUri: 'media://t.ogg',
    contentHash: 'h',
    tags: [],
    moods: [],
  });
  return { service, choices, video, track };
}

describe('ChoiceService', () => {
  it('records the owner’s choice with its rank', async () => {
    const { service, choices, video, track } = await setup();
    const c = await service.recordBgmChoice(owner, { videoId: video.id, trackId: track.id, rank: 2 });
    expect(c).toMatchObject({ videoId: video.id, trackId: track.id, userId: 'creator', rank: 2 });
    expect(choices.rows).toHaveLength(1);
  });

  it('refuses other users, unknown tracks, bad ranks and non-app callers, writing nothing', async () => {
    const { service, choices, video, track } = await setup();
    const input = { videoId: video.id, trackId: track.id };
    expect((await failure(service.recordBgmChoice({ id: 'stranger', roles: ['app'] }, input))).code).toBe('NOT_FOUND');
    expect((await failure(service.recordBgmChoice(owner, { ...input, trackId: randomUUID() }))).code).toBe('NOT_FOUND');
    expect((await failure(service.recordBgmChoice(owner, { ...input, rank: 0 }))).code).toBe('BAD_USER_INPUT');
    expect((await failure(service.recordBgmChoice({ id: 'creator', roles: ['rater'] }, input))).code).toBe('FORBIDDEN');
    expect((await failure(service.recordBgmChoice(undefined, input))).code).toBe('UNAUTHENTICATED');
    expect(choices.rows).toHaveLength(0);
  });

  it('pages choices for admins and exports them all as JSON lines', async () => {
    const { service, choices, video, track } = await setup();
    for (let i = 0; i < 3; i++) await service.recordBgmChoice(owner, { videoId: video.id, trackId: track.id });
    const page = await service.listChoices({ id: 'ada', roles: ['admin'] }, 2);
    expect(page.edges).toHaveLength(2);
    expect(page.pageInfo.hasNextPage).toBe(true);
    expect((await failure(service.listChoices(owner, 2))).code).toBe('FORBIDDEN');
    const lines: string[] = [];
    expect(await exportChoices(choices, (l) => lines.push(l))).toBe(3);
    expect(JSON.parse(lines[0]!)).toMatchObject({
      videoId: video.id,
      trackId: track.id,
      userId: 'creator',
      rank: null,
    });
  });
});
