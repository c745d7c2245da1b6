/**
 * Reactions (§1.5, §7.6) over HTTP: add/remove answers, seqno movement, `t=r` reaction-only rows,
 * reactor lists, `you`, moderator bulk removal, path encodings, ordering, and races. Scenarios
 * follow the reference suite's reaction tests; bodies are asserted exactly.
 */
import { randomBytes } from 'node:crypto';
import request from 'supertest';
import { ModerationService } from '../../src/moderation/moderation.service';
import { Room } from '../../src/rooms/room.entity';
import { RoomsService } from '../../src/rooms/rooms.service';
import { User } from '../../src/users/user.entity';
import { UsersRepository } from '../../src/users/users.repository';
import { SessionClient, signed } from '../support/session-client';
import { createTestApp, TestApp } from '../support/test-app';
import { testPostgresUrl } from '../support/test-env';

type Json = Record<string, any>;

describe('reactions', () => {
  let t: TestApp;
  let system: User;
  let moderation: ModerationService;
  let mod: SessionClient;
  let rooms = 0;
  const client = () => SessionClient.random(t.serverKey.publicKey);

  beforeAll(async () => {
    t = await createTestApp();
    system = (await t.app.get(UsersRepository).findById(0))!;
    moderation = t.app.get(ModerationService);
    mod = client();
  });
  afterAll(() => t.close());

  async function newRoom(flags: { read?: boolean; write?: boolean } = {}): Promise<Room> {
    const room = await t.app.get(RoomsService).create({ token: `room-${++rooms}`, ...flags });
    await moderation.setModerator(system, mod.blindedId, { rooms: [room] }, { moderator: true });
    return room;
  }

  /** Distinct users (each its own rate limit) that exist on the server. */
  async function users(n: number): Promise<SessionClient[]> {
    const list = Array.from({ length: n }, client);
    for (const c of list) await signed(t.server, c, 'GET', '/capabilities').expect(200);
    return list;
  }

  async function post(c: SessionClient, room: Room, extra: Json = {}): Promise<Json> {
    t.clock.advance(4);
    const json = { data: randomBytes(16).toString('base64'), signature: randomBytes(64).toString('base64'), ...extra };
    return (await signed(t.server, c, 'POST', `/room/${room.token}/message`, { json }).expect(201)).body;
  }

  const path = (room: Room, kind: string, id: number, reaction?: string) =>
    `/room/${room.token}/${kind}/${id}${reaction === undefined ? '' : `/${encodeURIComponent(reaction)}`}`;
  /** Adds (PUT) or removes (DELETE) a reaction, time moving a little so reactors have distinct times. */
  const react = (c: SessionClient, room: Room, m: Json, reaction: string, method: 'PUT' | 'DELETE' = 'PUT') => {
    t.clock.advance(0.5);
    return signed(t.server, c, method, path(room, 'reaction', m.id, reaction));
  };
  const sequence = async (room: Room) =>
    (await t.database.query<{ message_sequence: number }>(`SELECT message_sequence FROM rooms WHERE id = $1`, [room.id]))[0].message_sequence;
  const single = async (c: SessionClient | null, room: Room, m: Json, query = '') =>
    (await signed(t.server, c, 'GET', `/room/${room.token}/message/${m.id}${query}`).expect(200)).body as Json;
  const since = async (c: SessionClient | null, room: Room, seqno: number, query = '') =>
    (await signed(t.server, c, 'GET', `/room/${room.token}/messages/since/${seqno}${query}`).expect(200)).body as Json[];
  const reactedAt = async (c: SessionClient, m: Json, reaction: string) =>
    (
      await t.database.query<{ at: number }>(
        `SELECT ur.at FROM user_reactions ur JOIN reactions r ON r.id = ur.reaction JOIN users u ON u.id = ur."user"
         WHERE r.message = $1 AND r.reaction = $2 AND u.session_id = $3`,
        [m.id, reaction, c.blindedId],
      )
    )[0].at;

  it('adds and removes, reporting already-present and absent reactions without error', async () => {
    const room = await newRoom();
    const [a, b] = await users(2);
    const m = await post(a, room);
    await react(a, room, m, '🍍').expect(200, { added: true, seqno: 2 });
    await react(a, room, m, '🍍').expect(200, { added: false, seqno: 2 });
    await react(b, room, m, '🍍').expect(200, { added: true, seqno: 3 });
    await react(a, room, m, '🍍', 'DELETE').expect(200, { removed: true, seqno: 4 });
    await react(a, room, m, '🍍', 'DELETE').expect(200, { removed: false, seqno: 4 });
    await react(a, room, m, '🍌', 'DELETE').expect(200, { removed: false, seqno: 4 });
    expect(await sequence(room)).toBe(4);
    const res = await react(a, room, m, '🍌');
    expect(res.headers['content-type']).toBe('application/json');
    expect(res.body).toEqual({ added: true, seqno: 5 });
  });

  it('accepts the desktop request shape: no body with a JSON content type, or a {} body', async () => {
    const room = await newRoom();
    const [a, b] = await users(2);
    const m = await post(a, room);
    const url = path(room, 'reaction', m.id, '👍');
    await request(t.server).put(url).set(a.headers({ method: 'PUT', url })).set('content-type', 'application/json').expect(200, { added: true, seqno: 2 });
    await signed(t.server, b, 'PUT', url, { json: {} }).expect(200, { added: true, seqno: 3 });
    await signed(t.server, b, 'DELETE', url, { json: {} }).expect(200, { removed: true, seqno: 4 });
  });

  it('shows reactions on messages with index, count, earliest reactors and you', async () => {
    const room = await newRoom();
    const [a, b, c, d, e, f] = await users(6);
    const m = await post(a, room);
    for (const who of [a, b, c, d, e, f]) await react(who, room, m, '👍').expect(200);
    await react(c, room, m, '❤️').expect(200);
    await react(a, room, m, '❤️').expect(200);
    const sids = [a, b, c, d, e, f].map((x) => x.blindedId);
    const expected = (reactors: number, you: SessionClient | null) => {
      const r: Json = {
        '👍': { index: 0, count: 6, reactors: sids.slice(0, reactors) },
        '❤️': { index: 1, count: 2, reactors: [c.blindedId, a.blindedId].slice(0, reactors) },
      };
      // Asked for no reactors, the key is left out (§7.6): index, count and you remain.
      if (reactors === 0) for (const entry of Object.values(r)) delete entry.reactors;
      if (you && [a, b, c, d, e, f].includes(you)) r['👍'].you = true;
      if (you === a || you === c) r['❤️'].you = true;
      return { ...m, seqno: 9, reactions: r };
    };
    expect(await single(a, room, m)).toEqual(expected(4, a));
    expect(await single(b, room, m)).toEqual(expected(4, b));
    expect(await single(null, room, m)).toEqual(expected(4, null));
    expect(await single(mod, room, m)).toEqual(expected(4, mod));
    expect(await single(a, room, m, '?reactors=2')).toEqual(expected(2, a));
    expect(await single(a, room, m, '?reactors=6')).toEqual(expected(6, a));
    expect(await single(a, room, m, '?reactors=0')).toEqual(expected(0, a));
    expect(Object.keys((await single(a, room, m, '?reactors=0')).reactions['👍'])).toEqual(['index', 'count', 'you']);
    expect(Object.keys((await single(b, room, m, '?reactors=1')).reactions['❤️'])).toEqual(['index', 'count', 'reactors']);
    expect(await single(a, room, m, '?reactors=-3')).toEqual(expected(0, a));
    expect(await since(c, room, 0)).toEqual([expected(4, c)]);
    expect(await since(c, room, 0, '?t=r&reactors=5')).toEqual([expected(5, c)]);
    expect((await signed(t.server, d, 'GET', `/room/${room.token}/messages/recent?reactors=1`).expect(200)).body).toEqual([expected(1, d)]);
    expect((await signed(t.server, d, 'GET', `/room/${room.token}/messages/before/${m.id + 1}?reactors=3`).expect(200)).body).toEqual([expected(3, d)]);
  });

  it('lists at most 20 reactors per reaction, the earliest first', async () => {
    const room = await newRoom();
    const [a] = await users(1);
    const m = await post(a, room);
    const made = await t.database.query<{ id: number; session_id: string }>(
      `INSERT INTO users (session_id, created, last_active)
       SELECT '15' || lpad(to_hex(n), 64, '0') || '', 1, 1 FROM generate_series(1, 25) n
       RETURNING id, session_id`,
    );
    await t.database.query(`INSERT INTO reactions (message, reaction) VALUES ($1, 'x')`, [m.id]);
    // Inserted newest first, so that time order and insertion order disagree.
    for (const [i, u] of [...made.entries()].reverse()) {
      await t.database.query(`INSERT INTO user_reactions (reaction, "user", at) SELECT id, $2, $3 FROM reactions WHERE message = $1`, [m.id, u.id, 1000 + i]);
    }
    const body = await single(a, room, m, '?reactors=25');
    expect(body.reactions).toEqual({ x: { index: 0, count: 25, reactors: made.slice(0, 20).map((u) => u.session_id) } });
    const all = (await signed(t.server, a, 'GET', path(room, 'reactors', m.id, 'x')).expect(200)).body;
    expect(all).toEqual(made.map((u, i) => [u.session_id, 1000 + i]));
  });

  it('returns reactors as [session_id, at] pairs, oldest first, limit ≤ 0 meaning all', async () => {
    const room = await newRoom();
    const list = await users(5);
    const m = await post(list[0], room);
    for (const who of list) await react(who, room, m, '🎉').expect(200);
    const pairs = await Promise.all(list.map(async (who) => [who.blindedId, await reactedAt(who, m, '🎉')]));
    const get = (query = '', c: SessionClient | null = list[0]) => signed(t.server, c, 'GET', `${path(room, 'reactors', m.id, '🎉')}${query}`);
    await get().expect(200, pairs);
    await get('', null).expect(200, pairs);
    await get('?limit=2').expect(200, pairs.slice(0, 2));
    await get('?limit=0').expect(200, pairs);
    await get('?limit=-1').expect(200, pairs);
    await get('?limit=99999999999999999999').expect(200, pairs);
    expect((await get('?limit=abc')).status).toBe(400);
    await signed(t.server, null, 'GET', path(room, 'reactors', m.id, '🤷')).expect(200, []);
  });

  describe('since with t=r', () => {
    it('sends reaction-only changes as {id, seqno, reactions}, and skips them without t=r', async () => {
      const room = await newRoom();
      const [a, b] = await users(2);
      const m1 = await post(a, room);
      const m2 = await post(a, room);
      await react(b, room, m1, '🍍').expect(200, { added: true, seqno: 3 });
      const reactions = { '🍍': { index: 0, count: 1, reactors: [b.blindedId] } };
      expect(await since(a, room, 2)).toEqual([]);
      const [update] = await since(a, room, 2, '?t=r');
      expect(update).toEqual({ id: m1.id, seqno: 3, reactions });
      expect(Object.keys(update).sort()).toEqual(['id', 'reactions', 'seqno']);
      expect(await since(b, room, 2, '?t=r')).toEqual([{ id: m1.id, seqno: 3, reactions: { '🍍': { ...reactions['🍍'], you: true } } }]);
      // A client that never saw m1 gets the whole message.
      expect(await since(a, room, 0, '?t=r')).toEqual([m2, { ...m1, seqno: 3, reactions }]);
      expect(await since(a, room, 0)).toEqual([m2, { ...m1, seqno: 3, reactions }]);
      // Removing the last reaction is a change too, with empty reactions.
      await react(b, room, m1, '🍍', 'DELETE').expect(200, { removed: true, seqno: 4 });
      expect(await since(a, room, 3, '?t=r')).toEqual([{ id: m1.id, seqno: 4, reactions: {} }]);
      expect(await since(a, room, 3)).toEqual([]);
    });

    it('sends the full message when the data changed too (edit, then reactions, and the reverse)', async () => {
      const room = await newRoom();
      const [a, b] = await users(2);
      const m = await post(a, room);
      const data = randomBytes(9).toString('base64');
      const signature = randomBytes(64).toString('base64');
      await signed(t.server, a, 'PUT', `/room/${room.token}/message/${m.id}`, { json: { data, signature } }).expect(200, {});
      const [{ edited }] = await t.database.query(`SELECT edited FROM messages WHERE id = $1`, [m.id]);
      await react(b, room, m, '🔥').expect(200, { added: true, seqno: 3 });
      const full = { ...m, data, signature, edited, seqno: 3, reactions: { '🔥': { index: 0, count: 1, reactors: [b.blindedId] } } };
      expect(await since(a, room, 1, '?t=r')).toEqual([full]);
      expect(await since(a, room, 1)).toEqual([full]);
      expect(await since(a, room, 2, '?t=r')).toEqual([{ id: m.id, seqno: 3, reactions: full.reactions }]);
      expect(await since(a, room, 2)).toEqual([]);
      // Reaction first, then an edit: the data changed after S, so the whole message.
      await react(a, room, m, '🔥').expect(200, { added: true, seqno: 4 });
      await signed(t.server, a, 'PUT', `/room/${room.token}/message/${m.id}`, { json: { data: m.data, signature } }).expect(200, {});
      const [{ edited: edited2 }] = await t.database.query(`SELECT edited FROM messages WHERE id = $1`, [m.id]);
      const reactions = { '🔥': { index: 0, count: 2, reactors: [b.blindedId, a.blindedId], you: true } };
      const again = { ...m, signature, edited: edited2, seqno: 5, reactions };
      expect(await since(a, room, 4, '?t=r')).toEqual([again]);
      expect(await since(a, room, 4)).toEqual([again]);
    });
  });

  it('lets moderators remove everyone’s reactions, one reaction or all, each removal a seqno', async () => {
    const room = await newRoom();
    const [a, b, c] = await users(3);
    const m = await post(a, room);
    for (const who of [a, b, c]) await react(who, room, m, '🍍').expect(200);
    for (const who of [a, b]) await react(who, room, m, '🍌').expect(200);
    await react(c, room, m, '🥝').expect(200);
    expect(await sequence(room)).toBe(7);
    const bulk = (c2: SessionClient | null, reaction?: string) => signed(t.server, c2, 'DELETE', path(room, 'reactions', m.id, reaction));
    const denied = await bulk(a, '🍍');
    expect(denied.status).toBe(403);
    expect(denied.text).toBe('This endpoint requires moderator room permissions');
    expect((await bulk(a)).status).toBe(403);
    expect((await request(t.server).delete(path(room, 'reactions', m.id))).status).toBe(401);
    await bulk(mod, '🍍').expect(200, { removed: 3, seqno: 10 });
    expect(await sequence(room)).toBe(10);
    expect((await single(a, room, m)).reactions).toEqual({
      '🍌': { index: 0, count: 2, reactors: [a.blindedId, b.blindedId], you: true },
      '🥝': { index: 1, count: 1, reactors: [c.blindedId] },
    });
    await bulk(mod, '🍍').expect(200, { removed: 0, seqno: 10 });
    await bulk(mod).expect(200, { removed: 3, seqno: 13 });
    expect((await single(a, room, m)).reactions).toEqual({});
    await bulk(mod).expect(200, { removed: 0, seqno: 13 });
    expect(await t.database.query(`SELECT 1 FROM reactions WHERE message = $1`, [m.id])).toEqual([]);
  });

  it('advances the sequence by 3 when a message with two reactions is deleted', async () => {
    const room = await newRoom();
    const [a, b] = await users(2);
    const m = await post(a, room);
    await react(a, room, m, '👍').expect(200);
    await react(b, room, m, '👎').expect(200);
    expect(await sequence(room)).toBe(3);
    await signed(t.server, a, 'DELETE', `/room/${room.token}/message/${m.id}`).expect(200, {});
    expect(await sequence(room)).toBe(6);
    const [{ edited }] = await t.database.query(`SELECT edited FROM messages WHERE id = $1`, [m.id]);
    const tombstone = { id: m.id, session_id: a.blindedId, posted: m.posted, seqno: 6, data: null, deleted: true, edited };
    expect(await since(b, room, 3, '?t=r')).toEqual([tombstone]);
    expect(await since(b, room, 3)).toEqual([tombstone]);
    expect(await t.database.query(`SELECT 1 FROM reactions WHERE message = $1`, [m.id])).toEqual([]);
    expect((await react(b, room, m, '👍')).status).toBe(404);
  });

  describe('reaction strings in the path', () => {
    let room: Room;
    let a: SessionClient;
    let m: Json;
    beforeAll(async () => {
      room = await newRoom();
      [a] = await users(1);
      m = await post(a, room);
    });
    const keys = async () => Object.keys((await single(a, room, m)).reactions);
    const putRaw = (suffix: string, c = a) => {
      const url = `/room/${room.token}/reaction/${m.id}/${suffix}`;
      return request(t.server).put(url).set(c.headers({ method: 'PUT', url }));
    };

    it.each([
      ['a ZWJ emoji sequence', '👩‍👩‍👧‍👦'],
      ['seven emoji', '🦒🦍🐍🐊🦢🦁🦎'],
      ['twelve letters', 'abcdefghijkl'],
      ['a variation selector', '❤️'],
      ['a slash', 'y/n'],
      ['a percent sign', '100%'],
      ['something that looks %-encoded', 'a%41'],
      ['spaces and a question mark', 'ok ?'],
      ['__proto__', '__proto__'],
    ])('round-trips %s exactly, %-encoded', async (_n, reaction) => {
      const first = await react(a, room, m, reaction);
      expect([first.status, first.body.added]).toEqual([200, true]);
      expect(await keys()).toContain(reaction);
      expect((await react(a, room, m, reaction)).body.added).toBe(false);
      await signed(t.server, a, 'GET', path(room, 'reactors', m.id, reaction)).expect(200, [[a.blindedId, await reactedAt(a, m, reaction)]]);
    });

    it('decodes a raw slash and %2F alike, and escapes only once', async () => {
      const [b] = await users(1);
      expect((await putRaw('x/y', b)).body.added).toBe(true);
      expect((await putRaw('x%2Fy', b)).body.added).toBe(false);
      expect((await putRaw('x%2fy', b)).body.added).toBe(false);
      expect((await putRaw('%2541', b)).body.added).toBe(true);
      expect(await keys()).toEqual(expect.arrayContaining(['x/y', '%41']));
      expect(await keys()).not.toContain('A');
    });

    it('takes raw UTF-8 paths (onion and batch subrequests) as the same reaction', async () => {
      const [b] = await users(1);
      const raw = `/room/${room.token}/reaction/${m.id}/🦄/x`;
      const headers = b.headers({ method: 'PUT', url: raw });
      const first = await t.app.inject({ method: 'PUT', url: raw, headers });
      expect([first.statusCode, first.json().added]).toEqual([200, true]);
      expect((await react(b, room, m, '🦄/x')).body.added).toBe(false);
      expect(await keys()).toContain('🦄/x');
    });

    it('takes raw UTF-8 inside /batch, as the desktop sends its poll and moderator clear', async () => {
      const [b] = await users(1);
      const batch = (c: SessionClient, subrequests: unknown) => signed(t.server, c, 'POST', '/batch', { json: subrequests });
      const added = await batch(b, [{ method: 'PUT', path: `/room/${room.token}/reaction/${m.id}/🌶️`, json: null }]).expect(200);
      expect(added.body).toEqual([{ code: 200, headers: { 'content-type': 'application/json' }, body: { added: true, seqno: expect.any(Number) } }]);
      const seqno = added.body[0].body.seqno as number;
      const poll = await batch(b, [{ method: 'GET', path: `/room/${room.token}/messages/since/${seqno - 1}?t=r&reactors=5` }]).expect(200);
      expect(poll.body[0].body).toEqual([{ id: m.id, seqno, reactions: expect.objectContaining({ '🌶️': { index: expect.any(Number), count: 1, reactors: [b.blindedId], you: true } }) }]);
      const cleared = await batch(mod, [{ method: 'DELETE', path: `/room/${room.token}/reactions/${m.id}/🌶️` }]).expect(200);
      expect(cleared.body[0]).toMatchObject({ code: 200, body: { removed: 1, seqno: seqno + 1 } });
      expect(await keys()).not.toContain('🌶️');
    });

    it.each([
      ['13 letters', 'abcdefghijklm'],
      ['eight two-code-point emoji (16 code points)', '❤️❤️❤️❤️❤️❤️❤️❤️'],
      ['a NUL character', 'a\u0000b'],
    ])('rejects a reaction that is %s with 400', async (_n, reaction) => {
      const suffix = encodeURIComponent(reaction);
      for (const [method, kind] of [['PUT', 'reaction'], ['DELETE', 'reaction'], ['DELETE', 'reactions'], ['GET', 'reactors']] as const) {
        const res = await signed(t.server, mod, method, `/room/${room.token}/${kind}/${m.id}/${suffix}`);
        expect([method, kind, res.status]).toEqual([method, kind, 400]);
        expect(res.text).toBe('Invalid reaction');
      }
    });

    it('treats an empty reaction as no route (404), and never as "every reaction"', async () => {
      await react(a, room, m, 'keep').expect(200);
      for (const [method, kind, status] of [['PUT', 'reaction', 404], ['DELETE', 'reaction', 404], ['GET', 'reactors', 404], ['DELETE', 'reactions', 400]] as const) {
        const res = await signed(t.server, mod, method, `/room/${room.token}/${kind}/${m.id}/`);
        expect([method, kind, res.status]).toEqual([method, kind, status]);
      }
      expect(await keys()).toContain('keep');
    });

    it('answers 4xx, never 5xx, to paths that are not UTF-8 or not valid escapes', async () => {
      for (const suffix of ['%FF', '%C3%28', '%E2%82', '%', '%zz', 'a%2', '%00', '%ED%A0%80']) {
        const url = `/room/${room.token}/reaction/${m.id}/${suffix}`;
        let headers: Record<string, string> = {};
        try {
          headers = a.headers({ method: 'PUT', url });
        } catch {
          // The test client cannot sign a path that is not UTF-8 (no real client can): send it unsigned.
        }
        const res = await request(t.server).put(url).set(headers);
        expect([suffix, res.status >= 400 && res.status < 500]).toEqual([suffix, true]);
      }
    });
  });

  it('orders reactions by first use, and a reaction removed by its last user moves to the end', async () => {
    const room = await newRoom();
    const [a, b] = await users(2);
    const m = await post(a, room);
    for (const r of ['A', 'B', 'C']) await react(a, room, m, r).expect(200);
    await react(b, room, m, 'B').expect(200);
    const indices = async () => Object.fromEntries(Object.entries((await single(b, room, m)).reactions).map(([k, v]) => [k, (v as Json).index]));
    expect(await indices()).toEqual({ A: 0, B: 1, C: 2 });
    await react(a, room, m, 'A', 'DELETE').expect(200);
    expect(await indices()).toEqual({ B: 0, C: 1 });
    await react(a, room, m, 'B', 'DELETE').expect(200);
    expect(await indices()).toEqual({ B: 0, C: 1 });
    await react(b, room, m, 'A').expect(200);
    expect(await indices()).toEqual({ B: 0, C: 1, A: 2 });
    expect((await single(b, room, m)).reactions.A).toEqual({ index: 2, count: 1, reactors: [b.blindedId], you: true });
  });

  it('only applies to regular messages of the room (404)', async () => {
    const room = await newRoom();
    const other = await newRoom();
    const [a] = await users(1);
    const whisper = await post(mod, room, { whisper_to: a.blindedId });
    const toMods = await post(mod, room, { whisper_mods: true });
    const deleted = await post(a, room);
    await signed(t.server, a, 'DELETE', `/room/${room.token}/message/${deleted.id}`).expect(200);
    const filtered = await post(a, room);
    await t.database.query(`UPDATE messages SET filtered = true WHERE id = $1`, [filtered.id]);
    const elsewhere = await post(a, other);
    for (const m of [whisper, toMods, deleted, filtered, elsewhere, { id: elsewhere.id + 1000 }]) {
      for (const [method, kind, who] of [['PUT', 'reaction', a], ['DELETE', 'reaction', a], ['DELETE', 'reactions', mod], ['GET', 'reactors', a]] as const) {
        const res = await signed(t.server, who, method, path(room, kind, m.id, '👍'));
        expect([m.id, method, kind, res.status]).toEqual([m.id, method, kind, 404]);
      }
    }
    // The reaction is checked before the message.
    expect((await signed(t.server, a, 'PUT', path(room, 'reaction', elsewhere.id + 1000, 'abcdefghijklm'))).status).toBe(400);
  });

  it('need authentication and read permission, not write', async () => {
    const [a, b] = await users(2);
    const room = await newRoom({ write: false });
    const m = await post(mod, room);
    const anon = await request(t.server).put(path(room, 'reaction', m.id, '👍'));
    expect(anon.status).toBe(401);
    expect(anon.text).toBe('X-SOGS-* request authentication required');
    await react(a, room, m, '👍').expect(200, { added: true, seqno: 2 });
    const secret = await newRoom({ read: false });
    const hidden = await post(mod, secret);
    for (const method of ['PUT', 'DELETE'] as const) {
      const res = await react(a, secret, hidden, '👍', method);
      expect(res.status).toBe(403);
      expect(res.text).toBe("This endpoint requires room message 'read' permission");
    }
    expect((await signed(t.server, a, 'GET', path(secret, 'reactors', hidden.id, '👍'))).status).toBe(403);
    await moderation.ban(system, b.blindedId, { rooms: [room] }, null);
    expect((await react(b, room, m, '👍')).status).toBe(403);
  });

  describe('under concurrency', () => {
    it('counts 20 parallel adds of one reaction exactly', async () => {
      const room = await newRoom();
      const list = await users(20);
      const m = await post(list[0], room);
      const results = await Promise.all(list.map((c) => signed(t.server, c, 'PUT', path(room, 'reaction', m.id, '🚀'))));
      expect(results.map((r) => [r.status, r.body.added])).toEqual(Array(20).fill([200, true]));
      expect(results.map((r) => r.body.seqno).sort((x, y) => x - y)).toEqual(Array.from({ length: 20 }, (_, i) => i + 2));
      expect(await sequence(room)).toBe(21);
      expect((await single(list[0], room, m, '?reactors=0')).reactions['🚀']).toEqual({ index: 0, count: 20, you: true });
    });

    it('keeps counts and the sequence consistent when adds, removals and bulk removals race', async () => {
      const room = await newRoom();
      const list = await users(12);
      const m = await post(list[0], room);
      const base = await sequence(room);
      // Each user adds, removes and re-adds the same reaction; the last removal of the reaction
      // races other users' adds (the retried foreign-key case), and a moderator clears it twice.
      const flows = list.map(async (c) => {
        const out: request.Response[] = [];
        for (const method of ['PUT', 'DELETE', 'PUT'] as const) out.push(await signed(t.server, c, method, path(room, 'reaction', m.id, '🌀')));
        return out;
      });
      const bulk = [signed(t.server, mod, 'DELETE', path(room, 'reactions', m.id, '🌀')), signed(t.server, mod, 'DELETE', path(room, 'reactions', m.id))];
      const results = (await Promise.all(flows)).flat();
      const bulkResults = await Promise.all(bulk);
      for (const r of [...results, ...bulkResults]) expect(r.status).toBe(200);
      const changes =
        results.filter((r) => r.body.added === true || r.body.removed === true).length + bulkResults.reduce((n, r) => n + r.body.removed, 0);
      expect(await sequence(room)).toBe(base + changes);
      const [{ count }] = await t.database.query(
        `SELECT count(*) AS count FROM user_reactions ur JOIN reactions r ON r.id = ur.reaction WHERE r.message = $1`,
        [m.id],
      );
      const shown = (await single(list[0], room, m)).reactions['🌀'];
      expect(shown?.count ?? 0).toBe(count);
      const [{ seqno }] = await t.database.query(`SELECT seqno FROM messages WHERE id = $1`, [m.id]);
      expect(seqno).toBe(base + changes);
    });

    // Needs a second real session holding locks: PostgreSQL only (embedded PGlite serves one at a time).
    (testPostgresUrl() ? it : it.skip)('retries an add whose reaction lost its last user meanwhile (deferred foreign key)', async () => {
      const room = await newRoom();
      const [a, b] = await users(2);
      const m = await post(a, room);
      await react(a, room, m, '🔁').expect(200, { added: true, seqno: 2 });
      const [{ id: aId }] = await t.database.query(`SELECT id FROM users WHERE session_id = $1`, [a.blindedId]);
      const other = await t.database.pool.connect();
      try {
        await other.query('BEGIN');
        // Hold the message so that b's add stops in its trigger after seeing the reactions row.
        await other.query(`SELECT 1 FROM messages WHERE id = $1 FOR NO KEY UPDATE`, [m.id]);
        const adding = signed(t.server, b, 'PUT', path(room, 'reaction', m.id, '🔁')).then((r) => r);
        for (let i = 0; ; i++) {
          const [{ n }] = await t.database.query(
            `SELECT count(*) AS n FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock'`,
          );
          if (n > 0) break;
          if (i > 500) throw new Error('the add never waited for the message lock');
          await new Promise((r) => setTimeout(r, 10));
        }
        // a's removal of the reaction's last (committed) user deletes the reactions row under b.
        await other.query(
          `DELETE FROM user_reactions WHERE "user" = $1 AND reaction = (SELECT id FROM reactions WHERE message = $2 AND reaction = '🔁')`,
          [aId, m.id],
        );
        await other.query('COMMIT');
        const res = await adding;
        expect([res.status, res.body]).toEqual([200, { added: true, seqno: 4 }]);
      } finally {
        other.release();
      }
      expect((await single(a, room, m)).reactions).toEqual({ '🔁': { index: 0, count: 1, reactors: [b.blindedId] } });
    });

    it('never leaves reactions on a message deleted while people react', async () => {
      const room = await newRoom();
      const list = await users(10);
      const m = await post(list[0], room);
      const reacts = list.map((c) => signed(t.server, c, 'PUT', path(room, 'reaction', m.id, '💥')));
      const del = signed(t.server, list[0], 'DELETE', `/room/${room.token}/message/${m.id}`);
      const results = await Promise.all([...reacts, del]);
      for (const r of results.slice(0, -1)) expect([200, 404]).toContain(r.status);
      expect(results[results.length - 1].status).toBe(200);
      expect(await t.database.query(`SELECT 1 FROM reactions WHERE message = $1`, [m.id])).toEqual([]);
      const added = results.slice(0, -1).filter((r) => r.status === 200).length;
      // Post (1) + adds + their removals by the deletion + the deletion itself.
      expect(await sequence(room)).toBe(1 + 2 * added + 1);
    });
  });
});
