/**
 * The upload lifecycle end to end over HTTP with the manual clock (§9.3, §9.4, §16 items 36–37):
 * 1 h for a fresh upload, the attachment lifetime once a post or edit of the same user in the same
 * room claims it, no stealing, pinning, room images, immediate expiry on deletion, and the cleanup
 * removing rows and bytes. Also the admin CLI's `rooms update TOKEN --image PATH`.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { randomBytes } from 'node:crypto';
import { FileStorage } from '../../src/files/file-storage';
import { CleanupService } from '../../src/jobs/cleanup.service';
import { ModerationService } from '../../src/moderation/moderation.service';
import { Room } from '../../src/rooms/room.entity';
import { RoomsService } from '../../src/rooms/rooms.service';
import { User } from '../../src/users/user.entity';
import { UsersRepository } from '../../src/users/users.repository';
import { binaryBody } from '../support/binary-body';
import { cli } from '../support/cli-runner';
import { FILE_STORAGES, isStored, leftovers } from '../support/file-storage';
import { SessionClient, signed } from '../support/session-client';
import { createTestApp, TestApp } from '../support/test-app';

const ATTACHED = 15 * 86400;

interface FileState {
  message: number | null;
  expiry: number | null;
  uploaded: number;
  path: string;
}

describe.each(FILE_STORAGES)('file lifecycle (%s storage)', (storage) => {
  let t: TestApp;
  let system: User;
  let user: SessionClient, user2: SessionClient, admin: SessionClient;
  let room: Room, other: Room;

  beforeAll(async () => {
    t = await createTestApp({ env: { SOGS_FILE_STORAGE: storage } });
    system = (await t.app.get(UsersRepository).findById(0))!;
    [user, user2, admin] = [t.newClient(), t.newClient(), t.newClient()];
    for (const c of [user, user2, admin]) await signed(t.server, c, 'GET', '/capabilities').expect(200);
    room = await t.app.get(RoomsService).create({ token: 'life' });
    other = await t.app.get(RoomsService).create({ token: 'elsewhere' });
    await t.app.get(ModerationService).setModerator(system, admin.blindedId, { rooms: [room] }, { admin: true });
  });
  afterAll(() => t.close());

  const upload = async (c: SessionClient, r: Room = room, body: Buffer = randomBytes(64)): Promise<number> =>
    (await signed(t.server, c, 'POST', `/room/${r.token}/file`, { body }).expect(201)).body.id;
  const download = (r: Room, id: number) => signed(t.server, user, 'GET', `/room/${r.token}/file/${id}`).buffer(true).parse(binaryBody);
  const state = async (id: number): Promise<FileState | undefined> =>
    (await t.database.query<FileState>(`SELECT message, expiry, uploaded, path FROM files WHERE id = $1`, [id]))[0];
  const stored = (key: string) => isStored(t, key);
  const message = () => ({ data: randomBytes(40).toString('base64'), signature: randomBytes(64).toString('base64') });
  /** Posts (4 s later, under the post rate limit) and returns the new message id. */
  async function post(c: SessionClient, r: Room, files: number[]): Promise<number> {
    t.clock.advance(4);
    return (await signed(t.server, c, 'POST', `/room/${r.token}/message`, { json: { ...message(), files } }).expect(201)).body.id;
  }
  const cleanup = () => t.app.get(CleanupService).runOnce();

  it('a fresh upload expires after one hour, then is 404 and cleaned up', async () => {
    const id = await upload(user);
    const f = (await state(id))!;
    expect(f).toEqual({ message: null, expiry: f.uploaded + 3600, uploaded: f.uploaded, path: f.path });
    t.clock.advance(3599);
    await cleanup();
    await download(room, id).expect(200);
    t.clock.advance(2);
    expect((await download(room, id)).status).toBe(404);
    expect(await stored(f.path)).toBe(true);
    await cleanup();
    expect(await state(id)).toBeUndefined();
    expect(await stored(f.path)).toBe(false);
  });

  it('a post of the same user in the same room attaches it for the attachment lifetime; an edit attaches more', async () => {
    const first = await upload(user);
    t.clock.advance(600);
    const msg = await post(user, room, [first]);
    const now = t.clock.now();
    expect((await state(first))!.message).toBe(msg);
    expect((await state(first))!.expiry).toBeCloseTo(now + ATTACHED, 0);

    const second = await upload(user);
    t.clock.advance(4);
    await signed(t.server, user, 'PUT', `/room/${room.token}/message/${msg}`, { json: { ...message(), files: [second] } }).expect(200);
    expect((await state(second))!.message).toBe(msg);
    expect((await state(second))!.expiry).toBeCloseTo(t.clock.now() + ATTACHED, 0);
    expect((await state(first))!.message).toBe(msg);

    // Past the upload hour it is still served and survives the cleanup.
    t.clock.advance(7200);
    await cleanup();
    await download(room, first).expect(200);
    await download(room, second).expect(200);
  });

  it('refuses attachment stealing: another user, another room, or older than an hour', async () => {
    const mine = await upload(user);
    await post(user2, room, [mine]);
    expect((await state(mine))!.message).toBeNull();

    const foreign = await upload(user, other);
    await post(user, room, [foreign]);
    expect((await state(foreign))!.message).toBeNull();

    const old = await upload(user);
    const before = (await state(old))!;
    t.clock.advance(3601);
    await post(user, room, [old]);
    expect(await state(old)).toEqual(before);
    expect((await download(room, old)).status).toBe(404);
    for (const id of [mine, old]) expect((await state(id))!.expiry).toBe((await state(id))!.uploaded + 3600);
    await cleanup();
    for (const id of [mine, foreign, old]) expect(await state(id)).toBeUndefined();
  });

  it('an attached file cannot be re-attached to another post', async () => {
    const id = await upload(user);
    const first = await post(user, room, [id]);
    await post(user, room, [id]);
    expect((await state(id))!.message).toBe(first);
  });

  it('deleting the post expires its files immediately; the cleanup removes row and bytes', async () => {
    const id = await upload(user);
    const keep = await upload(user);
    const msg = await post(user, room, [id]);
    await post(user, room, [keep]);
    const key = (await state(id))!.path;
    await signed(t.server, user, 'DELETE', `/room/${room.token}/message/${msg}`).expect(200);
    expect((await state(id))!.expiry).toBe(0);
    expect((await download(room, id)).status).toBe(404);
    await cleanup();
    expect(await state(id)).toBeUndefined();
    expect(await stored(key)).toBe(false);
    expect(await stored((await state(keep))!.path)).toBe(true);
    await download(room, keep).expect(200);
  });

  it('pinning makes attachments permanent; unpinning counts the lifetime from the upload', async () => {
    const id = await upload(user);
    const msg = await post(user, room, [id]);
    await signed(t.server, admin, 'POST', `/room/${room.token}/pin/${msg}`).expect(200);
    expect((await state(id))!.expiry).toBeNull();
    const pinned = await download(room, id).expect(200);
    expect(pinned.headers['expires']).toBeUndefined();
    await signed(t.server, admin, 'POST', `/room/${room.token}/unpin/${msg}`).expect(200);
    const f = (await state(id))!;
    expect(f.expiry).toBeCloseTo(f.uploaded + ATTACHED, 3);
  });

  it('a room image (PUT /room) never expires; replacing it expires the old one, which the cleanup removes', async () => {
    const first = await upload(admin);
    await signed(t.server, admin, 'PUT', `/room/${room.token}`, { json: { image: first } }).expect(200);
    expect((await state(first))!.expiry).toBeNull();
    t.clock.advance(7200);
    await cleanup();
    const res = await download(room, first).expect(200);
    expect(res.headers['expires']).toBeUndefined();

    const second = await upload(admin);
    const key = (await state(first))!.path;
    await signed(t.server, admin, 'PUT', `/room/${room.token}`, { json: { image: second } }).expect(200);
    expect((await state(first))!.expiry).toBe(0);
    expect((await state(second))!.expiry).toBeNull();
    await cleanup();
    expect(await state(first)).toBeUndefined();
    expect(await stored(key)).toBe(false);
    await download(room, second).expect(200);
  });

  it('the cleanup never follows a stored path outside the uploads directory, and is not stopped by one', async () => {
    const outside = path.join(t.dataDir, 'precious');
    fs.writeFileSync(outside, 'keep');
    const id = await upload(user);
    const key = (await state(id))!.path;
    await t.database.query(`UPDATE files SET path = '../precious' WHERE id = $1`, [id]);
    const good = await upload(user);
    const goodKey = (await state(good))!.path;
    t.clock.advance(3601);
    expect(await cleanup()).toBe(true);
    expect(await state(id)).toBeUndefined();
    expect(await state(good)).toBeUndefined();
    expect(fs.readFileSync(outside, 'utf8')).toBe('keep');
    expect(await stored(goodKey)).toBe(false);
    expect(await stored(key)).toBe(true); // its row named another path: orphaned bytes, never served
  });

  it('an upload cut off by a crash (never kept nor discarded) is removed by the cleanup after an hour', async () => {
    const before = await leftovers(t);
    const incoming = await t.app.get(FileStorage).receive();
    await new Promise((resolve) => incoming.sink.write(randomBytes(300_000), resolve));
    const added = (await leftovers(t)).filter((k) => !before.includes(k));
    expect(added).toHaveLength(1);
    await cleanup();
    expect(await stored(added[0])).toBe(true);
    t.clock.advance(3601);
    await cleanup();
    expect(await stored(added[0])).toBe(false);
    incoming.sink.destroy();
  });

  describe('admin CLI: rooms update TOKEN --image PATH', () => {
    it('stores the image as a system upload of the room and makes it the room image', async () => {
      const r = await t.app.get(RoomsService).create({ token: 'pictured' });
      const png = Buffer.concat([Buffer.from('89504e470d0a1a0a', 'hex'), randomBytes(300)]);
      const file = path.join(t.dataDir, 'logo.png');
      fs.writeFileSync(file, png);
      const res = await cli(t, 'rooms', 'update', 'pictured', '--image', file);
      const [room1] = await t.database.query<{ image: number; info_updates: number }>(`SELECT image, info_updates FROM rooms WHERE id = $1`, [r.id]);
      expect(res).toEqual({
        code: 0,
        stdout: `Set the image of room pictured to file ${room1.image} (308 bytes)\nUpdated room pictured (pictured)`,
        stderr: '',
      });
      expect(await t.database.query(`SELECT room, uploader, message, size, expiry, filename FROM files WHERE id = $1`, [room1.image])).toEqual([
        { room: r.id, uploader: 0, message: null, size: 308, expiry: null, filename: 'logo.png' },
      ]);
      const got = await signed(t.server, null, 'GET', `/room/pictured/file/${room1.image}`).buffer(true).parse(binaryBody).expect(200);
      expect(got.body).toEqual(png);
      expect(got.headers['content-disposition']).toBe("attachment; filename*=UTF-8''logo.png");
      const info = await signed(t.server, null, 'GET', '/room/pictured').expect(200);
      expect(info.body.image_id).toBe(room1.image);

      // A second image replaces the first, which expires at once; other options still apply.
      fs.writeFileSync(file, Buffer.from('GIF89a second')); // --image takes images only
      expect((await cli(t, 'rooms', 'update', 'pictured', '--image', file, '--name', 'Pictured')).code).toBe(0);
      const [room2] = await t.database.query<{ image: number; name: string; info_updates: number }>(`SELECT image, name, info_updates FROM rooms WHERE id = $1`, [r.id]);
      expect(room2.image).not.toBe(room1.image);
      expect(room2.name).toBe('Pictured');
      expect(room2.info_updates).toBe(room1.info_updates + 2);
      expect((await state(room1.image))!.expiry).toBe(0);
      expect((await state(room2.image))!.expiry).toBeNull();
    });

    it('refuses a missing file, an unknown room and a too large image, changing nothing', async () => {
      const before = await t.database.query(`SELECT count(*)::int AS n FROM files`);
      const missing = await cli(t, 'rooms', 'update', 'pictured', '--image', path.join(t.dataDir, 'nope.png'));
      expect(missing).toEqual({ code: 2, stdout: '', stderr: expect.stringContaining(`cannot read --image ${path.join(t.dataDir, 'nope.png')}: ENOENT`) });
      const file = path.join(t.dataDir, 'ok.png');
      fs.writeFileSync(file, 'GIF89a');
      expect((await cli(t, 'rooms', 'update', 'no-such-room', '--image', file)).code).toBe(1);
      fs.writeFileSync(file, Buffer.concat([Buffer.from('GIF89a'), Buffer.alloc(10_000_001 - 6)]));
      const big = await cli(t, 'rooms', 'update', 'pictured', '--image', file);
      expect(big).toEqual({ code: 1, stdout: '', stderr: 'sogs: File too large: the limit is 10000000 bytes' });
      expect(await t.database.query(`SELECT count(*)::int AS n FROM files`)).toEqual(before);
    });
  });
});
