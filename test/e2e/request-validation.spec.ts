/**
 * Request validation through the DTOs and the global ValidationPipe: the order of checks (401 →
 * unknown room 404 → 403 → 400, path 404 before the DTOs), every DTO's exact 400 texts for wrong
 * types, unknown keys ignored, query limits clamped, and the same answers inside /batch,
 * /sequence and onion requests. Also the exact content types of JSON replies.
 */
import { randomBytes } from 'node:crypto';
import request from 'supertest';
import { ModerationService } from '../../src/moderation/moderation.service';
import { Room } from '../../src/rooms/room.entity';
import { RoomsService } from '../../src/rooms/rooms.service';
import { User } from '../../src/users/user.entity';
import { UsersRepository } from '../../src/users/users.repository';
import { binaryBody } from '../support/binary-body';
import { OnionClient } from '../support/onion-client';
import { SessionClient, signed } from '../support/session-client';
import { createTestApp, TestApp } from '../support/test-app';

type Json = Record<string, any>;
const TEXT = 'text/plain; charset=utf-8';
const b64 = (s: string) => Buffer.from(s, 'utf8').toString('base64');
const sig = () => randomBytes(64).toString('base64');
const content = () => ({ data: randomBytes(8).toString('base64'), signature: sig() });

describe('request validation', () => {
  let t: TestApp;
  let lobby: Room;
  let system: User;
  let user: SessionClient, user2: SessionClient, mod: SessionClient, admin: SessionClient, gadmin: SessionClient;
  let own: Json;

  beforeAll(async () => {
    t = await createTestApp();
    const rooms = t.app.get(RoomsService);
    lobby = await rooms.create({ token: 'lobby', name: 'Lobby' });
    await rooms.create({ token: 'quiet', name: 'Read only', write: false });
    system = (await t.app.get(UsersRepository).findById(0))!;
    [user, user2, mod, admin, gadmin] = Array.from({ length: 5 }, () => t.newClient());
    for (const c of [user, user2, mod, admin, gadmin]) await signed(t.server, c, 'GET', '/capabilities').expect(200);
    const moderation = t.app.get(ModerationService);
    await moderation.setModerator(system, mod.blindedId, { rooms: [lobby] }, { moderator: true });
    await moderation.setModerator(system, admin.blindedId, { rooms: [lobby] }, { admin: true });
    await moderation.setModerator(system, gadmin.blindedId, { global: true }, { admin: true });
    own = (await signed(t.server, admin, 'POST', '/room/lobby/message', { json: content() }).expect(201)).body;
  });
  afterAll(() => t.close());

  const send = (c: SessionClient | null, method: 'GET' | 'POST' | 'PUT' | 'DELETE', url: string, json?: unknown) =>
    signed(t.server, c, method, url, json === undefined ? {} : { json });
  const raw = (c: SessionClient, method: 'POST' | 'PUT', url: string, body: string) =>
    signed(t.server, c, method, url, { body: Buffer.from(body), contentType: 'application/json' });

  /** Status, body text and content type: a 400 must be plain text with the exact message. */
  async function expect400(res: request.Test | Promise<request.Response>, text: string): Promise<void> {
    const r = await res;
    expect([r.status, r.text, r.headers['content-type']]).toEqual([400, text, TEXT]);
  }

  describe('order of checks', () => {
    it('answers 401 before anything about the room or the body', async () => {
      for (const url of ['/room/lobby/message', '/room/nope/message', '/room/quiet/message']) {
        const res = await request(t.server).post(url).set('content-type', 'application/json').send('{');
        expect([url, res.status, res.text]).toEqual([url, 401, 'X-SOGS-* request authentication required']);
      }
      expect((await request(t.server).get('/room/nope/permissions')).status).toBe(401);
      expect((await request(t.server).get('/inbox?limit=x')).status).toBe(401);
    });

    it('then 404 for an unknown room, then 403, then the body', async () => {
      expect((await raw(user, 'POST', '/room/nope/message', '{')).status).toBe(404);
      expect((await send(user, 'POST', '/room/nope/message', {})).status).toBe(404);
      for (const res of [await raw(user, 'POST', '/room/quiet/message', '{'), await send(user, 'POST', '/room/quiet/message', { data: 5 })]) {
        expect([res.status, res.text]).toEqual([403, "This endpoint requires room message 'write' permission"]);
      }
      await expect400(send(user, 'POST', '/room/lobby/message', { data: 5 }), 'Invalid request: data must be a base64 string');
      expect((await send(user, 'PUT', '/room/lobby', { name: 42 })).status).toBe(403);
      await expect400(send(admin, 'PUT', '/room/lobby', { name: 42 }), 'Invalid name: expected a string');
      expect((await send(user, 'POST', `/room/lobby/permissions/${user2.blindedId}`, { write: 'no' })).status).toBe(403);
      expect((await send(user, 'POST', `/room/lobby/futurePermissions/${user2.blindedId}`, {})).status).toBe(403);
    });

    it('answers a path that names nothing (404) before the query or the body fields', async () => {
      expect((await send(admin, 'PUT', '/room/lobby/message/abc', {})).status).toBe(404);
      expect((await send(admin, 'GET', '/room/lobby/messages/since/abc?limit=x')).status).toBe(404);
      expect((await send(mod, 'POST', '/room/lobby/permissions/05xyz', {})).status).toBe(404);
      expect((await send(mod, 'POST', '/user/05xyz/ban', {})).status).toBe(404);
      expect((await send(user2, 'GET', '/inbox/since/x?limit=y')).status).toBe(404);
    });

    it('checks /user/{sid}/… bodies before their rooms: they name the rooms', async () => {
      await expect400(send(user, 'POST', `/user/${user2.blindedId}/ban`, { rooms: ['lobby'], timeout: 'x' }), 'Invalid request: timeout must be a number of seconds');
      expect((await send(user, 'POST', `/user/${user2.blindedId}/ban`, { rooms: ['lobby'], timeout: 60 })).status).toBe(403);
    });
  });

  describe('message bodies', () => {
    it.each([
      [{}, 'Invalid request: data must be a base64 string'],
      [{ data: null, signature: sig() }, 'Invalid request: data must be a base64 string'],
      [{ data: ['aGk='], signature: sig() }, 'Invalid request: data must be a base64 string'],
      [{ data: 'not base64!', signature: sig() }, 'Invalid request: data is not valid base64'],
      [{ data: 'aGk=' }, 'Invalid request: signature must be a base64 string'],
      [{ data: 'aGk=', signature: 64 }, 'Invalid request: signature must be a base64 string'],
      [{ data: 'aGk=', signature: 'c2hvcnQ=' }, 'Invalid request: signature must be 64 bytes of base64'],
      [{ data: 'aGk=', signature: randomBytes(64).toString('hex') }, 'Invalid request: signature must be 64 bytes of base64'],
      [{ ...content(), files: '1' }, 'Invalid request: files must be an array of file ids'],
      [{ ...content(), files: [1.5] }, 'Invalid request: files must be an array of file ids'],
      [{ ...content(), files: ['1', 'x'] }, 'Invalid request: files must be an array of file ids'],
      [{ ...content(), whisper_to: 5 }, 'Invalid request: whisper_to must be a session id'],
      [{ ...content(), whisper_mods: 'yes' }, 'Invalid request: whisper_mods must be a boolean'],
      // Several faults: the first field's text.
      [{ data: 5, signature: 5, files: 'x' }, 'Invalid request: data must be a base64 string'],
      [{ whisper_mods: 1 }, 'Invalid request: data must be a base64 string'],
    ])('POST %j: 400 %p', async (json, text) => {
      await expect400(send(mod, 'POST', '/room/lobby/message', json), text);
    });

    it.each([
      [{}, 'Invalid request: data must be a base64 string'],
      [{ data: 'aGk=', signature: 'x' }, 'Invalid request: signature must be 64 bytes of base64'],
      [{ ...content(), files: {} }, 'Invalid request: files must be an array of file ids'],
    ])('PUT %j: 400 %p', async (json, text) => {
      await expect400(send(admin, 'PUT', `/room/lobby/message/${own.id}`, json), text);
    });

    it('names the body faults of a JSON text that is not an object', async () => {
      await expect400(raw(user, 'POST', '/room/lobby/message', '{'), 'Invalid request: body is not valid JSON');
      await expect400(raw(user, 'POST', '/room/lobby/message', '[]'), 'Invalid request: expected a JSON object');
      await expect400(signed(t.server, user, 'POST', '/room/lobby/message'), 'Invalid request: expected a JSON body');
    });

    it('answers a body of deeply nested brackets with 400, not a stack overflow', async () => {
      const deep = (n: number) => '['.repeat(n) + ']'.repeat(n);
      for (const [url, body] of [
        ['/room/lobby/message', `{"data":"aGk=","signature":"${sig()}","extra":${deep(100000)}}`],
        ['/batch', `[{"method":"POST","path":"/room/lobby/message","json":${deep(5000)}}]`],
        ['/sequence', deep(300)],
      ]) {
        await expect400(raw(user, 'POST', url, body), 'Invalid request: JSON nested too deeply');
      }
      // Up to 256 levels are read as usual.
      await expect400(raw(user, 'POST', '/batch', deep(256)), 'Invalid request: subrequest 0: expected an object');
    });

    it('answers the same 400 to an unsigned request and inside an onion request (issue #14, item 3)', async () => {
      const deep = (n: number) => '['.repeat(n) + ']'.repeat(n);
      const body = `[{"method":"POST","path":"/room/lobby/message","json":${deep(5000)}}]`;
      for (const url of ['/batch', '/sequence']) {
        await expect400(request(t.server).post(url).set('content-type', 'application/json').send(body), 'Invalid request: JSON nested too deeply');
        const onion = new OnionClient(t.serverKey.publicKey);
        const req = onion.v4({ method: 'POST', endpoint: url, headers: { 'Content-Type': 'application/json' }, body: Buffer.from(body) });
        const out = await request(t.server).post('/oxen/v4/lsrpc').send(req.body).buffer(true).parse(binaryBody).expect(200);
        const reply = req.decode(out.body as Buffer);
        expect([reply.code, reply.raw.toString('utf8')]).toEqual([400, 'Invalid request: JSON nested too deeply']);
      }
    });

    it('ignores unknown keys, and null optional ones', async () => {
      const posted = await send(user, 'POST', '/room/lobby/message', { ...content(), files: null, whisper_to: null, whisper_mods: null, extra: 1, pinned: true }).expect(201);
      expect(posted.body).not.toHaveProperty('extra');
      expect(posted.body).not.toHaveProperty('whisper');
      // An edit cannot turn a message into a whisper: those keys are not part of an edit.
      await send(user, 'PUT', `/room/lobby/message/${posted.body.id}`, { ...content(), whisper_mods: true, whisper_to: mod.blindedId }).expect(200, {});
      const read = (await send(user, 'GET', `/room/lobby/message/${posted.body.id}`).expect(200)).body;
      expect(read).not.toHaveProperty('whisper');
    });
  });

  describe('room update bodies', () => {
    it.each([
      [{}, 'Nothing to update'],
      [{ unknown: 'key' }, 'Nothing to update'],
      [{ default_upload: null, description: undefined }, 'Nothing to update'],
      [{ name: 42 }, 'Invalid name: expected a string'],
      [{ name: null }, 'Invalid name: expected a string'],
      [{ name: '\u0001\n' }, 'Invalid name: must not be empty'],
      [{ description: 42 }, 'Invalid description: expected a string or null'],
      [{ description: ['x'] }, 'Invalid description: expected a string or null'],
      [{ image: 'x' }, 'Invalid image: expected a file id'],
      [{ image: null }, 'Invalid image: expected a file id'],
      [{ image: 2.5 }, 'Invalid image: expected a file id'],
      [{ default_read: 'foo' }, 'Invalid default_read: expected a boolean'],
      [{ default_accessible: 1.5 }, 'Invalid default_accessible: expected a boolean'],
      [{ name: 'fine', default_write: [] }, 'Invalid default_write: expected a boolean'],
      [{ name: 5, image: 'x' }, 'Invalid name: expected a string'],
    ])('PUT %j: 400 %p', async (json, text) => {
      await expect400(send(admin, 'PUT', '/room/lobby', json), text);
    });

    it('changes what it can read and ignores unknown keys', async () => {
      await send(admin, 'PUT', '/room/lobby', { name: 'Lobby!', colour: 'red', default_upload: 1 }).expect(200);
      const info = (await send(admin, 'GET', '/room/lobby').expect(200)).body;
      expect([info.name, info.default_upload, info.colour]).toEqual(['Lobby!', true, undefined]);
    });
  });

  describe('moderation bodies', () => {
    const moderator = (json: unknown) => send(admin, 'POST', `/user/${user2.blindedId}/moderator`, json);

    it.each([
      [{ moderator: true }, 'Invalid request: rooms or global is required'],
      [{ rooms: null, moderator: true }, 'Invalid request: rooms or global is required'],
      [{ global: false, moderator: true }, 'Invalid request: rooms or global is required'],
      [{ global: 'yes', moderator: true }, 'Invalid request: global must be a boolean'],
      [{ rooms: 'lobby', moderator: true }, 'Invalid request: rooms must be a list of room tokens'],
      [{ rooms: ['lobby'], global: true, moderator: true }, 'Invalid request: cannot specify both rooms and global'],
      [{ rooms: [], global: true, moderator: true }, 'Invalid request: cannot specify both rooms and global'],
      [{ rooms: [], moderator: true }, 'Invalid request: rooms must not be empty'],
      [{ rooms: ['lobby', 1], moderator: true }, 'Invalid request: rooms must be room tokens'],
      [{ rooms: ['*', 'lobby'], moderator: true }, 'Invalid request: "*" cannot be combined with room tokens'],
      [{ rooms: ['lobby'], moderator: 'yes' }, 'Invalid request: moderator must be a boolean'],
      [{ rooms: ['lobby'], admin: 1, moderator: true }, 'Invalid request: admin must be a boolean'],
      [{ rooms: ['lobby'], moderator: true, visible: 'no' }, 'Invalid request: visible must be a boolean'],
      [{ rooms: ['lobby'] }, 'one of admin or moderator must be given'],
      [{ rooms: ['lobby'], admin: null, moderator: null }, 'one of admin or moderator must be given'],
      [{ rooms: ['lobby'], admin: true, moderator: false }, 'an admin is always a moderator'],
      // The scope's faults come before the role's.
      [{ rooms: [], moderator: 'yes' }, 'Invalid request: rooms must not be empty'],
    ])('moderator %j: 400 %p', async (json, text) => {
      await expect400(moderator(json), text);
    });

    it('accepts rooms: null beside global: true, and ignores unknown keys', async () => {
      await send(gadmin, 'POST', `/user/${user2.blindedId}/moderator`, { global: true, rooms: null, moderator: true, reason: 'x' }).expect(200);
      await send(gadmin, 'POST', `/user/${user2.blindedId}/moderator`, { global: true, moderator: false }).expect(200);
    });

    it.each([
      ['ban', { rooms: ['lobby'], timeout: '60' }, 'Invalid request: timeout must be a number of seconds'],
      ['ban', { global: true, timeout: [1] }, 'Invalid request: timeout must be a number of seconds'],
      ['ban', {}, 'Invalid request: rooms or global is required'],
      ['unban', {}, 'Invalid request: rooms or global is required'],
      ['unban', { rooms: ['*', '*'] }, 'Invalid request: "*" cannot be combined with room tokens'],
    ])('%s %j: 400 %p', async (action, json, text) => {
      await expect400(send(mod, 'POST', `/user/${user2.blindedId}/${action}`, json), text);
    });

    it('bans with a timeout and ignores unknown keys in ban and unban', async () => {
      await send(mod, 'POST', `/user/${user2.blindedId}/ban`, { rooms: ['lobby'], timeout: 30.5, reason: 'spam' }).expect(200, {});
      await send(mod, 'POST', `/user/${user2.blindedId}/unban`, { rooms: ['lobby'], timeout: 'ignored' }).expect(200, {});
    });

    const permissions = (json: unknown) => send(mod, 'POST', `/room/lobby/permissions/${user2.blindedId}`, json);

    it.each([
      [{}, 'Invalid request: no permission changes given'],
      [{ read: null, default_write: false }, 'Invalid request: no permission changes given'],
      [{ sing: true }, 'Invalid request: no permission changes given'],
      [{ write: 'no' }, 'Invalid request: write must be a boolean'],
      [{ default_upload: 1 }, 'Invalid request: default_upload must be a boolean'],
      [{ write: false, default_write: true }, 'Invalid request: cannot give both write and default_write'],
      [{ read: true, default_read: true, write: 'x' }, 'Invalid request: cannot give both read and default_read'],
      [{ write: false, unschedule: 'x' }, 'Invalid request: unschedule must be a boolean'],
    ])('permissions %j: 400 %p', async (json, text) => {
      await expect400(permissions(json), text);
    });

    it('sets permissions, ignoring unknown keys', async () => {
      expect((await permissions({ write: false, default_read: false, colour: 'red' }).expect(200)).body).toEqual({ write: false });
      expect((await permissions({ default_write: true }).expect(200)).body).toEqual({});
    });

    const future = (json: unknown) => send(mod, 'POST', `/room/lobby/futurePermissions/${user2.blindedId}`, json);
    const IN = 'Invalid request: in must be a number of seconds between 0 and 1000000000';

    it.each([
      [{ in: 60 }, 'Invalid request: one of read, write or upload is required'],
      [{ accessible: true, in: 60 }, 'Invalid request: one of read, write or upload is required'],
      [{ write: 'yes', in: 60 }, 'Invalid request: write must be a boolean'],
      [{ write: true }, IN],
      [{ write: true, in: '60' }, IN],
      [{ write: true, in: 0 }, IN],
      [{ write: true, in: 1e9 }, IN],
      [{ write: true, in: null }, IN],
    ])('futurePermissions %j: 400 %p', async (json, text) => {
      await expect400(future(json), text);
    });

    it('schedules a change in (0, 1e9) seconds', async () => {
      const res = await future({ write: true, in: 999999999.5, read: null, banned: true }).expect(200);
      expect(res.body).toEqual([{ at: expect.any(Number), write: true }]);
    });
  });

  describe('direct message bodies', () => {
    it.each([
      [{}, 'Invalid request: message must be a base64 string'],
      [{ message: 5 }, 'Invalid request: message must be a base64 string'],
      [{ message: 'not base64!' }, 'Invalid request: message is not valid base64'],
      [{ message: 'a-_b' }, 'Invalid request: message is not valid base64'],
    ])('POST /inbox %j: 400 %p', async (json, text) => {
      await expect400(send(user, 'POST', `/inbox/${user2.blindedId}`, json), text);
    });

    it('checks the body before the recipient, and ignores unknown keys', async () => {
      await expect400(send(user, 'POST', `/inbox/15${'0'.repeat(64)}`, {}), 'Invalid request: message must be a base64 string');
      expect((await send(user, 'POST', `/inbox/15${'0'.repeat(64)}`, { message: b64('hi') })).status).toBe(404);
      await send(user, 'POST', `/inbox/${user2.blindedId}`, { message: b64('hi'), subject: 'x' }).expect(201);
    });
  });

  describe('query strings', () => {
    let room: Room;
    const ids = (res: request.Response) => (res.body as Json[]).map((m) => m.id);

    beforeAll(async () => {
      room = await t.app.get(RoomsService).create({ token: 'paging' });
      for (let i = 0; i < 3; i++) {
        t.clock.advance(4);
        await send(admin, 'POST', '/room/paging/message', content()).expect(201);
      }
    });

    it('clamps limits instead of refusing them', async () => {
      const all = ids(await send(user, 'GET', '/room/paging/messages/recent').expect(200));
      expect(all).toHaveLength(3);
      for (const [query, count] of [
        ['limit=0', 1],
        ['limit=-7', 1],
        ['limit=2', 2],
        ['limit=+2', 2],
        ['limit=%202%20', 2],
        ['limit=257', 3],
        ['limit=99999999999999999999999', 3],
        ['limit=-99999999999999999999999', 1],
      ] as const) {
        expect([query, ids(await send(user, 'GET', `/room/paging/messages/recent?${query}`).expect(200))]).toEqual([query, all.slice(0, count)]);
      }
      expect(ids(await send(user, 'GET', `/room/paging/messages/since/0?limit=0`).expect(200))).toHaveLength(1);
    });

    it.each([
      ['messages/recent?limit=abc', 'Invalid limit'],
      ['messages/recent?limit=', 'Invalid limit'],
      ['messages/recent?limit', 'Invalid limit'],
      ['messages/recent?limit=1.5', 'Invalid limit'],
      ['messages/recent?limit=1e3', 'Invalid limit'],
      ['messages/recent?limit=0x10', 'Invalid limit'],
      ['messages/recent?reactors=x', 'Invalid reactors'],
      ['messages/before/999?reactors=2.5', 'Invalid reactors'],
      ['messages/since/0?t=r&t=r', 'Invalid t'],
      ['messages/since/0?t=r&t=r&limit=x', 'Invalid t'],
      ['messages/since/0?limit=x&reactors=y', 'Invalid limit'],
      ['reactors/1/x?limit=many', 'Invalid limit'],
    ])('GET %s: 400 %p', async (path, text) => {
      await expect400(send(user, 'GET', `/room/paging/${path}`), text);
    });

    it('refuses a repeated key: Fastify makes it a list, and one value was meant', async () => {
      await expect400(send(user, 'GET', '/room/paging/messages/recent?limit=1&limit=2'), 'Invalid limit');
      await expect400(send(user, 'GET', '/room/paging/messages/recent?reactors=1&reactors=1'), 'Invalid reactors');
      await expect400(send(user2, 'GET', '/inbox?limit=1&limit=1'), 'Invalid limit');
      await expect400(request(t.server).get('/capabilities?required=sogs&required=blind'), 'required must be given once');
    });

    it('ignores unknown keys, and keys another endpoint reads', async () => {
      expect(ids(await send(user, 'GET', '/room/paging/messages/recent?page=2&sort=asc').expect(200))).toHaveLength(3);
      await send(user, 'GET', `/room/paging/message/${ids(await send(user, 'GET', '/room/paging/messages/recent'))[0]}?limit=x&t=1`).expect(200);
    });

    it('clamps and checks the direct message limit', async () => {
      for (let i = 0; i < 2; i++) await send(user, 'POST', `/inbox/${user2.blindedId}`, { message: b64(`m${i}`) }).expect(201);
      expect((await send(user2, 'GET', '/inbox?limit=0').expect(200)).body).toHaveLength(1);
      expect((await send(user, 'GET', '/outbox?limit=-1').expect(200)).body).toHaveLength(1);
      await expect400(send(user2, 'GET', '/inbox?limit=x'), 'Invalid limit');
      await expect400(send(user2, 'GET', '/outbox/since/0?limit=1.0'), 'Invalid limit');
    });

    it("checks the moderator tools' queries", async () => {
      await expect400(send(mod, 'GET', '/room/lobby/moderation/log?before=x'), 'Invalid before: expected a log entry id');
      await expect400(send(mod, 'GET', '/room/lobby/moderation/log?before=1&before=2'), 'Invalid before: expected a log entry id');
      await expect400(send(mod, 'GET', '/room/lobby/moderation/log?limit=x&before=x'), 'Invalid before: expected a log entry id');
      await expect400(send(mod, 'GET', '/room/lobby/moderation/log?limit=x'), 'Invalid limit');
      await expect400(send(mod, 'GET', '/room/lobby/users?active_days=x'), 'Invalid active_days');
      await expect400(send(mod, 'GET', '/room/lobby/users?active_days=1&limit=x'), 'Invalid limit');
      expect((await send(mod, 'GET', '/room/lobby/moderation/log?limit=0').expect(200)).body).toHaveLength(1);
      await send(mod, 'GET', '/room/lobby/users?active_days=0&limit=99999').expect(200);
    });
  });

  describe('inside /batch, /sequence and onion requests', () => {
    const batch = (endpoint: string, json: unknown) => send(user, 'POST', endpoint, json).expect(200);
    const error = (text: string) => ({ code: 400, headers: { 'content-type': TEXT }, body: b64(text) });

    it('answers bad bodies and queries of subrequests with the same 400s', async () => {
      const subrequests = [
        { method: 'POST', path: '/room/lobby/message', json: { data: 5 } },
        { method: 'GET', path: '/room/lobby/messages/recent?limit=x' },
        { method: 'PUT', path: `/room/lobby/message/${own.id}`, bytes: '{' },
        { method: 'GET', path: '/room/lobby/messages/recent?limit=0' },
      ];
      const res = await batch('/batch', subrequests);
      expect(res.body.slice(0, 3)).toEqual([
        error('Invalid request: data must be a base64 string'),
        error('Invalid limit'),
        error('Invalid request: body is not valid JSON'),
      ]);
      expect(res.body[3]).toEqual({ code: 200, headers: { 'content-type': 'application/json' }, body: [expect.objectContaining({ id: expect.any(Number) })] });
      const seq = await batch('/sequence', subrequests.slice(1));
      expect(seq.body).toEqual([error('Invalid limit')]);
    });

    it('answers them inside onion requests too', async () => {
      const onion = new OnionClient(t.serverKey.publicKey);
      const v4 = async (inner: Parameters<OnionClient['v4']>[0]) => {
        const req = onion.v4(inner, { signAs: user });
        const res = await request(t.server).post('/oxen/v4/lsrpc').send(req.body).buffer(true).parse(binaryBody);
        return req.decode(res.body as Buffer);
      };
      const bad = await v4({ method: 'POST', endpoint: '/room/lobby/message', headers: { 'Content-Type': 'application/json' }, body: Buffer.from('{"data":"aGk=","extra":1}') });
      expect([bad.code, bad.headers, bad.raw.toString()]).toEqual([400, { 'content-type': TEXT }, 'Invalid request: signature must be a base64 string']);
      const query = await v4({ method: 'GET', endpoint: '/room/lobby/messages/recent?reactors=x' });
      expect([query.code, query.raw.toString()]).toEqual([400, 'Invalid reactors']);
      const clamped = await v4({ method: 'GET', endpoint: '/room/lobby/messages/recent?limit=0' });
      expect([clamped.code, (clamped.json as Json[]).length]).toEqual([200, 1]);
    });

    it('checks every subrequest element, lists in the list included, and ignores unknown keys', async () => {
      await expect400(send(user, 'POST', '/batch', [[]]), 'Invalid request: subrequest 0: expected an object');
      await expect400(send(user, 'POST', '/batch', [{ method: 'GET', path: '/capabilities' }, [{ method: 'GET', path: '/capabilities' }]]), 'Invalid request: subrequest 1: expected an object');
      await expect400(send(user, 'POST', '/sequence', [{ method: 'GET', path: '/capabilities' }, { method: 'GET', path: '/capabilities' }, 7]), 'Invalid request: subrequest 2: expected an object');
      // The first bad element is the one named, whatever is wrong further on.
      await expect400(send(user, 'POST', '/batch', [{ method: 'GET' }, null]), 'Invalid request: subrequest 0: path must be a string starting with /');
      const res = await batch('/batch', [{ method: 'GET', path: '/capabilities', priority: 'high', headers: { 'X-Anything': 'x' } }]);
      expect(res.body).toEqual([{ code: 200, headers: { 'content-type': 'application/json' }, body: { capabilities: ['blind', 'reactions', 'sogs'] } }]);
    });

    it('forwards a json body as given, null included', async () => {
      const res = await batch('/batch', [{ method: 'POST', path: '/room/lobby/message', json: null }]);
      expect(res.body).toEqual([error('Invalid request: expected a JSON object')]);
    });
  });

  describe('content types', () => {
    it('labels direct JSON replies exactly application/json, and errors as plain text', async () => {
      for (const res of [
        await request(t.server).get('/capabilities').expect(200),
        await request(t.server).get('/capabilities?required=magic').expect(412),
        await send(user, 'POST', '/room/lobby/message', content()).expect(201),
        await send(user, 'POST', '/batch', [{ method: 'GET', path: '/capabilities' }]).expect(200),
        await request(t.server).get('/healthz').expect(200),
      ]) {
        expect(res.headers['content-type']).toBe('application/json');
      }
      expect((await send(user, 'GET', '/room/lobby/messages/recent?limit=x')).headers['content-type']).toBe(TEXT);
      expect((await request(t.server).get('/nowhere')).headers['content-type']).toBe(TEXT);
    });

    it('labels JSON exactly application/json inside batch and onion replies', async () => {
      const res = await send(user, 'POST', '/batch', [
        { method: 'GET', path: '/room/lobby' },
        { method: 'GET', path: '/nowhere' },
      ]).expect(200);
      expect(res.body.map((r: Json) => r.headers)).toEqual([{ 'content-type': 'application/json' }, { 'content-type': TEXT }]);

      const onion = new OnionClient(t.serverKey.publicKey);
      for (const endpoint of ['/capabilities', '/room/lobby']) {
        const req = onion.v4({ method: 'GET', endpoint });
        const out = await request(t.server).post('/oxen/v4/lsrpc').send(req.body).buffer(true).parse(binaryBody).expect(200);
        expect(out.headers['content-type']).toBe('application/octet-stream');
        const reply = req.decode(out.body as Buffer);
        expect([reply.code, reply.headers]).toEqual([200, { 'content-type': 'application/json' }]);
      }
    });
  });
});
