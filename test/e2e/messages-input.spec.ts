/**
 * Message endpoints under stress and abuse: malformed input on every endpoint (4xx, never 5xx),
 * the post rate limit (§14) on the manual clock, concurrent posts, and attaching uploads (§9.3).
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

type Json = Record<string, any>;
const sig = () => randomBytes(64).toString('base64');
const valid = () => ({ data: randomBytes(8).toString('base64'), signature: sig() });

describe('message endpoints: input, rate limit, concurrency, attachments', () => {
  let t: TestApp;
  let system: User;
  let moderation: ModerationService;
  let user: SessionClient, mod: SessionClient, admin: SessionClient, gmod: SessionClient, gadmin: SessionClient;
  let rooms = 0;
  const client = () => SessionClient.random(t.serverKey.publicKey);

  beforeAll(async () => {
    t = await createTestApp();
    system = (await t.app.get(UsersRepository).findById(0))!;
    moderation = t.app.get(ModerationService);
    [user, mod, admin, gmod, gadmin] = Array.from({ length: 5 }, client);
    for (const c of [user, mod, admin, gmod, gadmin]) await signed(t.server, c, 'GET', '/capabilities').expect(200);
    await moderation.setModerator(system, gmod.blindedId, { global: true }, { moderator: true });
    await moderation.setModerator(system, gadmin.blindedId, { global: true }, { admin: true });
  });
  afterAll(() => t.close());

  async function newRoom(): Promise<Room> {
    const room = await t.app.get(RoomsService).create({ token: `room-${++rooms}` });
    await moderation.setModerator(system, mod.blindedId, { rooms: [room] }, { moderator: true });
    await moderation.setModerator(system, admin.blindedId, { rooms: [room] }, { admin: true });
    return room;
  }

  const postRaw = (c: SessionClient, room: Room, json: unknown) => signed(t.server, c, 'POST', `/room/${room.token}/message`, { json });
  const userId = async (c: SessionClient) =>
    (await t.database.query<{ id: number }>(`SELECT id FROM users WHERE session_id = $1`, [c.blindedId]))[0].id;
  const sequence = async (room: Room) =>
    (await t.database.query<{ message_sequence: number }>(`SELECT message_sequence FROM rooms WHERE id = $1`, [room.id]))[0].message_sequence;

  describe('malformed input', () => {
    let room: Room;
    let own: Json;
    beforeAll(async () => {
      room = await newRoom();
      own = (await postRaw(admin, room, valid()).expect(201)).body;
    });

    const badBodies: Array<[string, Buffer]> = [
      ['empty', Buffer.alloc(0)],
      ['broken JSON', Buffer.from('{"data":')],
      ['an array', Buffer.from('[]')],
      ['a string', Buffer.from('"x"')],
      ['a number', Buffer.from('1')],
      ['null', Buffer.from('null')],
    ];
    // Sent as octet-stream: the test client would re-encode a non-UTF-8 body labelled JSON.
    const notUtf8 = Buffer.from([0xff, 0xfe, 0x7b, 0x7d]);
    const badFields: Array<[string, Json]> = [
      ['no data', { signature: sig() }],
      ['no signature', { data: 'aGk=' }],
      ['neither', {}],
      ['null data', { data: null, signature: sig() }],
      ['numeric data', { data: 5, signature: sig() }],
      ['array data', { data: ['aGk='], signature: sig() }],
      ['invalid base64 data', { data: 'not base64!', signature: sig() }],
      ['url-safe base64 data', { data: '-_-_', signature: sig() }],
      ['impossible base64 length', { data: 'aGk=a', signature: sig() }],
      ['too much padding', { data: 'aGk===', signature: sig() }],
      ['a 63-byte signature', { data: 'aGk=', signature: randomBytes(63).toString('base64') }],
      ['a 65-byte signature', { data: 'aGk=', signature: randomBytes(65).toString('base64') }],
      ['an empty signature', { data: 'aGk=', signature: '' }],
      ['a hex signature', { data: 'aGk=', signature: randomBytes(64).toString('hex') }],
      ['a numeric signature', { data: 'aGk=', signature: 64 }],
      ['files not an array', { ...valid(), files: '1' }],
      ['files an object', { ...valid(), files: { 0: 1 } }],
      ['a fractional file id', { ...valid(), files: [1.5] }],
      ['a negative file id', { ...valid(), files: [-1] }],
      ['a negative file id string', { ...valid(), files: ['-1'] }],
      ['a non-numeric file id', { ...valid(), files: ['abc'] }],
      ['a decimal file id string', { ...valid(), files: ['1.0'] }],
      ['a boolean file id', { ...valid(), files: [true] }],
      ['a null file id', { ...valid(), files: [null] }],
      ['a huge file id', { ...valid(), files: [1e300] }],
      ['a file id beyond 64 bits', { ...valid(), files: ['99999999999999999999'] }],
    ];

    it.each(badBodies)('POST message rejects a body that is %s with 400', async (_n, body) => {
      const res = await signed(t.server, user, 'POST', `/room/${room.token}/message`, { body, contentType: 'application/json' });
      expect(res.status).toBe(400);
      expect(res.headers['content-type']).toBe('text/plain; charset=utf-8');
    });

    it('rejects a body that is not UTF-8 with 400', async () => {
      const post = await signed(t.server, user, 'POST', `/room/${room.token}/message`, { body: notUtf8 });
      expect(post.status).toBe(400);
      const put = await signed(t.server, admin, 'PUT', `/room/${room.token}/message/${own.id}`, { body: notUtf8 });
      expect(put.status).toBe(400);
    });

    it.each(badFields)('POST message rejects %s with 400', async (_n, json) => {
      const before = await sequence(room);
      const res = await postRaw(user, room, json);
      expect(res.status).toBe(400);
      expect(res.headers['content-type']).toBe('text/plain; charset=utf-8');
      expect(await sequence(room)).toBe(before);
    });

    it.each([
      ['whisper_mods as a string', { whisper_mods: 'yes' }],
      ['whisper_mods as a number', { whisper_mods: 1 }],
      ['whisper_to as a number', { whisper_to: 5 }],
    ])('POST message rejects %s with 400', async (_n, extra) => {
      expect((await postRaw(mod, room, { ...valid(), ...extra })).status).toBe(400);
    });

    it.each([...badBodies, ...badFields.map(([n, j]) => [n, Buffer.from(JSON.stringify(j))] as [string, Buffer])])(
      'PUT message rejects %s with 400',
      async (_n, body) => {
        const res = await signed(t.server, admin, 'PUT', `/room/${room.token}/message/${own.id}`, { body, contentType: 'application/json' });
        expect(res.status).toBe(400);
      },
    );

    it('accepts JSON bodies whatever their content type', async () => {
      const body = Buffer.from(JSON.stringify(valid()));
      // (Form-encoded bodies cannot be sent here: the test client would rewrite them.)
      for (const contentType of ['text/plain', 'application/octet-stream', 'application/json; charset=utf-8']) {
        const res = await signed(t.server, admin, 'POST', `/room/${room.token}/message`, { body, contentType });
        expect(res.status).toBe(201);
      }
    });

    it.each([
      ['-1'],
      ['abc'],
      ['1.5'],
      ['1e3'],
      [' 1'],
      ['0x10'],
      ['9223372036854775807'],
      ['9223372036854775808'],
      ['99999999999999999999'],
      ['99999999999999999999999999999999999999999999999999'],
    ])('answers 404 for the message id %p on every message and reaction endpoint', async (id) => {
      const e = encodeURIComponent(id);
      const calls: Array<[string, string, unknown?]> = [
        ['GET', `/room/${room.token}/message/${e}`],
        ['PUT', `/room/${room.token}/message/${e}`, valid()],
        ['DELETE', `/room/${room.token}/message/${e}`],
        ['GET', `/room/${room.token}/messages/before/${e}`],
        ['GET', `/room/${room.token}/messages/since/${e}`],
        ['PUT', `/room/${room.token}/reaction/${e}/x`],
        ['DELETE', `/room/${room.token}/reaction/${e}/x`],
        ['DELETE', `/room/${room.token}/reactions/${e}`],
        ['DELETE', `/room/${room.token}/reactions/${e}/x`],
        ['GET', `/room/${room.token}/reactors/${e}/x`],
      ];
      for (const [method, url, json] of calls) {
        const res = await signed(t.server, admin, method as 'GET', url, json === undefined ? {} : { json });
        expect([method, url, res.status]).toEqual([method, url, 404]);
      }
    });

    it.each([
      ['limit=abc'],
      ['limit=1.5'],
      ['limit='],
      ['limit=1&limit=2'],
      ['reactors=x'],
      ['reactors=2.5'],
    ])('answers 400 for the query %p on the reading endpoints', async (query) => {
      for (const path of ['messages/since/0', 'messages/recent', `messages/before/${own.id}`]) {
        const res = await signed(t.server, user, 'GET', `/room/${room.token}/${path}?${query}`);
        expect([path, res.status]).toEqual([path, 400]);
      }
      const single = await signed(t.server, user, 'GET', `/room/${room.token}/message/${own.id}?${query}`);
      expect(single.status).toBe(query.startsWith('reactors') ? 400 : 200);
    });

    it('answers 400 for a repeated t flag string on since', async () => {
      expect((await signed(t.server, user, 'GET', `/room/${room.token}/messages/since/0?t=r&t=r`)).status).toBe(400);
    });

    it('ignores unknown letters in t and huge limits', async () => {
      await signed(t.server, user, 'GET', `/room/${room.token}/messages/since/0?t=xyz&limit=99999999999999999999999&reactors=-5`).expect(200);
      await signed(t.server, user, 'GET', `/room/${room.token}/messages/since/0?t=`).expect(200);
      await signed(t.server, user, 'GET', `/room/${room.token}/message/${own.id}?reactors=500`).expect(200);
    });

    it('answers 404 for unknown or invalid room tokens', async () => {
      for (const token of ['nope', 'bad%20token', 'x'.repeat(65)]) {
        for (const [method, path] of [
          ['GET', 'messages/recent'],
          ['GET', 'messages/since/0'],
          ['GET', 'message/1'],
          ['POST', 'message'],
          ['DELETE', 'message/1'],
          ['PUT', 'reaction/1/x'],
        ] as const) {
          const res = await signed(t.server, admin, method, `/room/${token}/${path}`, method === 'POST' ? { json: valid() } : {});
          expect([token, path, res.status]).toEqual([token, path, 404]);
        }
      }
    });

    it('answers 401 to anonymous writes, with the reference text', async () => {
      const calls: Array<[string, string]> = [
        ['post', `/room/${room.token}/message`],
        ['put', `/room/${room.token}/message/${own.id}`],
        ['delete', `/room/${room.token}/message/${own.id}`],
        ['put', `/room/${room.token}/reaction/${own.id}/x`],
        ['delete', `/room/${room.token}/reaction/${own.id}/x`],
        ['delete', `/room/${room.token}/reactions/${own.id}`],
        ['delete', `/room/${room.token}/reactions/${own.id}/x`],
      ];
      for (const [method, url] of calls) {
        const res = await (request(t.server) as any)[method](url).send(valid());
        expect([method, url, res.status, res.text]).toEqual([method, url, 401, 'X-SOGS-* request authentication required']);
      }
    });
  });

  describe('rate limit', () => {
    it('allows 5 posts per 16 s and answers the 6th 429 Rate limited, without using a seqno', async () => {
      const room = await newRoom();
      const poster = client();
      for (let i = 0; i < 5; i++) await postRaw(poster, room, valid()).expect(201);
      const seq = await sequence(room);
      const res = await postRaw(poster, room, valid());
      expect(res.status).toBe(429);
      expect(res.text).toBe('Rate limited');
      expect(res.headers['content-type']).toBe('text/plain; charset=utf-8');
      expect(await sequence(room)).toBe(seq);
      // Another user, and the same user in another room, are not affected.
      await postRaw(user, room, valid()).expect(201);
      await postRaw(poster, await newRoom(), valid()).expect(201);
      t.clock.advance(16.5);
      await postRaw(poster, room, valid()).expect(201);
    });

    it('is a sliding window', async () => {
      const room = await newRoom();
      const poster = client();
      for (let i = 0; i < 5; i++) {
        await postRaw(poster, room, valid()).expect(201);
        t.clock.advance(2);
      }
      // First post at T, now T+10: the window still holds all five.
      t.clock.advance(5); // T+15
      expect((await postRaw(poster, room, valid())).status).toBe(429);
      t.clock.advance(1.5); // T+16.5: the first post has left the window
      await postRaw(poster, room, valid()).expect(201);
      expect((await postRaw(poster, room, valid())).status).toBe(429);
    });

    it('counts deleted and filtered posts', async () => {
      const room = await newRoom();
      const poster = client();
      const ids: number[] = [];
      for (let i = 0; i < 5; i++) ids.push((await postRaw(poster, room, valid()).expect(201)).body.id);
      await signed(t.server, poster, 'DELETE', `/room/${room.token}/message/${ids[0]}`).expect(200);
      await signed(t.server, poster, 'DELETE', `/room/${room.token}/message/${ids[1]}`).expect(200);
      await t.database.query(`UPDATE messages SET filtered = true WHERE id = $1`, [ids[2]]);
      expect((await postRaw(poster, room, valid())).status).toBe(429);
    });

    it('applies to moderators but not to admins', async () => {
      const room = await newRoom();
      for (const staff of [mod, gmod]) {
        for (let i = 0; i < 5; i++) await postRaw(staff, room, valid()).expect(201);
        expect((await postRaw(staff, room, valid())).status).toBe(429);
      }
      for (const staff of [admin, gadmin]) {
        for (let i = 0; i < 12; i++) await postRaw(staff, room, valid()).expect(201);
      }
    });

    it('holds under concurrency: of 10 parallel posts by one user exactly 5 succeed', async () => {
      const room = await newRoom();
      const poster = client();
      await signed(t.server, poster, 'GET', '/capabilities').expect(200);
      const results = await Promise.all(Array.from({ length: 10 }, () => postRaw(poster, room, valid())));
      expect(results.map((r) => r.status).sort()).toEqual([201, 201, 201, 201, 201, 429, 429, 429, 429, 429]);
      expect(await sequence(room)).toBe(5);
    });
  });

  describe('concurrent posts', () => {
    it('get distinct, consecutive seqnos and ids: 40 in parallel', async () => {
      const room = await newRoom();
      await postRaw(admin, room, valid()).expect(201);
      const posters = Array.from({ length: 8 }, client);
      for (const p of posters) await signed(t.server, p, 'GET', '/capabilities').expect(200);
      const results = await Promise.all(
        posters.flatMap((p) => Array.from({ length: 5 }, () => postRaw(p, room, valid()))),
      );
      expect(results.map((r) => r.status)).toEqual(Array(40).fill(201));
      const seqnos = results.map((r) => r.body.seqno as number).sort((a, b) => a - b);
      expect(seqnos).toEqual(Array.from({ length: 40 }, (_, i) => i + 2));
      expect(new Set(results.map((r) => r.body.id)).size).toBe(40);
      expect(await sequence(room)).toBe(41);
      const all = (await signed(t.server, user, 'GET', `/room/${room.token}/messages/since/1`).expect(200)).body as Json[];
      expect(all.map((m) => m.seqno)).toEqual(seqnos);
      const byId = new Map(results.map((r) => [r.body.id, r.body]));
      for (const m of all) expect(m).toEqual(byId.get(m.id));
    });

    it('never skip or repeat seqnos when posts, edits and deletions interleave', async () => {
      const room = await newRoom();
      const seed: Json[] = [];
      for (let i = 0; i < 10; i++) seed.push((await postRaw(admin, room, valid()).expect(201)).body);
      const work = [
        ...seed.slice(0, 5).map((m) => signed(t.server, admin, 'PUT', `/room/${room.token}/message/${m.id}`, { json: valid() })),
        ...seed.slice(5).map((m) => signed(t.server, mod, 'DELETE', `/room/${room.token}/message/${m.id}`)),
        ...Array.from({ length: 10 }, () => postRaw(gadmin, room, valid())),
      ];
      const results = await Promise.all(work);
      expect(results.map((r) => r.status)).toEqual([...Array(10).fill(200), ...Array(10).fill(201)]);
      expect(await sequence(room)).toBe(30);
      const rows = await t.database.query<{ seqno: number }>(`SELECT seqno FROM messages WHERE room = $1 ORDER BY seqno`, [room.id]);
      // Every message's cursor is distinct: the 10 new posts, 5 edits and 5 deletions took 21..30.
      expect(new Set(rows.map((r) => r.seqno)).size).toBe(20);
      expect(rows.filter((r) => r.seqno > 10).map((r) => r.seqno)).toEqual(Array.from({ length: 20 }, (_, i) => i + 11));
    });
  });

  describe('attachments (§9.3)', () => {
    let room: Room;
    let other: Room;
    beforeAll(async () => {
      room = await newRoom();
      other = await newRoom();
    });

    async function upload(opts: { room?: Room; uploader?: SessionClient; age?: number; expiry?: number | null; message?: number } = {}): Promise<number> {
      const uploaded = t.clock.now() - (opts.age ?? 10);
      const [row] = await t.database.query<{ id: number }>(
        `INSERT INTO files (room, uploader, message, size, uploaded, expiry, path) VALUES ($1, $2, $3, 1, $4, $5, 'f') RETURNING id`,
        [(opts.room ?? room).id, await userId(opts.uploader ?? user), opts.message ?? null, uploaded, opts.expiry === undefined ? uploaded + 3600 : opts.expiry],
      );
      return row.id;
    }
    const fileRow = async (id: number) =>
      (await t.database.query<{ message: number | null; expiry: number | null }>(`SELECT message, expiry FROM files WHERE id = $1`, [id]))[0];

    it('attaches own recent uploads of the room, given as strings or numbers, and ignores the rest', async () => {
      const mine = await upload();
      const mineNumber = await upload();
      const otherRoom = await upload({ room: other });
      const someoneElse = await upload({ uploader: mod });
      const stale = await upload({ age: 3700 });
      const permanent = await upload({ expiry: null });
      const earlier = (await postRaw(user, room, valid()).expect(201)).body;
      const taken = await upload({ message: earlier.id });
      const untouched = await Promise.all([otherRoom, someoneElse, stale, permanent, taken].map(fileRow));
      t.clock.advance(4);
      const m = (await postRaw(user, room, { ...valid(), files: [String(mine), mineNumber, otherRoom, someoneElse, stale, permanent, taken, 987654321] }).expect(201)).body;
      const now = m.posted as number;
      for (const id of [mine, mineNumber]) {
        const f = await fileRow(id);
        expect(f.message).toBe(m.id);
        expect(f.expiry).toBeCloseTo(now + 15 * 86400, 3);
      }
      expect(await Promise.all([otherRoom, someoneElse, stale, permanent, taken].map(fileRow))).toEqual(untouched);
    });

    it('attaches new uploads on edit and keeps the earlier ones', async () => {
      const first = await upload();
      t.clock.advance(4);
      const m = (await postRaw(user, room, { ...valid(), files: [String(first)] }).expect(201)).body;
      const second = await upload();
      await signed(t.server, user, 'PUT', `/room/${room.token}/message/${m.id}`, { json: { ...valid(), files: [String(second)] } }).expect(200);
      expect((await fileRow(first)).message).toBe(m.id);
      expect((await fileRow(second)).message).toBe(m.id);
    });

    it('does not attach anything when the post is refused', async () => {
      const f = await upload({ uploader: mod });
      const poster = mod;
      const res = await postRaw(poster, room, { data: 'aGk=', signature: 'c2hvcnQ=', files: [f] });
      expect(res.status).toBe(400);
      expect((await fileRow(f)).message).toBeNull();
    });
  });
});

describe('attachments on a server whose attached uploads never expire', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp({ env: { SOGS_UPLOAD_EXPIRY_DAYS: '0' } });
  });
  afterAll(() => t.close());

  it('makes attached uploads permanent', async () => {
    const room = await t.app.get(RoomsService).create({ token: 'forever' });
    const c = SessionClient.random(t.serverKey.publicKey);
    await signed(t.server, c, 'GET', '/capabilities').expect(200);
    const [{ id: uploader }] = await t.database.query(`SELECT id FROM users WHERE session_id = $1`, [c.blindedId]);
    const now = t.clock.now();
    const [{ id }] = await t.database.query(
      `INSERT INTO files (room, uploader, size, uploaded, expiry, path) VALUES ($1, $2, 1, $3, $4, 'f') RETURNING id`,
      [room.id, uploader, now, now + 3600],
    );
    const m = (await signed(t.server, c, 'POST', '/room/forever/message', { json: { ...valid(), files: [String(id)] } }).expect(201)).body;
    expect(await t.database.query(`SELECT message, expiry FROM files WHERE id = $1`, [id])).toEqual([{ message: m.id, expiry: null }]);
  });
});
