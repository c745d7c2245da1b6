/**
 * Private rooms and invite codes (issue #16): a private room grants nothing by default; an invite
 * link's page takes a `05` Session ID and gives it a per-user override that reaches its blinded
 * id; refusals have pages and statuses of their own; moderators manage invites through signed
 * endpoints (also in /batch and onion requests) and admins through `sogs invites`.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import jsQR from 'jsqr';
import { PNG } from 'pngjs';
import request from 'supertest';
import { INVITE_PAGE_LIMIT } from '../../src/invites/invite-rate-limit';
import { ModerationService } from '../../src/moderation/moderation.service';
import { Room } from '../../src/rooms/room.entity';
import { RoomsService } from '../../src/rooms/rooms.service';
import { User } from '../../src/users/user.entity';
import { UsersRepository } from '../../src/users/users.repository';
import { qrPng } from '../../src/web/qr-png';
import { launchChromium, noScriptPage } from '../support/browser';
import { binaryBody } from '../support/binary-body';
import { cli } from '../support/cli-runner';
import { OnionClient } from '../support/onion-client';
import { SessionClient, signed } from '../support/session-client';
import { createTestApp, TestApp } from '../support/test-app';

type Json = Record<string, any>;

const SCREENSHOTS = path.resolve(__dirname, '../../test-output/screenshots');

const JSON_TYPE = 'application/json';
const message = () => ({ data: Buffer.from('hello').toString('base64'), signature: Buffer.alloc(64, 1).toString('base64') });

describe('private rooms and invites', () => {
  let t: TestApp;
  let secret: Room;
  let system: User;
  let mod: SessionClient;
  let ip = 0;
  const logLines: string[] = [];
  /** Each test from its own address, so that only the rate-limit test meets the limit. */
  const nextIp = () => `198.51.100.${++ip}`;
  const codeOf = (url: string) => url.slice(url.lastIndexOf('/') + 1);

  const view = (code: string, from = nextIp()) => request(t.server).get(`/invite/${code}`).set('x-forwarded-for', from);
  const submit = (code: string, sessionId: string, from = nextIp()) =>
    request(t.server).post(`/invite/${code}`).set('x-forwarded-for', from).type('form').send({ session_id: sessionId });
  const read = (c: SessionClient) => signed(t.server, c, 'GET', '/room/secret/messages/recent');
  const post = (c: SessionClient) => signed(t.server, c, 'POST', '/room/secret/message', { json: message() });
  const createInvite = async (args: string[] = []) => {
    const res = await cli(t, 'invites', 'create', '--room', 'secret', ...args);
    expect(res).toMatchObject({ code: 0, stderr: '' });
    const link = /link \(shown only now\): (\S+)/.exec(res.stdout)![1];
    return { id: Number(/Created invite (\d+)/.exec(res.stdout)![1]), link, code: codeOf(link), stdout: res.stdout };
  };

  beforeAll(async () => {
    t = await createTestApp({
      env: { SOGS_LOG_LEVEL: 'debug', SOGS_LOG_PRIVATE: 'true' },
      logDestination: { write: (line) => void logLines.push(line) },
    });
    expect((await cli(t, 'rooms', 'add', 'secret', '--name', 'Secret <club>', '--description', 'Members only', '--private')).code).toBe(0);
    secret = await t.app.get(RoomsService).get('secret');
    system = (await t.app.get(UsersRepository).findById(0))!;
    mod = t.newClient();
    await signed(t.server, mod, 'GET', '/capabilities').expect(200);
    await t.app.get(ModerationService).setModerator(system, mod.blindedId, { rooms: [secret] }, { moderator: true });
  });
  afterAll(() => t.close());

  describe('a private room', () => {
    it('has no read, write or upload by default, stays accessible, and is listed as private', async () => {
      expect(secret).toMatchObject({ read: false, write: false, upload: false, accessible: true });
      const list = await cli(t, 'rooms', 'list');
      expect(list.stdout).toContain('defaults:     read=no accessible=yes write=no upload=no (private)');
      const user = t.newClient();
      const info = await signed(t.server, user, 'GET', '/room/secret').expect(200);
      expect(info.body).toMatchObject({ token: 'secret', name: 'Secret <club>', read: false, write: false, upload: false });
      await read(user).expect(403);
      await post(user).expect(403);
    });

    it('is turned off and on again with rooms update --private', async () => {
      expect((await cli(t, 'rooms', 'update', 'secret', '--private', 'off')).code).toBe(0);
      expect(await t.app.get(RoomsService).get('secret')).toMatchObject({ read: true, write: true, upload: true, accessible: true });
      expect((await cli(t, 'rooms', 'update', 'secret', '--private', 'on')).code).toBe(0);
      expect(await t.app.get(RoomsService).get('secret')).toMatchObject({ read: false, write: false, upload: false, accessible: true });
      expect(await cli(t, 'rooms', 'update', 'secret', '--private', 'maybe')).toMatchObject({ code: 2, stderr: 'sogs: --private takes on or off, got "maybe"' });
      expect((await cli(t, 'rooms', 'update', 'secret', '--private', 'on', '--grant', 'r')).code).toBe(2);
    });

    it('still serves the QR code of its join URL (for the invite page)', async () => {
      const res = await request(t.server).get('/r/secret/invite.png').buffer(true).parse(binaryBody).expect(200);
      expect(res.headers['content-type']).toBe('image/png');
      await request(t.server).get('/r/secret/').expect(403);
    });
    it("serves its image to anyone who may see it, and no other file before an invite lets them read", async () => {
      const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sogs-private-image-'));
      try {
        const image = qrPng('a private room', 64);
        fs.writeFileSync(path.join(dir, 'room.png'), image);
        expect(await cli(t, 'rooms', 'update', 'secret', '--image', path.join(dir, 'room.png'))).toMatchObject({ code: 0, stderr: '' });
      } finally {
        fs.rmSync(dir, { recursive: true, force: true });
      }
      const attachment = (await signed(t.server, mod, 'POST', '/room/secret/file', { body: Buffer.from('members only') }).expect(201)).body.id;
      const outsider = t.newClient();
      const { image_id: imageId } = (await signed(t.server, outsider, 'GET', '/room/secret').expect(200)).body;
      expect(imageId).toEqual(expect.any(Number));
      const got = await signed(t.server, outsider, 'GET', `/room/secret/file/${imageId}`).buffer(true).parse(binaryBody).expect(200);
      expect(got.body).toEqual(qrPng('a private room', 64));
      await request(t.server).get(`/room/secret/file/${imageId}/room.png`).buffer(true).parse(binaryBody).expect(200);
      expect((await signed(t.server, outsider, 'GET', `/room/secret/file/${attachment}`).expect(403)).text).toBe("This endpoint requires room message 'read' permission");
      await signed(t.server, mod, 'GET', `/room/secret/file/${attachment}`).expect(200);
      // A room that is not accessible shows neither.
      expect((await cli(t, 'rooms', 'update', 'secret', '--revoke', 'a')).code).toBe(0);
      await signed(t.server, outsider, 'GET', `/room/secret/file/${imageId}`).expect(403);
      expect((await cli(t, 'rooms', 'update', 'secret', '--grant', 'a')).code).toBe(0);
    });
  });

  describe('redeeming an invite', () => {
    it('lets a 05 Session ID in: the blinded key then reads and posts (user seen before, and never seen)', async () => {
      const invite = await createInvite(['--uses', '3']);
      expect(invite.link).toBe(`http://sogs.example.org/invite/${invite.code}`);
      expect(invite.code).toMatch(/^[A-Za-z0-9_-]{24}$/);
      expect(invite.stdout).toContain('grants rwu, 0/3 used, never expires; active');

      const page = await view(invite.code).expect(200);
      expect(page.headers['content-type']).toBe('text/html; charset=utf-8');
      expect(page.headers['cache-control']).toBe('no-store');
      expect(page.headers['content-security-policy']).toContain("form-action 'self'");
      expect(page.text).toContain('<h1>Secret &lt;club&gt;</h1>');
      expect(page.text).toContain('<p>Members only</p>');
      expect(page.text).toContain('<form method="post">');
      expect(page.text).toContain('name="session_id"');

      const seen = t.newClient();
      await read(seen).expect(403);
      const fresh = t.newClient();
      for (const c of [seen, fresh]) {
        const done = await submit(invite.code, c.sessionId).expect(200);
        expect(done.text).toContain(`<code class="url" id="join-url">http://sogs.example.org/secret?public_key=${t.serverKey.publicKeyHex}</code>`);
        expect(done.text).toContain('<img class="qr large" src="/r/secret/invite.png"');
      }
      for (const c of [seen, fresh]) {
        await read(c).expect(200);
        await post(c).expect(201);
      }
      const [row] = (await signed(t.server, mod, 'GET', '/room/secret/invites').expect(200)).body as Json[];
      expect(row).toMatchObject({ id: invite.id, uses: 2, max_uses: 3 });
    });

    it('succeeds again for the same person without using another use, and logs each redemption', async () => {
      const invite = await createInvite(['--uses', '2', '--grant', 'r']);
      const person = t.newClient();
      await submit(invite.code, person.sessionId).expect(200);
      await submit(invite.code, person.sessionId.toUpperCase().replace(/^05/, '05')).expect(200);
      const [row] = (await signed(t.server, mod, 'GET', '/room/secret/invites').expect(200)).body as Json[];
      expect(row).toMatchObject({ id: invite.id, grant: 'r', uses: 1, max_uses: 2 });
      await read(person).expect(200);
      await post(person).expect(403); // granted read only

      // The person's first request moves the override (and their log entries) to the blinded id.
      const log = (await signed(t.server, mod, 'GET', '/room/secret/moderation/log?limit=3').expect(200)).body as Json[];
      expect(log.slice(0, 2)).toEqual([
        expect.objectContaining({ action: 'redeem_invite', actor: t.serverKey.systemSessionId, target: expect.stringMatching(/^(05|15)/), details: { invite: invite.id, counted: false } }),
        expect.objectContaining({ action: 'redeem_invite', actor: t.serverKey.systemSessionId, details: { invite: invite.id, read: true, counted: true } }),
      ]);
      expect(log[2]).toMatchObject({ action: 'create_invite', details: { invite: invite.id, grant: 'r', max_uses: 2, expires: null } });
    });

    it('never takes away what the person has, and a banned person stays out', async () => {
      const invite = await createInvite(['--grant', 'rw']);
      const muted = t.newClient();
      await signed(t.server, muted, 'GET', '/capabilities').expect(200);
      await signed(t.server, mod, 'POST', `/room/secret/permissions/${muted.blindedId}`, { json: { write: false, upload: true } }).expect(200);
      await submit(invite.code, muted.sessionId).expect(200);
      const perms = (await signed(t.server, mod, 'GET', `/room/secret/permissions/${muted.blindedId}`).expect(200)).body;
      expect(perms).toMatchObject({ read: true, write: false });

      const banned = t.newClient();
      await t.app.get(ModerationService).ban(system, banned.sessionId, { rooms: [secret] }, null);
      const other = await createInvite();
      const refused = await submit(other.code, banned.sessionId).expect(403);
      expect(refused.text).toContain('banned from this room');
      await read(banned).expect(403);
    });

    it('answers a malformed Session ID with the form again (400)', async () => {
      const invite = await createInvite();
      for (const bad of ['hello', `15${'a'.repeat(64)}`, `05${'z'.repeat(64)}`]) {
        const res = await submit(invite.code, bad).expect(400);
        expect(res.text).toContain('<p class="error" role="alert">That is not a Session ID');
        expect(res.text).toContain('name="session_id"');
      }
      const empty = await request(t.server).post(`/invite/${invite.code}`).set('x-forwarded-for', nextIp()).type('form').send('').expect(400);
      expect(empty.text).toContain('Paste your Session ID');
      await request(t.server).post(`/invite/${invite.code}`).set('x-forwarded-for', nextIp()).type('form').send(`session_id=${'0'.repeat(5000)}`).expect(413);
      const [row] = (await signed(t.server, mod, 'GET', '/room/secret/invites').expect(200)).body as Json[];
      expect(row).toMatchObject({ id: invite.id, uses: 0 });
    });
  });

  describe('refusals', () => {
    it('404 for an unknown or malformed code', async () => {
      for (const code of ['AAAAAAAAAAAAAAAAAAAAAAAA', 'short', 'not%20a%20code']) {
        const res = await view(code).expect(404);
        expect(res.text).toContain('<h1>No such invitation</h1>');
      }
      await submit('AAAAAAAAAAAAAAAAAAAAAAAA', t.newClient().sessionId).expect(404);
    });

    it('410 for a used-up code', async () => {
      const invite = await createInvite();
      await submit(invite.code, t.newClient().sessionId).expect(200);
      const page = await view(invite.code).expect(410);
      expect(page.text).toContain('<h1>Invitation already used</h1>');
      const late = t.newClient();
      expect((await submit(invite.code, late.sessionId).expect(410)).text).toContain('Invitation already used');
      await read(late).expect(403);
    });

    it('410 for a revoked code (sogs invites revoke)', async () => {
      const invite = await createInvite();
      expect(await cli(t, 'invites', 'revoke', String(invite.id))).toMatchObject({ code: 0, stdout: `Revoked invite ${invite.id} to secret` });
      expect((await view(invite.code).expect(410)).text).toContain('<h1>Invitation withdrawn</h1>');
      expect((await submit(invite.code, t.newClient().sessionId).expect(410)).text).toContain('Invitation withdrawn');
    });

    it('410 for an expired code', async () => {
      const res = await signed(t.server, mod, 'POST', '/room/secret/invites', { json: { expires: 60 } }).expect(201);
      const code = (res.body as Json).code as string;
      await view(code).expect(200);
      t.clock.advance(61);
      expect((await view(code).expect(410)).text).toContain('<h1>Invitation expired</h1>');
      expect((await submit(code, t.newClient().sessionId).expect(410)).text).toContain('Invitation expired');
    });

    it(`429 after ${INVITE_PAGE_LIMIT} requests from one address in 10 minutes, views and submissions alike`, async () => {
      const from = nextIp();
      for (let i = 0; i < INVITE_PAGE_LIMIT - 1; i++) await view('AAAAAAAAAAAAAAAAAAAAAAAA', from).expect(404);
      await submit('AAAAAAAAAAAAAAAAAAAAAAAA', 'x', from).expect(404);
      const limited = await view('AAAAAAAAAAAAAAAAAAAAAAAA', from).expect(429);
      expect(limited.text).toContain('<h1>Too many attempts</h1>');
      await view('AAAAAAAAAAAAAAAAAAAAAAAA', nextIp()).expect(404); // another address is not affected
      t.clock.advance(601);
      await view('AAAAAAAAAAAAAAAAAAAAAAAA', from).expect(404);
    });

    it('counts the address the local proxy appended to X-Forwarded-For, not those the client put before it', async () => {
      const from = nextIp();
      const spoofed = (i: number) => `203.0.113.${i}, ${from}`;
      for (let i = 0; i < INVITE_PAGE_LIMIT; i++) await view('AAAAAAAAAAAAAAAAAAAAAAAA', spoofed(i)).expect(404);
      await view('AAAAAAAAAAAAAAAAAAAAAAAA', spoofed(99)).expect(429);
      t.clock.advance(601);
    });

    it('is a browser page only: 404 through /batch', async () => {
      const invite = await createInvite();
      const res = await signed(t.server, mod, 'POST', '/batch', { json: [{ method: 'GET', path: `/invite/${invite.code}` }] }).expect(200);
      expect((res.body as Json[])[0].code).toBe(404);
    });
  });

  describe('the moderators’ API', () => {
    it('creates (201, the code shown once), lists without codes, and revokes; 403 for others', async () => {
      const res = await signed(t.server, mod, 'POST', '/room/secret/invites', { json: { uses: 5, expires: 3600, grant: 'rw' } }).expect(201);
      const created = res.body as Json;
      expect(created).toEqual({
        id: expect.any(Number),
        room: 'secret',
        code: expect.stringMatching(/^[A-Za-z0-9_-]{24}$/),
        url: `http://sogs.example.org/invite/${created.code}`,
        grant: 'rw',
        max_uses: 5,
        expires: expect.closeTo(t.clock.now() + 3600, 0),
        created: expect.closeTo(t.clock.now(), 0),
      });
      const list = (await signed(t.server, mod, 'GET', '/room/secret/invites').expect(200)).body as Json[];
      expect(list[0]).toEqual({
        id: created.id,
        room: 'secret',
        grant: 'rw',
        uses: 0,
        max_uses: 5,
        expires: created.expires,
        created: created.created,
        created_by: mod.blindedId,
        revoked: null,
      });
      expect(JSON.stringify(list)).not.toContain(created.code);

      const revoked = (await signed(t.server, mod, 'DELETE', `/room/secret/invites/${created.id}`).expect(200)).body as Json;
      expect(revoked).toMatchObject({ id: created.id, revoked: expect.closeTo(t.clock.now(), 0) });
      await view(created.code).expect(410);
      await signed(t.server, mod, 'DELETE', '/room/secret/invites/999999').expect(404);

      const user = t.newClient();
      await signed(t.server, user, 'POST', '/room/secret/invites', { json: {} }).expect(403);
      await signed(t.server, user, 'GET', '/room/secret/invites').expect(403);
      await signed(t.server, user, 'DELETE', `/room/secret/invites/${created.id}`).expect(403);
      await signed(t.server, null, 'GET', '/room/secret/invites').expect(401);
    });

    it('answers bad bodies with 400', async () => {
      for (const [body, text] of [
        [{ grant: 'rx' }, 'Invalid request: grant must be letters from r (read), w (write), u (upload), each at most once'],
        [{ grant: 'rr' }, 'Invalid request: grant must be letters from r (read), w (write), u (upload), each at most once'],
        [{ uses: 0 }, 'Invalid request: uses must be a whole number from 1 to 1000000'],
        [{ uses: 1.5 }, 'Invalid request: uses must be a whole number from 1 to 1000000'],
        [{ expires: -1 }, 'Invalid request: expires must be a number of seconds between 0 and 1000000000'],
      ] as const) {
        const res = await signed(t.server, mod, 'POST', '/room/secret/invites', { json: body }).expect(400);
        expect(res.text).toBe(text);
      }
    });

    it('works through /batch', async () => {
      const res = await signed(t.server, mod, 'POST', '/batch', {
        json: [
          { method: 'POST', path: '/room/secret/invites', json: { grant: 'r' } },
          { method: 'GET', path: '/room/secret/invites' },
        ],
      }).expect(200);
      const [created, list] = res.body as Json[];
      expect(created).toMatchObject({ code: 201, headers: { 'content-type': JSON_TYPE }, body: { grant: 'r', max_uses: 1 } });
      expect(list).toMatchObject({ code: 200, body: expect.arrayContaining([expect.objectContaining({ id: created.body.id, grant: 'r' })]) });
    });

    it('works through an onion request, and the invite it makes lets a person in', async () => {
      const onion = new OnionClient(t.serverKey.publicKey);
      const body = Buffer.from(JSON.stringify({ uses: 1 }));
      const req = onion.v4({ method: 'POST', endpoint: '/room/secret/invites', body, headers: { 'content-type': JSON_TYPE } }, { signAs: mod });
      const res = await request(t.server).post('/oxen/v4/lsrpc').send(req.body).buffer(true).parse(binaryBody).expect(200);
      const reply = req.decode(res.body as Buffer);
      expect(reply).toMatchObject({ code: 201, json: { grant: 'rwu', max_uses: 1 } });
      const person = t.newClient();
      await submit((reply.json as Json).code, person.sessionId).expect(200);
      await post(person).expect(201);
    });
  });

  describe('the admin CLI', () => {
    it('creates, lists and revokes; exit 2 for bad arguments, 1 for an unknown invite', async () => {
      const made = await createInvite(['--uses', '4', '--expires', '7d', '--grant', 'wr']);
      expect(made.stdout).toMatch(/^Created invite \d+ to secret: grants rw, 0\/4 used, expires \d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ; active$/m);
      const list = await cli(t, 'invites', 'list', '--room', 'secret');
      expect(list.code).toBe(0);
      expect(list.stdout).toMatch(new RegExp(`^#${made.id} secret: grants rw, 0/4 used, expires \\S+; active; created \\S+ by \\(admin CLI\\)$`, 'm'));
      expect(list.stdout).not.toContain(made.code);
      expect((await cli(t, 'invites', 'list')).stdout).toContain(`#${made.id} secret:`);
      expect((await cli(t, 'invites', 'revoke', String(made.id))).code).toBe(0);
      expect((await cli(t, 'invites', 'list', '--room', 'secret')).stdout).toMatch(new RegExp(`^#${made.id} secret: .*; revoked \\S+; created`, 'm'));

      for (const args of [
        ['create'],
        ['create', '--room', 'secret', '--uses', '0'],
        ['create', '--room', 'secret', '--expires', 'soon'],
        ['create', '--room', 'secret', '--grant', 'rwa'],
        ['create', '--room', 'bad token'],
        ['revoke', 'x'],
        ['revoke'],
        ['frobnicate'],
      ]) {
        expect([args, (await cli(t, 'invites', ...args)).code]).toEqual([args, 2]);
      }
      expect(await cli(t, 'invites', 'revoke', '999999')).toMatchObject({ code: 1, stderr: 'sogs: no such invite: 999999' });
      expect((await cli(t, 'invites', 'create', '--room', 'nope')).code).toBe(1);
      expect((await cli(t, '--help')).stdout).toContain('sogs invites create --room TOKEN [--uses N] [--expires 7d] [--grant rwu]');
    });
  });

  it('never writes an invite code or a Session ID into the log, even with SOGS_LOG_PRIVATE', async () => {
    const invite = await createInvite();
    const person = t.newClient();
    await view(invite.code).expect(200);
    await submit(invite.code, person.sessionId).expect(200);
    const lines = logLines.join('');
    expect(lines).toContain('"route":"/invite/:code"');
    expect(lines).toContain('"url":"/invite/:code"');
    expect(lines).not.toContain(invite.code);
    expect(lines).not.toContain(person.sessionId.slice(2));
  });
});

describe('an invite redeemed in a real browser (Debian chromium via playwright-core, no JavaScript)', () => {
  let t: TestApp;
  let base: string;
  beforeAll(async () => {
    t = await createTestApp();
    await t.app.listen(0, '127.0.0.1');
    base = (await t.app.getUrl()).replace('[::1]', '127.0.0.1');
    const image = path.join(t.dataDir, 'club.png');
    fs.writeFileSync(image, qrPng('club', 96));
    expect((await cli(t, 'rooms', 'add', 'club', '--name', 'The Club', '--description', 'By invitation', '--private')).code).toBe(0);
    expect((await cli(t, 'rooms', 'update', 'club', '--image', image)).code).toBe(0);
    fs.mkdirSync(SCREENSHOTS, { recursive: true });
  });
  afterAll(() => t.close());

  it('opens the link, takes a pasted Session ID, and shows the join URL and its QR code; the person then reads', async () => {
    const made = await cli(t, 'invites', 'create', '--room', 'club');
    const link = /link \(shown only now\): (\S+)/.exec(made.stdout)![1].replace('http://sogs.example.org', base);
    const person = t.newClient();
    await signed(t.server, person, 'GET', '/room/club/messages/recent').expect(403);
    const browser = await launchChromium();
    try {
      const p = await noScriptPage(browser);
      const opened = await p.goto(link);
      expect(opened?.status()).toBe(200);
      expect(await p.locator('h1').textContent()).toBe('The Club');
      expect(await p.locator('main').textContent()).toContain('By invitation');
      const imageSize = await p.locator('img.room-image').evaluate((el) => {
        const img = el as unknown as { complete: boolean; naturalWidth: number };
        return img.complete ? img.naturalWidth : 0;
      });
      expect(imageSize).toBe(96);
      await p.screenshot({ path: path.join(SCREENSHOTS, 'invite-form.png'), fullPage: true });

      await p.fill('input[name=session_id]', person.sessionId);
      const [answer] = await Promise.all([p.waitForNavigation(), p.click('button[type=submit]')]);
      expect(answer?.status()).toBe(200);
      const joinUrl = `http://sogs.example.org/club?public_key=${t.serverKey.publicKeyHex}`;
      expect(await p.locator('#join-url').textContent()).toBe(joinUrl);
      const qr = await p.locator('img.qr').screenshot();
      expect(decodeQr(qr)).toBe(joinUrl);
      await p.screenshot({ path: path.join(SCREENSHOTS, 'invite-redeemed.png'), fullPage: true });
    } finally {
      await browser.close();
    }
    await signed(t.server, person, 'GET', '/room/club/messages/recent').expect(200);
  }, 60_000);
});

describe('invite pages with SOGS_TRUST_PROXY=none (no proxy in front)', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp({ env: { SOGS_TRUST_PROXY: 'none' } });
  });
  afterAll(() => t?.close());

  it('ignore X-Forwarded-For: a client cannot escape the rate limit by naming other addresses', async () => {
    const view = (i: number) => request(t.server).get('/invite/AAAAAAAAAAAAAAAAAAAAAAAA').set('x-forwarded-for', `203.0.113.${i}`);
    for (let i = 0; i < INVITE_PAGE_LIMIT; i++) await view(i).expect(404);
    await view(99).expect(429);
  });
});

function decodeQr(png: Buffer): string | undefined {
  const img = PNG.sync.read(png);
  return jsQR(new Uint8ClampedArray(img.data), img.width, img.height)?.data;
}
