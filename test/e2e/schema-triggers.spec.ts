/**
 * The initial schema's triggers and constraints (migrations/20261122000000_initial_schema.sql),
 * exercised directly in SQL on a fresh, fully migrated database: real PostgreSQL when
 * TEST_DATABASE_URL or DATABASE_URL is set, embedded PGlite otherwise.
 */
import { openTestDatabase, TestDatabase } from '../support/test-database';

let t: TestDatabase;

beforeAll(async () => {
  t = await openTestDatabase();
});
afterAll(() => t?.close());

// --- helpers: every test makes its own users and rooms, so tests do not depend on each other ---

const q = <T = any>(sql: string, params?: unknown[]) => t.query<T>(sql, params);
const one = async <T = any>(sql: string, params?: unknown[]) => (await q<T>(sql, params))[0];

let serial = 0;
const unique = () => `${++serial}`;

async function newUser(flags: { moderator?: boolean; admin?: boolean; visible_mod?: boolean; banned?: boolean } = {}): Promise<number> {
  const row = await one<{ id: number }>(
    `INSERT INTO users (session_id, created, last_active, moderator, admin, visible_mod, banned)
     VALUES ($1, 1000, 1000, $2, $3, $4, $5) RETURNING id`,
    [`05${unique().padStart(64, '0')}`, flags.moderator ?? false, flags.admin ?? false, flags.visible_mod ?? false, flags.banned ?? false],
  );
  return Number(row.id);
}

async function newRoom(): Promise<number> {
  const row = await one<{ id: number }>(`INSERT INTO rooms (token, name, created) VALUES ($1, 'Room', 1000) RETURNING id`, [
    `room_${unique()}`,
  ]);
  return Number(row.id);
}

interface MessageRow {
  id: number;
  seqno: number;
  seqno_data: number;
  seqno_reactions: number;
  seqno_creation: number;
  data: Buffer | null;
  data_size: number | null;
  signature: Buffer | null;
  edited: number | null;
}

const MESSAGE = 'id, seqno, seqno_data, seqno_reactions, seqno_creation, data, data_size, signature, edited';
const SIG = Buffer.alloc(64, 7);

async function post(room: number, user: number, text = 'hello'): Promise<MessageRow> {
  return one<MessageRow>(
    `INSERT INTO messages (room, "user", posted, data, data_size, signature) VALUES ($1, $2, 1000, $3, $4, $5) RETURNING ${MESSAGE}`,
    [room, user, Buffer.from(text), Buffer.byteLength(text), SIG],
  );
}

const message = (id: number) => one<MessageRow>(`SELECT ${MESSAGE} FROM messages WHERE id = $1`, [id]);
const edit = (id: number, text: string, at: number) =>
  one<MessageRow>(`UPDATE messages SET data = $2, data_size = $3, edited = $4 WHERE id = $1 RETURNING ${MESSAGE}`, [
    id,
    Buffer.from(text),
    Buffer.byteLength(text),
    at,
  ]);
const softDelete = (id: number, at: number) =>
  one<MessageRow>(`UPDATE messages SET data = NULL, edited = $2 WHERE id = $1 RETURNING ${MESSAGE}`, [id, at]);

/** Adds a user's reaction the way the application does: find-or-create the reaction, then the user row. */
async function react(messageId: number, user: number, reaction: string, at = 2000): Promise<void> {
  await q(`INSERT INTO reactions (message, reaction) VALUES ($1, $2) ON CONFLICT DO NOTHING`, [messageId, reaction]);
  await q(
    `INSERT INTO user_reactions (reaction, "user", at)
     SELECT id, $3, $4 FROM reactions WHERE message = $1 AND reaction = $2 ON CONFLICT DO NOTHING`,
    [messageId, reaction, user, at],
  );
}

const unreact = (messageId: number, user: number, reaction: string) =>
  q(
    `DELETE FROM user_reactions WHERE "user" = $3 AND reaction = (SELECT id FROM reactions WHERE message = $1 AND reaction = $2)`,
    [messageId, reaction, user],
  );

const reactionRows = (messageId: number) =>
  q<{ id: number; reaction: string; users: number }>(
    `SELECT r.id, r.reaction, (SELECT count(*)::int FROM user_reactions u WHERE u.reaction = r.id) AS users
     FROM reactions r WHERE r.message = $1 ORDER BY r.id`,
    [messageId],
  );

const sequence = async (room: number) => Number((await one(`SELECT message_sequence FROM rooms WHERE id = $1`, [room])).message_sequence);
const infoUpdates = async (room: number) => Number((await one(`SELECT info_updates FROM rooms WHERE id = $1`, [room])).info_updates);

async function newFile(room: number | null, uploader: number, fields: { message?: number; expiry?: number | null } = {}): Promise<number> {
  const row = await one<{ id: number }>(
    `INSERT INTO files (room, uploader, message, size, uploaded, expiry, filename, path)
     VALUES ($1, $2, $3, 10, 1000, $4, 'f.txt', 'uploads/x') RETURNING id`,
    [room, uploader, fields.message ?? null, fields.expiry === undefined ? 5000 : fields.expiry],
  );
  return Number(row.id);
}
const expiry = async (file: number) => (await one(`SELECT expiry FROM files WHERE id = $1`, [file]))?.expiry as number | null | undefined;

async function pin(room: number, messageId: number, by: number, at = 3000): Promise<void> {
  await q(
    `INSERT INTO pinned_messages (room, message, pinned_by, pinned_at) VALUES ($1, $2, $3, $4)
     ON CONFLICT (room, message) DO UPDATE SET pinned_by = EXCLUDED.pinned_by, pinned_at = EXCLUDED.pinned_at`,
    [room, messageId, by, at],
  );
}

const override = (room: number, user: number) =>
  one(`SELECT * FROM user_permission_overrides WHERE room = $1 AND "user" = $2`, [room, user]);

// ---------------------------------------------------------------------------------------------

describe('identities', () => {
  it('start at 1 for every id column', async () => {
    const starts = await q<{ table_name: string; start: number }>(
      `SELECT c.relname AS table_name, s.seqstart AS start
       FROM pg_depend d
       JOIN pg_class c ON c.oid = d.refobjid
       JOIN pg_sequence s ON s.seqrelid = d.objid
       WHERE d.deptype = 'i' AND c.relnamespace = 'public'::regnamespace
       ORDER BY c.relname`,
    );
    expect(starts.map((s) => s.table_name)).toEqual(
      expect.arrayContaining(['files', 'inbox', 'messages', 'reactions', 'rooms', 'user_ban_futures', 'user_permission_futures', 'users']),
    );
    for (const s of starts) expect(Number(s.start)).toBe(1);
  });

  it('accepts an explicit id 0 for the system user', async () => {
    const before = await newRoom();
    const info = await infoUpdates(before);
    const row = await one(`INSERT INTO users (id, session_id, admin, visible_mod) VALUES (0, 'ff' || repeat('0', 64), true, false) RETURNING *`);
    expect(row).toMatchObject({ id: 0, admin: true, moderator: true });
    expect(await infoUpdates(before)).toBe(info + 1); // a new global admin is a room info change
  });
});

describe('triggers are pure', () => {
  it('no trigger function reads the clock or configuration', async () => {
    const impure = await q<{ proname: string }>(
      `SELECT proname FROM pg_proc
       WHERE pronamespace = 'public'::regnamespace AND prorettype = 'trigger'::regtype
         AND prosrc ~* '(now\\s*\\(|clock_timestamp|current_timestamp|statement_timestamp|transaction_timestamp|localtimestamp|current_setting)'`,
    );
    expect(impure).toEqual([]);
  });
});

describe('message sequence (§7.3)', () => {
  it('stamps a new message with the next room sequence value', async () => {
    const room = await newRoom();
    const other = await newRoom();
    const u = await newUser();
    expect(await sequence(room)).toBe(0);
    const a = await post(room, u);
    const b = await post(room, u);
    await post(other, u);
    expect(a).toMatchObject({ seqno: 1, seqno_data: 1, seqno_creation: 1, seqno_reactions: 0 });
    expect(b).toMatchObject({ seqno: 2, seqno_data: 2, seqno_creation: 2, seqno_reactions: 0 });
    expect(await sequence(room)).toBe(2);
    expect(await sequence(other)).toBe(1); // per room
  });

  it('ignores counter values supplied by the inserter', async () => {
    const room = await newRoom();
    const u = await newUser();
    const row = await one<MessageRow>(
      `INSERT INTO messages (room, "user", data, signature, seqno_data, seqno_reactions, seqno_creation)
       VALUES ($1, $2, '\\x01', $3, 40, 50, 60) RETURNING ${MESSAGE}`,
      [room, u, SIG],
    );
    expect(row).toMatchObject({ seqno: 1, seqno_data: 1, seqno_reactions: 0, seqno_creation: 1 });
  });

  it('keeps exactly the bytes posted', async () => {
    const room = await newRoom();
    const u = await newUser();
    const padded = Buffer.from([1, 2, 3, 0x80, 0, 0]);
    const row = await one<MessageRow>(
      `INSERT INTO messages (room, "user", data, data_size, signature) VALUES ($1, $2, $3, 6, $4) RETURNING ${MESSAGE}`,
      [room, u, padded, SIG],
    );
    expect(Buffer.compare(row.data!, padded)).toBe(0);
  });

  it('an edit records the old version, moves seqno_data and keeps seqno_creation', async () => {
    const room = await newRoom();
    const u = await newUser();
    const m = await post(room, u, 'first');
    await post(room, u);
    const edited = await edit(m.id, 'second', 1500);
    expect(edited).toMatchObject({ seqno: 3, seqno_data: 3, seqno_creation: 1, seqno_reactions: 0, edited: 1500 });
    expect(edited.data!.toString()).toBe('second');
    const history = await q(`SELECT replaced, data, signature FROM message_history WHERE message = $1`, [m.id]);
    expect(history).toHaveLength(1);
    expect(history[0].replaced).toBe(1500);
    expect(history[0].data.toString()).toBe('first');
    expect(Buffer.compare(history[0].signature, SIG)).toBe(0);
    expect(await sequence(room)).toBe(3);
  });

  it('an update that leaves data unchanged moves nothing', async () => {
    const room = await newRoom();
    const u = await newUser();
    const m = await post(room, u, 'same');
    const row = await one<MessageRow>(
      `UPDATE messages SET data = $2, whisper_mods = true WHERE id = $1 RETURNING ${MESSAGE}`,
      [m.id, Buffer.from('same')],
    );
    expect(row).toMatchObject({ seqno: 1, seqno_data: 1, edited: null });
    expect(await sequence(room)).toBe(1);
    expect(await q(`SELECT * FROM message_history WHERE message = $1`, [m.id])).toEqual([]);
  });

  it('refuses a data change that does not set edited', async () => {
    const room = await newRoom();
    const u = await newUser();
    const m = await post(room, u);
    await expect(q(`UPDATE messages SET data = '\\x00' WHERE id = $1`, [m.id])).rejects.toThrow(/edited must be set/);
    expect(await sequence(room)).toBe(1);
  });

  it('seqno is the greater of seqno_data and seqno_reactions', async () => {
    const room = await newRoom();
    const [u, v] = [await newUser(), await newUser()];
    const m = await post(room, u); // 1
    await react(m.id, v, '👍'); // 2
    expect(await message(m.id)).toMatchObject({ seqno: 2, seqno_data: 1, seqno_reactions: 2 });
    await edit(m.id, 'changed', 1500); // 3
    expect(await message(m.id)).toMatchObject({ seqno: 3, seqno_data: 3, seqno_reactions: 2 });
    await unreact(m.id, v, '👍'); // 4
    expect(await message(m.id)).toMatchObject({ seqno: 4, seqno_data: 3, seqno_reactions: 4, seqno_creation: 1 });
  });

  it('deleting a message with two reactions advances the sequence by 3', async () => {
    const room = await newRoom();
    const [u, v, w] = [await newUser(), await newUser(), await newUser()];
    const m = await post(room, u, 'bye'); // 1
    await react(m.id, v, '👍'); // 2
    await react(m.id, w, '❤️'); // 3
    const before = await sequence(room);
    expect(before).toBe(3);
    const deleted = await softDelete(m.id, 1700);
    // The data change takes 4; the two reaction removals then take 5 and 6.
    expect(await sequence(room)).toBe(before + 3);
    expect(deleted).toMatchObject({ seqno_data: 4, edited: 1700, data: null, data_size: null, signature: null });
    expect(await message(m.id)).toMatchObject({ seqno: 6, seqno_data: 4, seqno_reactions: 6, seqno_creation: 1 });
    expect(await reactionRows(m.id)).toEqual([]);
    const history = await q(`SELECT replaced, data FROM message_history WHERE message = $1`, [m.id]);
    expect(history.map((h) => [h.replaced, h.data.toString()])).toEqual([[1700, 'bye']]);
  });

  it('deleting counts every user-reaction removed, several users of one reaction included', async () => {
    const room = await newRoom();
    const users = [await newUser(), await newUser(), await newUser()];
    const m = await post(room, users[0]);
    for (const u of users) await react(m.id, u, '👍');
    await react(m.id, users[0], '🎉');
    expect(await sequence(room)).toBe(5);
    await softDelete(m.id, 1700);
    expect(await sequence(room)).toBe(5 + 1 + 4);
  });

  it('deleting twice is a no-op', async () => {
    const room = await newRoom();
    const u = await newUser();
    const m = await post(room, u);
    await softDelete(m.id, 1700);
    await softDelete(m.id, 1800);
    expect(await sequence(room)).toBe(2);
    expect(await q(`SELECT * FROM message_history WHERE message = $1`, [m.id])).toHaveLength(1);
  });

  it('deleting unpins the message and expires its attachments', async () => {
    const room = await newRoom();
    const [admin, u] = [await newUser(), await newUser()];
    const m = await post(room, u);
    const attached = await newFile(room, u, { message: m.id, expiry: 9000 });
    const unrelated = await newFile(room, u, { expiry: 9000 });
    await pin(room, m.id, admin);
    expect(await expiry(attached)).toBeNull(); // pinned: never expires
    const info = await infoUpdates(room);
    await softDelete(m.id, 1700);
    expect(await q(`SELECT * FROM pinned_messages WHERE message = $1`, [m.id])).toEqual([]);
    expect(await infoUpdates(room)).toBe(info + 1);
    expect(await expiry(attached)).toBe(0);
    expect(await expiry(unrelated)).toBe(9000);
  });

  it('concurrent posts into one room get seqnos 1..50 exactly', async () => {
    const room = await newRoom();
    const u = await newUser();
    const rows = await Promise.all(
      Array.from({ length: 50 }, (_, i) =>
        t.pool.query(`INSERT INTO messages (room, "user", data, signature) VALUES ($1, $2, $3, $4) RETURNING id, seqno`, [
          room,
          u,
          Buffer.from(`m${i}`),
          SIG,
        ]),
      ),
    );
    const seqnos = rows.map((r) => Number(r.rows[0].seqno)).sort((a, b) => a - b);
    expect(seqnos).toEqual(Array.from({ length: 50 }, (_, i) => i + 1));
    expect(await sequence(room)).toBe(50);
  });

  it('concurrent edits and reactions on one message neither deadlock nor lose a count', async () => {
    const room = await newRoom();
    const author = await newUser();
    const reactors = await Promise.all(Array.from({ length: 20 }, () => newUser()));
    const m = await post(room, author);
    const reactionIds = await Promise.all(
      ['a', 'b', 'c'].map(async (r) => Number((await one(`INSERT INTO reactions (message, reaction) VALUES ($1, $2) RETURNING id`, [m.id, r])).id)),
    );
    const work: Promise<unknown>[] = [];
    reactors.forEach((u, i) => {
      work.push(t.pool.query(`INSERT INTO user_reactions (reaction, "user", at) VALUES ($1, $2, 2000)`, [reactionIds[i % 3], u]));
      if (i % 2 === 0) {
        work.push(t.pool.query(`UPDATE messages SET data = $2, edited = $3 WHERE id = $1`, [m.id, Buffer.from(`edit ${i}`), 1000 + i]));
      }
    });
    await Promise.all(work);
    expect(await sequence(room)).toBe(1 + 20 + 10);
    const final = await message(m.id);
    expect(final.seqno).toBe(31);
    expect(Math.min(final.seqno_data, final.seqno_reactions)).toBeGreaterThan(1);
    expect(await q(`SELECT * FROM message_history WHERE message = $1`, [m.id])).toHaveLength(10);
  });
});

describe('reactions (§7.6)', () => {
  it('each add and each remove advances the sequence into seqno_reactions', async () => {
    const room = await newRoom();
    const [u, v, w] = [await newUser(), await newUser(), await newUser()];
    const m = await post(room, u);
    await react(m.id, v, '👍');
    await react(m.id, w, '👍');
    expect(await message(m.id)).toMatchObject({ seqno: 3, seqno_reactions: 3, seqno_data: 1 });
    await unreact(m.id, v, '👍');
    expect(await message(m.id)).toMatchObject({ seqno: 4, seqno_reactions: 4 });
    expect(await sequence(room)).toBe(4);
  });

  it('a repeated add (ON CONFLICT DO NOTHING) and a missing remove count nothing', async () => {
    const room = await newRoom();
    const [u, v] = [await newUser(), await newUser()];
    const m = await post(room, u);
    await react(m.id, v, '👍');
    await react(m.id, v, '👍');
    await unreact(m.id, u, '👍');
    expect(await sequence(room)).toBe(2);
    expect(await reactionRows(m.id)).toEqual([expect.objectContaining({ reaction: '👍', users: 1 })]);
  });

  it('concurrent adds and removes, by the same users too, neither deadlock nor miscount', async () => {
    const room = await newRoom();
    const [author, anchor] = [await newUser(), await newUser()];
    const users = await Promise.all(Array.from({ length: 5 }, () => newUser()));
    const m = await post(room, author);
    await react(m.id, anchor, 'x'); // keeps the reaction row alive throughout
    const reaction = Number((await reactionRows(m.id))[0].id);
    const before = await sequence(room);
    const results = await Promise.all(
      Array.from({ length: 60 }, (_, i) => {
        const u = users[i % users.length];
        return i % 3 === 2
          ? t.pool.query(`DELETE FROM user_reactions WHERE reaction = $1 AND "user" = $2`, [reaction, u])
          : t.pool.query(`INSERT INTO user_reactions (reaction, "user", at) VALUES ($1, $2, 2000) ON CONFLICT DO NOTHING`, [reaction, u]);
      }),
    );
    const changes = results.reduce((n, r) => n + (r.rowCount ?? 0), 0);
    expect(await sequence(room)).toBe(before + changes);
    expect((await message(m.id)).seqno).toBe(before + changes);
  });

  it('the last user leaving removes the reaction, so re-adding it moves it to the end', async () => {
    const room = await newRoom();
    const [u, v] = [await newUser(), await newUser()];
    const m = await post(room, u);
    await react(m.id, v, 'first');
    await react(m.id, v, 'second');
    const [first] = await reactionRows(m.id);
    await unreact(m.id, v, 'first');
    expect((await reactionRows(m.id)).map((r) => r.reaction)).toEqual(['second']);
    await react(m.id, u, 'first');
    const rows = await reactionRows(m.id);
    expect(rows.map((r) => r.reaction)).toEqual(['second', 'first']);
    expect(rows[1].id).toBeGreaterThan(first.id);
  });

  it('a bulk removal of n user-reactions advances the sequence by n and drops emptied reactions', async () => {
    const room = await newRoom();
    const users = [await newUser(), await newUser(), await newUser()];
    const m = await post(room, users[0]);
    for (const u of users) await react(m.id, u, '👍');
    await react(m.id, users[1], '🔥');
    const before = await sequence(room);
    await q(`DELETE FROM user_reactions WHERE reaction IN (SELECT id FROM reactions WHERE message = $1)`, [m.id]);
    expect(await sequence(room)).toBe(before + 4);
    expect(await reactionRows(m.id)).toEqual([]);
  });

  it('deleting a user removes their reactions, each counted', async () => {
    const room = await newRoom();
    const [u, gone] = [await newUser(), await newUser()];
    const a = await post(room, u);
    const b = await post(room, u);
    await react(a.id, gone, 'x');
    await react(b.id, gone, 'x');
    await react(b.id, u, 'x');
    expect(await sequence(room)).toBe(5);
    await q(`DELETE FROM users WHERE id = $1`, [gone]);
    expect(await sequence(room)).toBe(7);
    const stamps = [(await message(a.id)).seqno_reactions, (await message(b.id)).seqno_reactions];
    expect(stamps.sort()).toEqual([6, 7]); // one removal each, in whichever order the cascade ran
    expect((await reactionRows(a.id)).length).toBe(0);
    expect(await reactionRows(b.id)).toEqual([expect.objectContaining({ reaction: 'x', users: 1 })]);
  });

  it('refuses a reaction on a deleted message', async () => {
    const room = await newRoom();
    const u = await newUser();
    const m = await post(room, u);
    await q(`INSERT INTO reactions (message, reaction) VALUES ($1, 'x')`, [m.id]);
    await softDelete(m.id, 1700);
    await expect(react(m.id, u, 'x')).rejects.toThrow(/cannot react to deleted message/);
    expect(await sequence(room)).toBe(2);
  });

  it('refuses updates of reactions and user_reactions', async () => {
    const room = await newRoom();
    const [u, v] = [await newUser(), await newUser()];
    const m = await post(room, u);
    await react(m.id, u, 'x');
    await expect(q(`UPDATE reactions SET reaction = 'y' WHERE message = $1`, [m.id])).rejects.toThrow(/cannot be updated/);
    await expect(
      q(`UPDATE user_reactions SET "user" = $2 WHERE reaction IN (SELECT id FROM reactions WHERE message = $1)`, [m.id, v]),
    ).rejects.toThrow(/cannot be updated/);
    expect(await sequence(room)).toBe(2);
  });

  it('one (message, reaction) row per reaction string', async () => {
    const room = await newRoom();
    const u = await newUser();
    const m = await post(room, u);
    await q(`INSERT INTO reactions (message, reaction) VALUES ($1, 'x')`, [m.id]);
    await expect(q(`INSERT INTO reactions (message, reaction) VALUES ($1, 'x')`, [m.id])).rejects.toThrow(/duplicate key/);
  });
});

describe('room info_updates (§6.3)', () => {
  it('starts at 1 and counts name, description and image changes one each', async () => {
    const room = await newRoom();
    expect(await infoUpdates(room)).toBe(1);
    await q(`UPDATE rooms SET name = 'New name' WHERE id = $1`, [room]);
    expect(await infoUpdates(room)).toBe(2);
    await q(`UPDATE rooms SET name = 'Newer', description = 'About' WHERE id = $1`, [room]);
    expect(await infoUpdates(room)).toBe(4);
    await q(`UPDATE rooms SET description = NULL WHERE id = $1`, [room]);
    expect(await infoUpdates(room)).toBe(5);
  });

  it('does not count unchanged values, default permissions, posts or activity', async () => {
    const room = await newRoom();
    const u = await newUser();
    await q(`UPDATE rooms SET name = name, description = description WHERE id = $1`, [room]);
    await q(`UPDATE rooms SET read = false, write = false, upload = false, accessible = false WHERE id = $1`, [room]);
    await q(`UPDATE rooms SET active_users = 5 WHERE id = $1`, [room]);
    const m = await post(room, u);
    await edit(m.id, 'edited', 1500);
    await react(m.id, u, 'x');
    await q(`INSERT INTO room_users (room, "user", last_active) VALUES ($1, $2, 1000)`, [room, u]);
    // A ban or permission override of a non-moderator is not a room info change either.
    await q(`INSERT INTO user_permission_overrides (room, "user", banned) VALUES ($1, $2, true)`, [room, u]);
    expect(await infoUpdates(room)).toBe(1);
  });

  it('replacing the image counts once, expires the old file and keeps the new one', async () => {
    const room = await newRoom();
    const u = await newUser();
    const first = await newFile(room, u);
    const second = await newFile(room, u);
    await q(`UPDATE rooms SET image = $2 WHERE id = $1`, [room, first]);
    expect(await infoUpdates(room)).toBe(2);
    expect(await expiry(first)).toBeNull();
    await q(`UPDATE rooms SET image = $2 WHERE id = $1`, [room, second]);
    expect(await infoUpdates(room)).toBe(3);
    expect(await expiry(first)).toBe(0);
    expect(await expiry(second)).toBeNull();
    await q(`UPDATE rooms SET image = NULL WHERE id = $1`, [room]);
    expect(await infoUpdates(room)).toBe(4);
    expect(await expiry(second)).toBe(0);
  });

  it('pin, re-pin and unpin count one each; pinning makes the attachments permanent', async () => {
    const room = await newRoom();
    const [admin, u] = [await newUser(), await newUser()];
    const m = await post(room, u);
    const file = await newFile(room, u, { message: m.id, expiry: 9000 });
    await pin(room, m.id, admin, 3000);
    expect(await infoUpdates(room)).toBe(2);
    expect(await expiry(file)).toBeNull();
    await pin(room, m.id, admin, 3100); // re-pin: ON CONFLICT DO UPDATE
    expect(await infoUpdates(room)).toBe(3);
    await q(`DELETE FROM pinned_messages WHERE room = $1 AND message = $2`, [room, m.id]);
    expect(await infoUpdates(room)).toBe(4);
    expect(await expiry(file)).toBeNull(); // the unpin expiry needs config: the application sets it
  });

  it('refuses to pin a deleted message or a message of another room', async () => {
    const [room, other] = [await newRoom(), await newRoom()];
    const u = await newUser();
    const m = await post(room, u);
    await expect(pin(other, m.id, u)).rejects.toThrow(/foreign key/);
    await softDelete(m.id, 1700);
    await expect(pin(room, m.id, u)).rejects.toThrow(/cannot pin deleted message/);
    expect(await infoUpdates(room)).toBe(1);
    expect(await infoUpdates(other)).toBe(1);
  });
});

describe('room permission overrides (§8)', () => {
  it('admin implies moderator', async () => {
    const room = await newRoom();
    const u = await newUser();
    await q(`INSERT INTO user_permission_overrides (room, "user", admin) VALUES ($1, $2, true)`, [room, u]);
    expect(await override(room, u)).toMatchObject({ admin: true, moderator: true });
    await q(`UPDATE user_permission_overrides SET moderator = false WHERE room = $1 AND "user" = $2`, [room, u]);
    expect(await override(room, u)).toMatchObject({ admin: true, moderator: true });
  });

  it('appointments, role changes and removals bump only that room; visibility-only changes do not', async () => {
    const [room, other] = [await newRoom(), await newRoom()];
    const u = await newUser();
    await q(`INSERT INTO user_permission_overrides (room, "user", moderator) VALUES ($1, $2, true)`, [room, u]);
    expect(await infoUpdates(room)).toBe(2);
    await q(`UPDATE user_permission_overrides SET visible_mod = false WHERE room = $1 AND "user" = $2`, [room, u]);
    expect(await infoUpdates(room)).toBe(2);
    await q(`UPDATE user_permission_overrides SET admin = true WHERE room = $1 AND "user" = $2`, [room, u]);
    expect(await infoUpdates(room)).toBe(3);
    await q(`UPDATE user_permission_overrides SET admin = false WHERE room = $1 AND "user" = $2`, [room, u]);
    expect(await infoUpdates(room)).toBe(4);
    await q(`UPDATE user_permission_overrides SET write = false WHERE room = $1 AND "user" = $2`, [room, u]);
    expect(await infoUpdates(room)).toBe(4);
    await q(`DELETE FROM user_permission_overrides WHERE room = $1 AND "user" = $2`, [room, u]);
    expect(await infoUpdates(room)).toBe(5);
    expect(await infoUpdates(other)).toBe(1);
  });

  it('removing the last role or override deletes the row (also through an upsert)', async () => {
    const room = await newRoom();
    const [mod, muted] = [await newUser(), await newUser()];
    await q(`INSERT INTO user_permission_overrides (room, "user", moderator, visible_mod) VALUES ($1, $2, true, false)`, [room, mod]);
    await q(`UPDATE user_permission_overrides SET moderator = false, visible_mod = true WHERE room = $1 AND "user" = $2`, [room, mod]);
    expect(await override(room, mod)).toBeUndefined();
    expect(await infoUpdates(room)).toBe(3); // appointment + removal; the row's deletion adds nothing

    await q(`INSERT INTO user_permission_overrides (room, "user", write, upload) VALUES ($1, $2, false, false)`, [room, muted]);
    await q(`UPDATE user_permission_overrides SET write = NULL WHERE room = $1 AND "user" = $2`, [room, muted]);
    expect(await override(room, muted)).toMatchObject({ write: null, upload: false });
    await q(
      `INSERT INTO user_permission_overrides (room, "user", upload) VALUES ($1, $2, NULL)
       ON CONFLICT (room, "user") DO UPDATE SET upload = EXCLUDED.upload`,
      [room, muted],
    );
    expect(await override(room, muted)).toBeUndefined();
    expect(await infoUpdates(room)).toBe(3);
  });

  it('a row that only bans is kept; unbanning deletes it', async () => {
    const room = await newRoom();
    const u = await newUser();
    await q(`INSERT INTO user_permission_overrides (room, "user", read) VALUES ($1, $2, false)`, [room, u]);
    await q(`UPDATE user_permission_overrides SET banned = true, read = NULL WHERE room = $1 AND "user" = $2`, [room, u]);
    expect(await override(room, u)).toMatchObject({ banned: true, read: null });
    await q(`UPDATE user_permission_overrides SET banned = false WHERE room = $1 AND "user" = $2`, [room, u]);
    expect(await override(room, u)).toBeUndefined();
  });

  it('a room ban forgets the user’s activity in that room only', async () => {
    const [room, other] = [await newRoom(), await newRoom()];
    const [u, v] = [await newUser(), await newUser()];
    for (const [r, w] of [[room, u], [other, u], [room, v]]) {
      await q(`INSERT INTO room_users (room, "user", last_active) VALUES ($1, $2, 1000)`, [r, w]);
    }
    await q(`INSERT INTO user_permission_overrides (room, "user", write) VALUES ($1, $2, false)`, [room, u]);
    expect(await q(`SELECT * FROM room_users WHERE "user" = $1`, [u])).toHaveLength(2);
    await q(`UPDATE user_permission_overrides SET banned = true WHERE room = $1 AND "user" = $2`, [room, u]);
    const left = await q(`SELECT room, "user" FROM room_users WHERE "user" IN ($1, $2) ORDER BY room, "user"`, [u, v]);
    expect(left).toEqual([
      { room, user: v },
      { room: other, user: u },
    ]);
    // A ban that creates the row does the same.
    await q(`INSERT INTO user_permission_overrides (room, "user", banned) VALUES ($1, $2, true)`, [other, u]);
    expect(await q(`SELECT * FROM room_users WHERE "user" = $1`, [u])).toEqual([]);
  });

  it('a row cannot ban and appoint at once', async () => {
    const room = await newRoom();
    const u = await newUser();
    await expect(
      q(`INSERT INTO user_permission_overrides (room, "user", banned, moderator) VALUES ($1, $2, true, true)`, [room, u]),
    ).rejects.toThrow(/user_permission_overrides_not_banned_staff/);
    await q(`INSERT INTO user_permission_overrides (room, "user", banned) VALUES ($1, $2, true)`, [room, u]);
    await expect(
      q(`UPDATE user_permission_overrides SET admin = true WHERE room = $1 AND "user" = $2`, [room, u]),
    ).rejects.toThrow(/user_permission_overrides_not_banned_staff/);
  });
});

describe('global roles (§8.1)', () => {
  it('admin implies moderator', async () => {
    const u = await newUser({ admin: true });
    expect(await one(`SELECT moderator, admin FROM users WHERE id = $1`, [u])).toEqual({ moderator: true, admin: true });
    await q(`UPDATE users SET moderator = false WHERE id = $1`, [u]);
    expect(await one(`SELECT moderator FROM users WHERE id = $1`, [u])).toEqual({ moderator: true });
  });

  it('every global role or visibility change bumps every room', async () => {
    const rooms = [await newRoom(), await newRoom(), await newRoom()];
    const snapshot = async () => Promise.all(rooms.map(infoUpdates));
    const base = await snapshot();
    const bumped = (n: number) => base.map((b) => b + n);

    const u = await newUser(); // a plain user: nothing
    expect(await snapshot()).toEqual(bumped(0));
    await q(`UPDATE users SET moderator = true WHERE id = $1`, [u]);
    expect(await snapshot()).toEqual(bumped(1));
    await q(`UPDATE users SET visible_mod = true WHERE id = $1`, [u]);
    expect(await snapshot()).toEqual(bumped(2));
    await q(`UPDATE users SET admin = true WHERE id = $1`, [u]);
    expect(await snapshot()).toEqual(bumped(3));
    await q(`UPDATE users SET last_active = 5000 WHERE id = $1`, [u]);
    await q(`UPDATE users SET admin = true, moderator = true WHERE id = $1`, [u]);
    expect(await snapshot()).toEqual(bumped(3));
    await newUser({ moderator: true }); // inserted as a mod
    expect(await snapshot()).toEqual(bumped(4));
    await q(`DELETE FROM users WHERE id = $1`, [u]); // deleted while admin
    expect(await snapshot()).toEqual(bumped(5));
    const plain = await newUser();
    await q(`UPDATE users SET banned = true WHERE id = $1`, [plain]);
    await q(`DELETE FROM users WHERE id = $1`, [plain]);
    expect(await snapshot()).toEqual(bumped(5));
  });

  it('a user cannot be banned and staff at once', async () => {
    await expect(newUser({ banned: true, moderator: true })).rejects.toThrow(/users_not_banned_staff/);
    await expect(newUser({ banned: true, admin: true })).rejects.toThrow(/users_not_banned_staff/);
    const u = await newUser({ moderator: true });
    await expect(q(`UPDATE users SET banned = true WHERE id = $1`, [u])).rejects.toThrow(/users_not_banned_staff/);
  });

  it('session ids are unique', async () => {
    await q(`INSERT INTO users (session_id) VALUES ('05dup')`);
    await expect(q(`INSERT INTO users (session_id) VALUES ('05dup')`)).rejects.toThrow(/duplicate key/);
  });
});

describe('rooms', () => {
  it('tokens are 1–64 of [A-Za-z0-9_-], unique ignoring case, stored as given', async () => {
    await q(`INSERT INTO rooms (token, name) VALUES ('Mixed-Case_1', 'x')`);
    expect(await one(`SELECT token FROM rooms WHERE lower(token) = 'mixed-case_1'`)).toEqual({ token: 'Mixed-Case_1' });
    await expect(q(`INSERT INTO rooms (token, name) VALUES ('mixed-CASE_1', 'x')`)).rejects.toThrow(/duplicate key/);
    for (const bad of ['', 'has space', 'dot.ted', 'émoji', 'a'.repeat(65), 'slash/']) {
      await expect(q(`INSERT INTO rooms (token, name) VALUES ($1, 'x')`, [bad])).rejects.toThrow(/rooms_token_format/);
    }
    await q(`INSERT INTO rooms (token, name) VALUES ($1, 'x')`, ['a'.repeat(64)]);
  });

  it('new rooms default to every permission, a zero sequence and info_updates 1', async () => {
    const row = await one(`INSERT INTO rooms (token, name) VALUES ($1, 'Name') RETURNING *`, [`defaults_${unique()}`]);
    expect(row).toMatchObject({
      description: null,
      image: null,
      message_sequence: 0,
      info_updates: 1,
      active_users: 0,
      read: true,
      accessible: true,
      write: true,
      upload: true,
    });
    await expect(q(`INSERT INTO rooms (token) VALUES ($1)`, [`noname_${unique()}`])).rejects.toThrow(/null value/);
  });

  it('deleting a room with reactions, pins, overrides, history and files works and expires its files', async () => {
    const [room, other] = [await newRoom(), await newRoom()];
    const [u, v] = [await newUser(), await newUser()];
    const a = await post(room, u);
    const b = await post(room, v);
    await react(a.id, u, '👍');
    await react(a.id, v, '👍');
    await react(b.id, u, '🔥');
    await edit(b.id, 'edited', 1500);
    await pin(room, a.id, u);
    await q(`INSERT INTO user_permission_overrides (room, "user", moderator) VALUES ($1, $2, true)`, [room, v]);
    await q(`INSERT INTO room_users (room, "user", last_active) VALUES ($1, $2, 1000)`, [room, u]);
    const attached = await newFile(room, u, { message: a.id });
    const image = await newFile(room, u);
    await q(`UPDATE rooms SET image = $2 WHERE id = $1`, [room, image]);
    const elsewhere = await post(other, u);
    await react(elsewhere.id, v, '👍');
    const otherSequence = await sequence(other);

    await q(`DELETE FROM rooms WHERE id = $1`, [room]);

    expect(await q(`SELECT id FROM messages WHERE room = $1`, [room])).toEqual([]);
    expect(await q(`SELECT id FROM reactions WHERE message IN ($1, $2)`, [a.id, b.id])).toEqual([]);
    expect(await q(`SELECT * FROM message_history WHERE message IN ($1, $2)`, [a.id, b.id])).toEqual([]);
    expect(await q(`SELECT * FROM user_permission_overrides WHERE room = $1`, [room])).toEqual([]);
    expect(await q(`SELECT * FROM room_users WHERE room = $1`, [room])).toEqual([]);
    const files = await q(`SELECT id, room, message, expiry FROM files WHERE id IN ($1, $2) ORDER BY id`, [attached, image]);
    expect(files).toEqual([
      { id: attached, room: null, message: null, expiry: 0 },
      { id: image, room: null, message: null, expiry: 0 },
    ]);
    expect(await sequence(other)).toBe(otherSequence);
    expect(await reactionRows(elsewhere.id)).toEqual([expect.objectContaining({ users: 1 })]);
  });
});

describe('files (§9.4)', () => {
  it('an upload defaults to expiring after one hour', async () => {
    const room = await newRoom();
    const u = await newUser();
    const row = await one(
      `INSERT INTO files (room, uploader, size, path) VALUES ($1, $2, 1, 'p')
       RETURNING expiry - uploaded AS lifetime`,
      [room, u],
    );
    expect(row.lifetime).toBeCloseTo(3600, 0);
  });

  it('a hard-deleted message expires its attachments now, except the room image', async () => {
    const room = await newRoom();
    const u = await newUser();
    const m = await post(room, u);
    const attached = await newFile(room, u, { message: m.id, expiry: 9000 });
    const image = await newFile(room, u, { message: m.id, expiry: 9000 });
    await q(`UPDATE rooms SET image = $2 WHERE id = $1`, [room, image]);
    await q(`DELETE FROM messages WHERE id = $1`, [m.id]);
    expect(await one(`SELECT message, expiry FROM files WHERE id = $1`, [attached])).toEqual({ message: null, expiry: 0 });
    expect(await one(`SELECT message, expiry FROM files WHERE id = $1`, [image])).toEqual({ message: null, expiry: null });
  });

  it('a deleted uploader leaves the file row for the cleanup job', async () => {
    const room = await newRoom();
    const u = await newUser();
    const file = await newFile(room, u, { expiry: 9000 });
    await q(`DELETE FROM users WHERE id = $1`, [u]);
    expect(await one(`SELECT uploader, expiry FROM files WHERE id = $1`, [file])).toEqual({ uploader: null, expiry: 9000 });
  });
});

describe('other tables', () => {
  it('nonces are unique and survive their user', async () => {
    const u = await newUser();
    const nonce = Buffer.alloc(16, 3);
    await q(`INSERT INTO user_request_nonces (nonce, "user", expiry) VALUES ($1, $2, 5000)`, [nonce, u]);
    const again = await q(`INSERT INTO user_request_nonces (nonce, "user", expiry) VALUES ($1, NULL, 5000) ON CONFLICT (nonce) DO NOTHING RETURNING nonce`, [nonce]);
    expect(again).toEqual([]);
    await q(`DELETE FROM users WHERE id = $1`, [u]);
    expect(await one(`SELECT "user", expiry FROM user_request_nonces WHERE nonce = $1`, [nonce])).toEqual({ user: null, expiry: 5000 });
  });

  it('inbox rows go with either party', async () => {
    const [a, b, c] = [await newUser(), await newUser(), await newUser()];
    await q(`INSERT INTO inbox (recipient, sender, body, posted_at, expiry) VALUES ($1, $2, '\\x01', 1000, 2000), ($2, $3, '\\x02', 1000, 2000)`, [
      a,
      b,
      c,
    ]);
    await q(`DELETE FROM users WHERE id = $1`, [b]);
    expect(await q(`SELECT * FROM inbox WHERE $1 IN (recipient, sender) OR $2 IN (recipient, sender)`, [a, c])).toEqual([]);
  });

  it('futures and needs_blinding reference their user and room', async () => {
    const room = await newRoom();
    const u = await newUser();
    await q(`INSERT INTO user_permission_futures (room, "user", at, write) VALUES ($1, $2, 5000, true)`, [room, u]);
    await q(`INSERT INTO user_ban_futures (room, "user", at, banned) VALUES ($1, $2, 5000, false), (NULL, $2, 5000, false)`, [room, u]);
    await q(`INSERT INTO needs_blinding (blinded_abs, "user") VALUES ($1, $2)`, [`15${unique()}`, u]);
    await q(`DELETE FROM rooms WHERE id = $1`, [room]);
    expect(await q(`SELECT room FROM user_ban_futures WHERE "user" = $1`, [u])).toEqual([{ room: null }]);
    expect(await q(`SELECT * FROM user_permission_futures WHERE "user" = $1`, [u])).toEqual([]);
    await q(`DELETE FROM users WHERE id = $1`, [u]);
    expect(await q(`SELECT * FROM user_ban_futures WHERE "user" = $1`, [u])).toEqual([]);
    expect(await q(`SELECT * FROM needs_blinding WHERE "user" = $1`, [u])).toEqual([]);
  });
});
