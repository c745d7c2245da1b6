import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { convertRow, historyBytes, IMPORT_PLAN, sessionPadded } from '../../src/import/import-plan';
import { insertStatement } from '../../src/import/pysogs-import';
import { locateReferenceFile } from '../../src/import/reference-files';
import { checkReferenceSchema, REFERENCE_TABLES } from '../../src/import/reference-schema';
import { ImportRefused } from '../../src/import/reference-source';

const step = (table: string) => IMPORT_PLAN.find((s) => s.table === table)!;

describe('import-pysogs: how reference rows become rows here', () => {
  it('puts back the Session padding the reference strips (0x80, zeros up to data_size), and nothing when there was none', () => {
    const data = Buffer.from('0a0b', 'hex');
    expect(sessionPadded(data, 6).toString('hex')).toBe('0a0b80000000');
    expect(sessionPadded(data, 3).toString('hex')).toBe('0a0b80');
    expect(sessionPadded(data, 2)).toBe(data);
    expect(sessionPadded(data, 1)).toBe(data);

    const messages = step('messages');
    const row = { id: 7, data: data as Buffer | null, data_size: 5 as number | null, user: 3, whisper: 3, filtered: 0, whisper_mods: 1 };
    expect(convertRow(messages, row, { systemUserId: 3 })).toBe(true);
    expect(row).toEqual({ id: 7, data: Buffer.from('0a0b800000', 'hex'), data_size: 5, user: 0, whisper: 0, filtered: false, whisper_mods: true });
    const deleted = { id: 8, data: null, data_size: 120, user: 4, whisper: null, filtered: false, whisper_mods: false };
    convertRow(messages, deleted, { systemUserId: null });
    expect(deleted).toMatchObject({ data: null, data_size: null, user: 4 });
    // Here the generated seqno follows seqno_data and seqno_reactions: it is not written.
    expect(messages.columns).not.toContain('seqno');
  });

  it("reads history bytes from SQLite's blob and from PostgreSQL's TEXT column (bytea text form)", () => {
    expect(historyBytes(Buffer.from([1, 2]))).toEqual(Buffer.from([1, 2]));
    expect(historyBytes('\\x0102ff')).toEqual(Buffer.from([1, 2, 255]));
    expect(historyBytes('plain text')).toEqual(Buffer.from('plain text'));
    // bytea_output = escape: printable ASCII as itself, backslash doubled, the rest in octal.
    expect(historyBytes('\\001\\002\\377a\\\\b \\000')).toEqual(Buffer.from([1, 2, 255, 0x61, 0x5c, 0x62, 0x20, 0]));
    expect(historyBytes('')).toEqual(Buffer.alloc(0));
    // Not a bytea text form (a lone backslash, a byte outside printable ASCII): UTF-8.
    expect(historyBytes('a\\qb')).toEqual(Buffer.from('a\\qb'));
    expect(historyBytes('caf\u00e9')).toEqual(Buffer.from('café'));
    expect(historyBytes(null)).toBeNull();
  });

  it("merges the reference's system user into this server's (id 0) and keeps everyone else", () => {
    expect(convertRow(step('users'), { id: 1, banned: 0, moderator: 1, admin: 1, visible_mod: 0 }, { systemUserId: 1 })).toBe(false);
    const user = { id: 2, banned: 1, moderator: 0, admin: 0, visible_mod: 0 };
    expect(convertRow(step('users'), user, { systemUserId: 1 })).toBe(true);
    expect(user).toEqual({ id: 2, banned: true, moderator: false, admin: false, visible_mod: false });
  });

  it('leaves out rows naming a missing row, and clears what may be cleared (a file whose room is gone)', () => {
    expect(insertStatement(step('messages'))).toContain(`WHERE (r."room" IS NULL OR EXISTS (SELECT 1 FROM "rooms" x WHERE x.id = r."room"))`);
    expect(insertStatement(step('messages'))).toContain(`(r."whisper" IS NULL OR EXISTS (SELECT 1 FROM "users" x WHERE x.id = r."whisper"))`);
    expect(insertStatement(step('files'))).toContain(`CASE WHEN EXISTS (SELECT 1 FROM "rooms" x WHERE x.id = r."room") THEN r."room" END`);
  });

  it('finds reference uploads by the recorded path, under the uploads directory wherever it is now', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sogs-ref-uploads-'));
    try {
      fs.mkdirSync(path.join(dir, 'lobby'));
      fs.writeFileSync(path.join(dir, 'lobby', '12_cat.jpg'), 'x');
      const found = path.join(dir, 'lobby', '12_cat.jpg');
      expect(locateReferenceFile(dir, 'uploads/lobby/12_cat.jpg')).toBe(found);
      expect(locateReferenceFile(dir, '/var/lib/session-open-group-server/uploads/lobby/12_cat.jpg')).toBe(found);
      expect(locateReferenceFile(dir, found)).toBe(found);
      expect(locateReferenceFile(dir, 'uploads/lobby/13_dog.jpg')).toBeUndefined();
      expect(locateReferenceFile(dir, 'uploads/../../etc/passwd')).toBeUndefined();
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it('accepts the known schema only, naming what differs', () => {
    const known = new Map(Object.entries(REFERENCE_TABLES).map(([t, c]) => [t, [...c]]));
    expect(() => checkReferenceSchema(known, 'x')).not.toThrow();
    expect(() => checkReferenceSchema(new Map([...known, ['file_id_hacks', ['id']]]), 'x')).not.toThrow();
    expect(() => checkReferenceSchema(new Map([['notes', ['id']]]), 'x.db')).toThrow(/^x\.db is not a session-pysogs database/);
    const old = new Map(known);
    old.set('messages', REFERENCE_TABLES.messages.filter((c) => c !== 'seqno_creation'));
    old.delete('user_ban_futures');
    expect(() => checkReferenceSchema(old, 'x.db')).toThrow(ImportRefused);
    expect(() => checkReferenceSchema(old, 'x.db')).toThrow(/unknown schema version \(messages lacks seqno_creation; no table user_ban_futures\)/);
    const newer = new Map(known);
    newer.set('rooms', [...REFERENCE_TABLES.rooms, 'topic']);
    newer.set('polls', ['id']);
    expect(() => checkReferenceSchema(newer, 'x.db')).toThrow(/rooms has unknown columns topic; unknown tables polls/);
  });
});
