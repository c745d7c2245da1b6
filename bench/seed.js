'use strict';
// Seeding straight into the database with set-based SQL (the schema is migrations/*.ts).
//
// Messages are stored as the server stores a post: `data` the exact bytes (here 96 bytes of
// content and Session's 0x80/zero padding to 160), `data_size` its length, a 64-byte `signature`
// (the server never verifies it), `posted` in float unix seconds, spread over the past. The
// triggers that stamp seqnos (one UPDATE of the room row per message or reaction) are switched off
// inside the seeding transactions, which stamp the same values themselves, as if each reacted
// message had been reacted to right after it was posted: message g gets the next seqno in
// seqno_creation and seqno_data, a reacted message the one after that in seqno_reactions, and the
// room's message_sequence ends at the last one. Batches of 100,000 rows keep each transaction short
// (the embedded database serves one transaction at a time).

const REACTIONS = ['👍', '❤️', '😂', '😮', '🎉', '🙏'];
const BATCH = 100_000;

/** Inserts users that have never made a request; returns their ids in the order given. */
async function insertUsers(db, sessionIds) {
  await db.query(`INSERT INTO users (session_id) SELECT unnest($1::text[]) ON CONFLICT (session_id) DO NOTHING`, [sessionIds]);
  const { rows } = await db.query(`SELECT id, session_id FROM users WHERE session_id = ANY($1::text[])`, [sessionIds]);
  const ids = new Map(rows.map((r) => [r.session_id, Number(r.id)]));
  return sessionIds.map((s) => ids.get(s));
}

/** Inside a transaction, with the seqno triggers of messages and user_reactions off. */
async function withoutCounters(db, fn) {
  await db.query('BEGIN');
  try {
    // The deferred foreign key of user_reactions would leave trigger events pending at ENABLE.
    await db.query('SET CONSTRAINTS ALL IMMEDIATE');
    await db.query('ALTER TABLE messages DISABLE TRIGGER USER');
    await db.query('ALTER TABLE user_reactions DISABLE TRIGGER USER');
    const out = await fn();
    await db.query('ALTER TABLE messages ENABLE TRIGGER USER');
    await db.query('ALTER TABLE user_reactions ENABLE TRIGGER USER');
    await db.query('COMMIT');
    return out;
  } catch (err) {
    await db.query('ROLLBACK').catch(() => undefined);
    throw err;
  }
}

/**
 * Adds `count` messages to room `token`, written in turn by `authorIds`, the last one a minute
 * ago; every `reactEvery`-th message (0 = none) gets 1–3 reactions by 1–8 of the authors.
 * Returns the room's id and its message_sequence afterwards (the `since/{latest}` of a client
 * that is up to date).
 */
async function seedMessages(db, token, { count, authorIds, reactEvery = 0, onProgress = () => {} }) {
  const room = (await db.query('SELECT id, message_sequence FROM rooms WHERE token = $1', [token])).rows[0];
  if (!room) throw new Error(`no room ${token}`);
  const roomId = Number(room.id);
  const base = Number(room.message_sequence);
  const every = reactEvery;
  // Message g's creation seqno: one more slot after each reacted message before it.
  const seqOf = (g) => base + g + (every ? Math.floor((g - 1) / every) : 0);
  const now = Date.now() / 1000;
  for (let from = 1; from <= count; from += BATCH) {
    const to = Math.min(count, from + BATCH - 1);
    await withoutCounters(db, async () => {
      await db.query('SELECT 1 FROM rooms WHERE id = $1 FOR UPDATE', [roomId]);
      await db.query(
        `INSERT INTO messages (room, "user", posted, seqno_creation, seqno_data, seqno_reactions, data, data_size, signature)
         SELECT $1, ($2::bigint[])[1 + g % cardinality($2::bigint[])], $3::float8 - ($4 - g) * 0.5,
                s, s, CASE WHEN $6 > 0 AND g % $6 = 0 THEN s + 1 ELSE 0 END,
                sha512(int8send(g)) || sha256(int8send(g)) || decode('80' || repeat('00', 63), 'hex'), 160,
                sha512(int8send(-g))
         FROM generate_series($7::bigint, $8::bigint) g,
              LATERAL (SELECT $5 + g + CASE WHEN $6 > 0 THEN (g - 1) / $6 ELSE 0 END AS s) x`,
        [roomId, authorIds, now - 60, count, base, every, from, to],
      );
      const last = seqOf(to) + (every && to % every === 0 ? 1 : 0);
      await db.query('UPDATE rooms SET message_sequence = $2 WHERE id = $1', [roomId, last]);
    });
    onProgress(to);
  }
  if (every) await seedReactions(db, roomId, authorIds);
  const latest = Number((await db.query('SELECT message_sequence FROM rooms WHERE id = $1', [roomId])).rows[0].message_sequence);
  return { roomId, latest };
}

/** Reactions to the messages stamped with a seqno_reactions above (1–3 each, 1–8 reactors each). */
async function seedReactions(db, roomId, userIds) {
  await withoutCounters(db, async () => {
    // Reactions in list order (their index).
    await db.query(
      `INSERT INTO reactions (message, reaction)
       SELECT m.id, ($2::text[])[1 + (k + m.id) % cardinality($2::text[])]
       FROM messages m, generate_series(0, m.id % 3) k
       WHERE m.room = $1 AND m.seqno_reactions > 0
       ORDER BY m.id, k`,
      [roomId, REACTIONS],
    );
    // Distinct reactors: 131·k mod n differs for k < 8 when n ≥ 1000.
    await db.query(
      `INSERT INTO user_reactions (reaction, "user", at)
       SELECT r.id, ($2::bigint[])[1 + (r.id * 7 + k * 131) % cardinality($2::bigint[])], m.posted + k + 1
       FROM reactions r JOIN messages m ON m.id = r.message, generate_series(0, r.id % 8) k
       WHERE m.room = $1`,
      [roomId, userIds],
    );
  });
}

/**
 * Fresh statistics and visibility map for the seeded tables (VACUUM cannot run in a transaction),
 * and a checkpoint, so that writing out the seeded pages does not happen during a measurement.
 */
async function analyze(db) {
  await db.query('VACUUM ANALYZE users, messages, reactions, user_reactions');
  await db.query('CHECKPOINT').catch(() => undefined); // needs superuser or pg_checkpoint
}

module.exports = { insertUsers, seedMessages, analyze };
