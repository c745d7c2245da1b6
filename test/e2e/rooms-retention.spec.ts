/**
 * Per-room message retention (issue #16) over HTTP with the manual clock: `--retention` removes
 * exactly the messages posted longer ago, `--max-messages` keeps exactly the newest N, both as
 * deletions clients already handle (a since-poller sees tombstones, the room's sequence moves on),
 * with their history, reactions and pins gone and their files expired; `--retention none` ignores
 * the server default (SOGS_RETENTION_DAYS, 1 day here); a round's work is bounded. The edit and
 * deletion history is forgotten after SOGS_HISTORY_PRUNE_DAYS.
 */
import { randomBytes } from 'node:crypto';
import { CleanupService } from '../../src/jobs/cleanup.service';
import { RETENTION_BATCH, RetentionService } from '../../src/messages/retention.service';
import { binaryBody } from '../support/binary-body';
import { cli } from '../support/cli-runner';
import { sessionContent } from '../support/session-content';
import { SessionClient, signed } from '../support/session-client';
import { createTestApp, TestApp } from '../support/test-app';

type Json = Record<string, any>;

const HOUR = 3600;
const DAY = 86400;

describe('message retention', () => {
  let t: TestApp;
  let user: SessionClient, user2: SessionClient, admin: SessionClient;

  beforeAll(async () => {
    t = await createTestApp({ env: { SOGS_RETENTION_DAYS: '1' } });
    [user, user2, admin] = [t.newClient(), t.newClient(), t.newClient()];
    for (const c of [user, user2, admin]) await signed(t.server, c, 'GET', '/capabilities').expect(200);
  });
  afterAll(() => t.close());

  const ok = async (...argv: string[]) => {
    const r = await cli(t, ...argv);
    expect([r.code, r.stderr]).toEqual([0, '']);
    return r.stdout;
  };
  /** A room with `admin` as its admin and the given retention options. */
  const room = async (token: string, ...options: string[]) => {
    await ok('rooms', 'add', token, ...options);
    await ok('moderators', 'add', admin.blindedId, '--room', token, '--admin');
  };
  const cleanup = async () => expect(await t.app.get(CleanupService).runOnce()).toBe(true);
  const message = (extra: Json = {}) => ({ data: randomBytes(40).toString('base64'), signature: randomBytes(64).toString('base64'), ...extra });
  /** Posts 4 s after the previous post (under the rate limit); returns the new message id. */
  const post = async (c: SessionClient, token: string, extra: Json = {}): Promise<number> => {
    t.clock.advance(4);
    return (await signed(t.server, c, 'POST', `/room/${token}/message`, { json: message(extra) }).expect(201)).body.id;
  };
  const sequence = async (token: string): Promise<number> =>
    (await t.database.query<{ s: number }>(`SELECT message_sequence AS s FROM rooms WHERE token = $1`, [token]))[0].s;
  /** Ids of the room's live messages, oldest first. */
  const live = async (token: string): Promise<number[]> =>
    (await t.database.query<{ id: number }>(`SELECT m.id FROM messages m JOIN rooms r ON r.id = m.room WHERE r.token = $1 AND m.data IS NOT NULL ORDER BY m.id`, [token])).map((r) => r.id);
  const historyOf = async (ids: number[]): Promise<number> =>
    (await t.database.query<{ n: number }>(`SELECT count(*)::int AS n FROM message_history WHERE message = ANY($1::bigint[])`, [ids]))[0].n;

  it('removes exactly the messages posted longer ago than the room retention; a since-poller sees them deleted', async () => {
    await room('aging', '--retention', '1h');
    const old = [await post(user, 'aging'), await post(user2, 'aging'), await post(user, 'aging')];
    // An edit leaves a history row.
    await signed(t.server, user2, 'PUT', `/room/aging/message/${old[1]}`, { json: message() }).expect(200);
    t.clock.advance(HOUR / 2);
    const recent = [await post(user, 'aging'), await post(user2, 'aging')];
    await signed(t.server, user, 'PUT', `/room/aging/message/${recent[0]}`, { json: message() }).expect(200);
    expect(await historyOf(old)).toBe(1);
    expect(await historyOf(recent)).toBe(1);

    // The last old message is now just past the hour, the first recent one half an hour younger.
    const [{ posted }] = await t.database.query<{ posted: number }>(`SELECT posted FROM messages WHERE id = $1`, [old[2]]);
    t.clock.advance(posted + HOUR + 1 - t.clock.now());
    const seqno = await sequence('aging');
    const seen = (await signed(t.server, user, 'GET', `/room/aging/messages/since/${seqno}`).expect(200)).body;
    expect(seen).toEqual([]);
    await cleanup();

    expect(await live('aging')).toEqual(recent);
    expect(await sequence('aging')).toBe(seqno + 3);
    // A poller at the old seqno (here through /sequence) gets the three deletions.
    const polled = await signed(t.server, user, 'POST', '/sequence', { json: [{ method: 'GET', path: `/room/aging/messages/since/${seqno}` }] }).expect(200);
    expect(polled.body[0].code).toBe(200);
    const tombstones = polled.body[0].body as Json[];
    expect(tombstones.map((m) => [m.id, m.data, m.deleted, m.signature]).sort()).toEqual(old.map((id) => [id, null, true, undefined]));
    expect(tombstones.map((m) => m.seqno)).toEqual([seqno + 1, seqno + 2, seqno + 3]);
    for (const m of tombstones) expect(m.edited).toBeCloseTo(t.clock.now(), 0);
    const shown = (await signed(t.server, user2, 'GET', '/room/aging/messages/recent').expect(200)).body as Json[];
    expect(shown.map((m) => m.id)).toEqual([...recent].reverse());
    expect(await historyOf(old)).toBe(0);
    expect(await historyOf(recent)).toBe(1);

    // Nothing more until the next message comes of age.
    await cleanup();
    expect(await sequence('aging')).toBe(seqno + 3);
    t.clock.advance(HOUR);
    await cleanup();
    expect(await live('aging')).toEqual([]);
    expect(await sequence('aging')).toBe(seqno + 5);
  });

  it("takes the message's reactions and pin with it and expires its files (404 after the next round)", async () => {
    await room('decor', '--retention', '2h');
    const upload = async () => (await signed(t.server, user, 'POST', '/room/decor/file', { body: randomBytes(100) }).expect(201)).body.id as number;
    const oldFile = await upload();
    const old = await post(user, 'decor', { files: [oldFile] });
    await signed(t.server, user2, 'PUT', `/room/decor/reaction/${old}/👍`).expect(200);
    await signed(t.server, admin, 'PUT', `/room/decor/reaction/${old}/🎉`).expect(200);
    await signed(t.server, admin, 'POST', `/room/decor/pin/${old}`, { json: {} }).expect(200);
    t.clock.advance(HOUR);
    const newFile = await upload();
    const kept = await post(user, 'decor', { files: [newFile] });
    await signed(t.server, user2, 'PUT', `/room/decor/reaction/${kept}/👍`).expect(200);
    const info = (await signed(t.server, user, 'GET', '/room/decor').expect(200)).body;
    expect(info.pinned_messages.map((p: Json) => p.id)).toEqual([old]);
    const download = (id: number) => signed(t.server, user, 'GET', `/room/decor/file/${id}`).buffer(true).parse(binaryBody);
    await download(oldFile).expect(200);

    t.clock.advance(HOUR);
    const seqno = await sequence('decor');
    await cleanup();
    // The deletion and the two reactions it removed.
    expect(await sequence('decor')).toBe(seqno + 3);
    expect(await live('decor')).toEqual([kept]);
    const reactions = await t.database.query(`SELECT message, reaction FROM reactions WHERE message = ANY($1::bigint[]) ORDER BY message`, [[old, kept]]);
    expect(reactions).toEqual([{ message: kept, reaction: '👍' }]);
    expect(await t.database.query(`SELECT * FROM pinned_messages WHERE message = $1`, [old])).toEqual([]);
    const after = (await signed(t.server, user, 'GET', '/room/decor').expect(200)).body;
    expect(after.pinned_messages).toBeUndefined();
    expect(after.info_updates).toBe(info.info_updates + 1);
    expect((await download(oldFile)).status).toBe(404);
    await cleanup();
    expect(await t.database.query(`SELECT id FROM files WHERE id = $1`, [oldFile])).toEqual([]);
    await download(newFile).expect(200);
  });

  it('keeps exactly the newest N messages, whispers and filtered posts counting as messages', async () => {
    await room('capped', '--max-messages', '3', '--retention', 'none');
    await ok('rooms', 'update', 'capped', '--profanity', 'on');
    const ids = [
      await post(user, 'capped'),
      await post(admin, 'capped', { whisper_mods: true }),
      await post(user, 'capped', { data: sessionContent('what the fuck').toString('base64') }),
      await post(user2, 'capped'),
    ];
    expect((await t.database.query(`SELECT filtered FROM messages WHERE id = $1`, [ids[2]]))[0].filtered).toBe(true);
    const seqno = await sequence('capped');
    await cleanup();
    expect(await live('capped')).toEqual(ids.slice(1));
    expect(await sequence('capped')).toBe(seqno + 1);

    ids.push(await post(user, 'capped'), await post(user2, 'capped'));
    await cleanup();
    expect(await live('capped')).toEqual(ids.slice(3));
    // One deletion, two posts, two deletions.
    expect(await sequence('capped')).toBe(seqno + 5);
    // The whisper's deletion reaches only those who saw the whisper.
    const since = async (c: SessionClient) => ((await signed(t.server, c, 'GET', `/room/capped/messages/since/${seqno}`).expect(200)).body as Json[]).filter((m) => m.deleted).map((m) => m.id);
    expect(await since(admin)).toEqual([ids[0], ids[1]]);
    expect(await since(user2)).toEqual([ids[0]]);

    // Already deleted messages do not count; without a limit nothing more goes.
    await signed(t.server, user2, 'DELETE', `/room/capped/message/${ids[5]}`).expect(200);
    await cleanup();
    expect(await live('capped')).toEqual([ids[3], ids[4]]);
    await ok('rooms', 'update', 'capped', '--max-messages', 'none');
    ids.push(await post(user, 'capped'), await post(user2, 'capped'));
    await cleanup();
    expect(await live('capped')).toEqual([ids[3], ids[4], ids[6], ids[7]]);
  });

  it('follows SOGS_RETENTION_DAYS unless the room says none (or its own); rooms list --verbose tells which', async () => {
    await room('server-default');
    await room('forever', '--retention', 'none');
    await room('own', '--retention', '3d');
    const ids = { d: await post(user, 'server-default'), f: await post(user, 'forever'), o: await post(user, 'own') };
    const verbose = (await ok('rooms', 'list', '--verbose')).split(/\n(?=\S)/);
    const block = (token: string) => verbose.find((b) => b.startsWith(`${token}\n`))!.split('\n').filter((l) => /retention|max messages/.test(l));
    expect(block('server-default')).toEqual(['  retention:    1d (server)', '  max messages: none']);
    expect(block('forever')).toEqual(['  retention:    none (room)', '  max messages: none']);
    expect(block('own')).toEqual(['  retention:    3d (room)', '  max messages: none']);
    expect(block('capped')).toEqual(['  retention:    none (room)', '  max messages: none']);
    expect(block('aging')).toEqual(['  retention:    1h (room)', '  max messages: none']);

    t.clock.advance(DAY + 1);
    await cleanup();
    expect(await live('server-default')).toEqual([]);
    expect(await live('forever')).toEqual([ids.f]);
    expect(await live('own')).toEqual([ids.o]);

    // default: back to the server setting.
    await ok('rooms', 'update', 'forever', '--retention', 'default');
    expect(await t.database.query(`SELECT retention_seconds FROM rooms WHERE token = 'forever'`)).toEqual([{ retention_seconds: null }]);
    await cleanup();
    expect(await live('forever')).toEqual([]);
    t.clock.advance(2 * DAY);
    await cleanup();
    expect(await live('own')).toEqual([]);
  });

  it('deletes at most a batch per room and round, oldest first', async () => {
    expect(RETENTION_BATCH).toBeGreaterThanOrEqual(1000);
    const retention = t.app.get(RetentionService);
    await room('backlog', '--retention', '1h');
    const ids: number[] = [];
    for (let i = 0; i < 5; i++) ids.push(await post(admin, 'backlog'));
    t.clock.advance(2 * HOUR);
    retention.batch = 2;
    try {
      await cleanup();
      expect(await live('backlog')).toEqual(ids.slice(2));
      await cleanup();
      expect(await live('backlog')).toEqual(ids.slice(4));
      await cleanup();
      expect(await live('backlog')).toEqual([]);
    } finally {
      retention.batch = RETENTION_BATCH;
    }
  });

  it('forgets the replaced versions of edited and deleted messages SOGS_HISTORY_PRUNE_DAYS (30) after they were replaced', async () => {
    await room('history', '--retention', 'none');
    const [edited, deleted] = [await post(admin, 'history'), await post(admin, 'history')];
    const replaced = async () =>
      (await t.database.query<{ message: number }>(`SELECT message FROM message_history WHERE message = ANY($1::bigint[]) ORDER BY replaced, id`, [[edited, deleted]])).map((r) => r.message);
    await signed(t.server, admin, 'PUT', `/room/history/message/${edited}`, { json: message() }).expect(200);
    t.clock.advance(20 * DAY);
    await signed(t.server, admin, 'DELETE', `/room/history/message/${deleted}`).expect(200);
    await cleanup();
    expect(await replaced()).toEqual([edited, deleted]);
    t.clock.advance(10 * DAY + 1);
    await cleanup();
    expect(await replaced()).toEqual([deleted]);
    t.clock.advance(20 * DAY);
    await cleanup();
    expect(await replaced()).toEqual([]);
    // The messages themselves are untouched: one edited, one deleted.
    expect(await live('history')).toEqual([edited]);
  });

  it('refuses bad values as usage errors (exit 2) and changes nothing', async () => {
    const cases: [string[], string][] = [
      [['--retention', '0'], 'sogs: duration "0" must be more than 0 and under 1e9 seconds'],
      [['--retention', 'forever'], 'sogs: invalid duration "forever": use a number with s, m, h, d or w (e.g. 12h, 7d)'],
      [['--max-messages', '0'], 'sogs: --max-messages takes a whole number from 1 to 2147483647 or none, got "0"'],
      [['--max-messages', '1.5'], 'sogs: --max-messages takes a whole number from 1 to 2147483647 or none, got "1.5"'],
      [['--max-messages', '3000000000'], 'sogs: --max-messages takes a whole number from 1 to 2147483647 or none, got "3000000000"'],
    ];
    for (const [args, stderr] of cases) {
      expect(await cli(t, 'rooms', 'update', 'own', ...args)).toEqual({ code: 2, stdout: '', stderr });
    }
    expect(await t.database.query(`SELECT retention_seconds, max_messages FROM rooms WHERE token = 'own'`)).toEqual([{ retention_seconds: 3 * DAY, max_messages: null }]);
  });
});
