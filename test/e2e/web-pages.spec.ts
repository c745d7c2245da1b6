import * as fs from 'node:fs';
import * as path from 'node:path';
import jsQR from 'jsqr';
import { PNG } from 'pngjs';
import request from 'supertest';
import { RoomsService } from '../../src/rooms/rooms.service';
import { UsersService } from '../../src/users/users.service';
import { launchChromium, noScriptPage } from '../support/browser';
import { binaryBody } from '../support/binary-body';
import { createTestApp, TestApp } from '../support/test-app';
import { sessionContent } from '../support/session-content';

const SCREENSHOTS = path.resolve(__dirname, '../../test-output/screenshots');

function decodeQr(png: Buffer): string | undefined {
  const img = PNG.sync.read(png);
  return jsQR(new Uint8ClampedArray(img.data), img.width, img.height)?.data;
}

describe('browser pages over HTTP', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp();
  });
  afterAll(() => t.close());

  it('explains how to add a room when there is none', async () => {
    const res = await request(t.server).get('/').expect(200);
    expect(res.headers['content-type']).toBe('text/html; charset=utf-8');
    expect(res.headers['content-security-policy']).toContain("default-src 'none'");
    expect(res.headers['x-content-type-options']).toBe('nosniff');
    expect(res.text).toContain('npm run sogs -- rooms add lobby --name &quot;Lobby&quot;');
  });

  it('lists public rooms only, with join URL and QR image, escaping their text', async () => {
    const rooms = t.app.get(RoomsService);
    await rooms.create({ token: 'lobby', name: 'Lobby <b>', description: 'Say "hi" & be nice' });
    await rooms.create({ token: 'secret', name: 'Secret', read: false });
    await rooms.create({ token: 'hidden', name: 'Hidden', read: false, accessible: false });
    const res = await request(t.server).get('/').expect(200);
    expect(res.text).toContain('Lobby &lt;b&gt;');
    expect(res.text).toContain('Say &quot;hi&quot; &amp; be nice');
    expect(res.text).toContain(`http://sogs.example.org/lobby?public_key=${t.serverKey.publicKeyHex}`);
    expect(res.text).toContain('<img src="/r/lobby/invite.png"');
    expect(res.text).not.toContain('Secret');
    expect(res.text).not.toContain('Hidden');
  });

  it('serves a 512×512 QR code of the join URL', async () => {
    const res = await request(t.server).get('/r/lobby/invite.png').buffer(true).parse(binaryBody);
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toBe('image/png');
    const png = PNG.sync.read(res.body as Buffer);
    expect([png.width, png.height]).toEqual([512, 512]);
    expect(decodeQr(res.body as Buffer)).toBe(`http://sogs.example.org/lobby?public_key=${t.serverKey.publicKeyHex}`);
  });

  it('shows a room page with recent public messages, sender abbreviated', async () => {
    const room = await t.app.get(RoomsService).get('lobby');
    const author = t.newClient();
    const user = await t.app.get(UsersService).getOrCreate(author.blindedId);
    const insert = (data: Buffer, extra = '') =>
      t.database.query(`INSERT INTO messages (room, "user", posted, data, data_size, signature${extra ? ', whisper_mods' : ''}) VALUES ($1, $2, $3, $4, $5, $6${extra})`, [
        room.id,
        user.id,
        t.clock.now(),
        data,
        data.length,
        Buffer.alloc(64),
      ]);
    await insert(sessionContent('Hello <world>', 'Alice'));
    await insert(sessionContent('for mods only'), ', true');
    const res = await request(t.server).get('/r/lobby/').expect(200);
    expect(res.text).toContain('Hello &lt;world&gt;');
    expect(res.text).toContain(`Alice (${author.blindedId.slice(0, 6)}…${author.blindedId.slice(-4)})`);
    expect(res.text).not.toContain(author.blindedId);
    expect(res.text).not.toContain('for mods only');
  });

  it('serves the room page with or without its trailing slash', async () => {
    const res = await request(t.server).get('/r/lobby').expect(200);
    expect(res.text).toContain('<h1>Lobby &lt;b&gt;</h1>');
  });

  it('refuses rooms that are not public and answers 404 for unknown ones', async () => {
    await request(t.server).get('/r/secret/').expect(403);
    // The QR code of a room that is accessible without being readable (a private room) is served: its invite page shows it.
    await request(t.server).get('/r/secret/invite.png').expect(200);
    await request(t.server).get('/r/hidden/').expect(403);
    await request(t.server).get('/r/hidden/invite.png').expect(403);
    await request(t.server).get('/r/hidden/image').expect(403);
    await request(t.server).get('/r/lobby/image').expect(404);
    await request(t.server).get('/r/nope/').expect(404);
    await request(t.server).get('/r/nope/invite.png').expect(404);
    await request(t.server).get('/r/bad%20token/').expect(404);
  });

  it('serves its stylesheet', async () => {
    const res = await request(t.server).get('/static/style.css').expect(200);
    expect(res.headers['content-type']).toBe('text/css; charset=utf-8');
  });
});

describe('browser pages switched off', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp({ env: { SOGS_HTTP_SHOW_INDEX: 'no', SOGS_HTTP_SHOW_RECENT: 'no' } });
    await t.app.get(RoomsService).create({ token: 'lobby' });
  });
  afterAll(() => t.close());

  it('hides the room list and recent messages', async () => {
    await request(t.server).get('/').expect(403);
    const res = await request(t.server).get('/r/lobby/').expect(200);
    expect(res.text).not.toContain('Recent messages');
  });
});

describe('browser pages in a real browser (Debian chromium via playwright-core)', () => {
  let t: TestApp;
  let base: string;
  beforeAll(async () => {
    t = await createTestApp();
    await t.app.get(RoomsService).create({ token: 'lobby', name: 'Lobby', description: 'Welcome!' });
    await t.app.get(RoomsService).create({ token: 'dev-chat', name: 'Developers' });
    await t.app.listen(0, '127.0.0.1');
    base = await t.app.getUrl();
    base = base.replace('[::1]', '127.0.0.1');
    fs.mkdirSync(SCREENSHOTS, { recursive: true });
  });
  afterAll(() => t.close());

  it('renders the room list and a room page whose QR codes decode to the join URLs', async () => {
    const browser = await launchChromium();
    try {
      const p = await noScriptPage(browser);
      await p.goto(`${base}/`);
      expect(await p.locator('h2').allTextContents()).toEqual(['Developers', 'Lobby']);
      const qrs = p.locator('section.room img');
      expect(await qrs.count()).toBe(2);
      for (let i = 0; i < 2; i++) {
        const loaded = await qrs.nth(i).evaluate((el) => {
          const img = el as unknown as { complete: boolean; naturalWidth: number; naturalHeight: number };
          return img.complete ? [img.naturalWidth, img.naturalHeight] : null;
        });
        expect(loaded).toEqual([512, 512]);
      }
      await p.screenshot({ path: path.join(SCREENSHOTS, 'room-list.png'), fullPage: true });

      await p.click('text=Lobby');
      expect(p.url()).toBe(`${base}/r/lobby/`);
      expect(await p.locator('h1').textContent()).toBe('Lobby');
      const qr = await p.locator('img.qr').screenshot();
      expect(decodeQr(qr)).toBe(`http://sogs.example.org/lobby?public_key=${t.serverKey.publicKeyHex}`);
      await p.screenshot({ path: path.join(SCREENSHOTS, 'room-page.png'), fullPage: true });
    } finally {
      await browser.close();
    }
  }, 60_000);
});
