/**
 * The reference-database fixture of the import tests (test/support/pysogs-reference.ts): its rows
 * tell one consistent story, and the SQLite file it writes reads back as the reference would have
 * stored it.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import initSqlJs, { Database } from 'sql.js';
import { blindedIdCandidates } from '../../src/crypto';
import { REFERENCE_TABLES } from '../../src/import/reference-schema';
import { buildReferenceFixture, padded, ReferenceFixture, TABLE_ORDER, writeReferenceUploads, writeSqliteReference } from '../support/pysogs-reference';

describe('pysogs reference fixture', () => {
  const scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'sogs-pysogs-ref-'));
  let f: ReferenceFixture;
  let db: Database;
  const all = (sql: string) => {
    const [r] = db.exec(sql);
    return r ? r.values : [];
  };

  beforeAll(async () => {
    f = await buildReferenceFixture();
    const file = path.join(scratch, 'sogs.db');
    await writeSqliteReference(file, f);
    const SQL = await initSqlJs();
    db = new SQL.Database(fs.readFileSync(file));
  });
  afterAll(() => {
    db?.close();
    fs.rmSync(scratch, { recursive: true, force: true });
  });

  it('has every table of the reference schema, with the columns the importer expects', () => {
    const tables = all(`SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name`).map(([n]) => String(n));
    expect(tables).toEqual(Object.keys(REFERENCE_TABLES).sort());
    for (const [table, columns] of Object.entries(REFERENCE_TABLES)) {
      expect([table, all(`SELECT name FROM pragma_table_info('${table}')`).map(([c]) => String(c)).sort()]).toEqual([table, [...columns].sort()]);
    }
  });

  it('holds every row of the fixture, each table non-empty', () => {
    for (const table of TABLE_ORDER) {
      const rows = f.tables[table].length;
      expect([table, rows > 0]).toEqual([table, true]);
      expect([table, all(`SELECT count(*) FROM ${table}`)[0][0]]).toEqual([table, rows]);
    }
  });

  it('stores content without padding, booleans as 0/1, history as blobs, the room image after the files', () => {
    const [[data, size, sig, filtered]] = all(`SELECT data, data_size, signature, filtered FROM messages WHERE id = 1`);
    const m1 = f.tables.messages[0];
    expect(Buffer.from(data as Uint8Array)).toEqual(m1.data);
    expect(size).toBe(m1.data_size);
    expect(size as number).toBeGreaterThan(m1.data!.length);
    expect(Buffer.from(sig as Uint8Array)).toEqual(m1.signature);
    expect(filtered).toBe(0);
    expect(all(`SELECT data, data_size, signature FROM messages WHERE id = 6`)).toEqual([[null, null, null]]);
    expect(all(`SELECT typeof(data) FROM message_history`).map(([t]) => t)).toEqual(['blob', 'blob']);
    expect(all(`SELECT token, image, read, accessible, write, upload FROM rooms WHERE id = 3`)).toEqual([['vip', null, 0, 1, 0, 0]]);
    expect(all(`SELECT image FROM rooms WHERE token = 'LOBBY'`)).toEqual([[1]]);
    expect(all(`SELECT count(*) FROM users WHERE session_id = '${f.systemSessionId}' AND admin AND moderator AND NOT visible_mod`)).toEqual([[1]]);
  });

  it('keeps the counters consistent with the rows', () => {
    for (const r of f.tables.rooms) {
      const ms = f.tables.messages.filter((m) => m.room === r.id);
      expect([r.token, r.message_sequence]).toEqual([r.token, Math.max(0, ...ms.map((m) => m.seqno))]);
      const active = f.tables.room_users.filter((x) => x.room === r.id && x.last_active >= f.now - 7 * 86_400).length;
      expect([r.token, r.active_users]).toEqual([r.token, active]);
    }
    for (const m of f.tables.messages) {
      expect([m.id, m.seqno]).toEqual([m.id, Math.max(m.seqno_data, m.seqno_reactions)]);
      expect(m.seqno_creation).toBeLessThanOrEqual(m.seqno_data);
      if (m.seqno_data > m.seqno_creation) expect(f.tables.message_history.some((h) => h.message === m.id)).toBe(true);
    }
    // Each room's seqnos are distinct events: no two messages share a data or reaction stamp.
    for (const r of f.tables.rooms) {
      const stamps = f.tables.messages.filter((m) => m.room === r.id).flatMap((m) => [m.seqno_data, ...(m.seqno_reactions ? [m.seqno_reactions] : [])]);
      expect(new Set(stamps).size).toBe(stamps.length);
    }
    expect(padded(Buffer.from([1, 2]), 5)).toEqual(Buffer.from([1, 2, 0x80, 0, 0]));
  });

  it('derives users from real keys: blinded ids for the reference key, needs_blinding for the 05 ones', () => {
    for (const user of Object.values(f.users)) {
      if (!user.client) continue;
      expect(user.sessionId).toBe(user.name.startsWith('pend') ? user.client.sessionId : user.client.blindedId);
    }
    for (const nb of f.tables.needs_blinding) {
      const user = Object.values(f.users).find((x) => x.id === nb.user)!;
      const c = blindedIdCandidates(user.sessionId, f.serverPublicKey)!;
      expect([c.abs, c.neg]).toContain(user.client!.blindedId);
      expect(nb.blinded_abs).toBe(c.abs);
    }
  });

  it('writes the uploads where the file rows point, with their sizes', () => {
    const dir = path.join(scratch, 'uploads');
    writeReferenceUploads(dir, f);
    for (const row of f.tables.files) {
      const rel = row.path.replace(/^.*?uploads\//, '');
      expect(fs.readFileSync(path.join(dir, rel)).length).toBe(row.size);
    }
    expect(fs.readdirSync(dir).sort()).toEqual(['Annex', 'lobby']);
  });
});
