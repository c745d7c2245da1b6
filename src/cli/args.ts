import { parseArgs, ParseArgsConfig } from 'node:util';
import { Permission, ROOM_TOKEN } from '../rooms/room';

/** A mistake in the command line: printed as one line, exit code 2. */
export class UsageError extends Error {}

export type Options = ParseArgsConfig['options'];

export function parse<T extends NonNullable<Options>>(argv: string[], options: T) {
  try {
    return parseArgs({ args: argv, options, allowPositionals: true, strict: true as const });
  } catch (err) {
    // Node appends advice about `--` to unknown options; one short line is enough here.
    throw new UsageError((err as Error).message.split('\n')[0].replace(/\. To specify a positional argument.*$/, ''));
  }
}

/** A room token as the command line gives it: invalid syntax is a bad argument (exit 2). */
export function roomToken(value: string): string {
  if (!ROOM_TOKEN.test(value)) throw new UsageError(`invalid room token "${value}": use 1-64 letters, digits, _ or -`);
  return value;
}

const LETTERS: Record<string, Permission> = { r: 'read', w: 'write', u: 'upload', a: 'accessible' };

/** `rwua` letters → permission names. */
export function permissionLetters(value: string | undefined, option: string): Permission[] {
  if (value === undefined) return [];
  const out: Permission[] = [];
  for (const ch of value) {
    const p = LETTERS[ch];
    if (!p) throw new UsageError(`${option} takes letters r (read), w (write), u (upload), a (accessible); got "${value}"`);
    if (!out.includes(p)) out.push(p);
  }
  if (!out.length) throw new UsageError(`${option} needs at least one of the letters r, w, u, a`);
  return out;
}

/** `90`, `90s`, `30m`, `12h`, `7d`, `2w` → seconds. */
/** `--limit N` and the like: 1 to 999999999 (undefined when not given). */
export function positiveWhole(value: string | undefined, option: string): number | undefined {
  if (value === undefined) return undefined;
  if (!/^\d{1,9}$/.test(value) || Number(value) < 1) throw new UsageError(`${option} takes a positive whole number, got "${value}"`);
  return Number(value);
}

export function duration(value: string): number {
  const m = /^(\d+(?:\.\d+)?)([smhdw]?)$/.exec(value.trim());
  if (!m) throw new UsageError(`invalid duration "${value}": use a number with s, m, h, d or w (e.g. 12h, 7d)`);
  const unit = { '': 1, s: 1, m: 60, h: 3600, d: 86400, w: 604800 }[m[2] as '' | 's' | 'm' | 'h' | 'd' | 'w'];
  const seconds = Number(m[1]) * unit;
  if (!(seconds > 0) || seconds >= 1e9) throw new UsageError(`duration "${value}" must be more than 0 and under 1e9 seconds`);
  return seconds;
}

/** Seconds in the largest of d, h, m that divides them, as `duration()` reads them back: 2592000 → `30d`, 5400 → `90m`. */
export function formatDuration(seconds: number): string {
  for (const [unit, size] of [['d', 86400], ['h', 3600], ['m', 60]] as const) {
    if (seconds >= size && Number.isInteger(seconds / size)) return `${seconds / size}${unit}`;
  }
  return `${seconds}s`;
}

export function formatTime(t: number | null): string {
  return t === null ? 'never' : new Date(t * 1000).toISOString().replace(/\.\d+Z$/, 'Z');
}

/** `--room T …`, `--all-rooms`, `--global`: where a moderation command applies. */
export const SCOPE_OPTIONS = {
  room: { type: 'string', multiple: true },
  'all-rooms': { type: 'boolean' },
  global: { type: 'boolean' },
} as const;

/** `--room T` or `--global`, for listings. */
export const LIST_SCOPE_OPTIONS = { room: { type: 'string' }, global: { type: 'boolean' } } as const;
