/**
 * Every setting the server reads, with its environment variable, default, validation and a
 * one-line description. The README's configuration table lists the same entries.
 */
import * as fs from 'node:fs';
import * as net from 'node:net';
import { ALPHABETS } from '../moderation/filters/alphabets';
import { parseListenAddress } from '../http/listen-address';

export type Parsed<T> = { ok: true; value: T } | { ok: false; error: string };

export interface Setting<T> {
  env: string;
  default: string | undefined;
  description: string;
  parse(raw: string): Parsed<T>;
}

const ok = <T>(value: T): Parsed<T> => ({ ok: true, value });
const bad = <T>(error: string): Parsed<T> => ({ ok: false, error });

const TRUE_WORDS = ['1', 'y', 'yes', 'true', 'on'];
const FALSE_WORDS = ['0', 'n', 'no', 'false', 'off'];

export function bool(env: string, def: boolean, description: string): Setting<boolean> {
  return {
    env,
    default: def ? 'true' : 'false',
    description,
    parse(raw) {
      const v = raw.trim().toLowerCase();
      if (TRUE_WORDS.includes(v)) return ok(true);
      if (FALSE_WORDS.includes(v)) return ok(false);
      return bad(`expected a boolean (true/false, yes/no, on/off, 1/0), got "${raw}"`);
    },
  };
}

export function int(
  env: string,
  def: number | undefined,
  min: number,
  max: number,
  description: string,
): Setting<number> {
  return {
    env,
    default: def === undefined ? undefined : String(def),
    description,
    parse(raw) {
      if (!/^\s*-?\d+\s*$/.test(raw)) return bad(`expected a whole number, got "${raw}"`);
      const n = Number(raw);
      if (!Number.isSafeInteger(n) || n < min || n > max) {
        return bad(`expected a whole number from ${min} to ${max}, got "${raw}"`);
      }
      return ok(n);
    },
  };
}

/** A non-negative duration in (possibly fractional) days, returned in seconds. */
export function days(env: string, def: number, description: string): Setting<number> {
  return {
    env,
    default: String(def),
    description,
    parse(raw) {
      if (!/^\s*\d+(\.\d+)?\s*$/.test(raw)) return bad(`expected a number of days (e.g. 15 or 0.5), got "${raw}"`);
      return ok(Math.round(Number(raw) * 86400 * 1000) / 1000);
    },
  };
}

export function text(
  env: string,
  def: string | undefined,
  description: string,
  check?: (v: string) => string | null,
): Setting<string> {
  return {
    env,
    default: def,
    description,
    parse(raw) {
      const problem = check?.(raw) ?? null;
      return problem ? bad(problem) : ok(raw);
    },
  };
}

export function oneOf<T extends string>(env: string, def: T, values: readonly T[], description: string): Setting<T> {
  return {
    env,
    default: def,
    description,
    parse(raw) {
      const v = raw.trim().toLowerCase() as T;
      return values.includes(v) ? ok(v) : bad(`expected one of ${values.join(', ')}, got "${raw}"`);
    },
  };
}

/** A comma- or space-separated list of names from `values` (empty = none). */
export function listOf<T extends string>(env: string, values: readonly T[], description: string): Setting<T[]> {
  return {
    env,
    default: '',
    description,
    parse(raw) {
      const parsed = parseNameList(raw, values);
      return typeof parsed === 'string' ? bad(parsed) : ok(parsed);
    },
  };
}

/** Names separated by commas or spaces, each one of `values`, without repeats; a string is the problem. */
export function parseNameList<T extends string>(raw: string, values: readonly T[]): T[] | string {
  const names = raw.toLowerCase().split(/[\s,]+/).filter(Boolean);
  const unknown = names.filter((n) => !values.includes(n as T));
  if (unknown.length) return `expected names from ${values.join(', ')}, got "${unknown.join(', ')}"`;
  return values.filter((v) => names.includes(v));
}

function checkReadableFile(v: string): string | null {
  if (v === '') return null;
  try {
    fs.accessSync(v, fs.constants.R_OK);
    return fs.statSync(v).isFile() ? null : `"${v}" is not a file`;
  } catch (err) {
    return `cannot read "${v}" (${(err as NodeJS.ErrnoException).code ?? 'error'})`;
  }
}

function checkBaseUrl(v: string): string | null {
  let u: URL;
  try {
    u = new URL(v);
  } catch {
    return `expected an http:// or https:// URL, got "${v}"`;
  }
  if (u.protocol !== 'http:' && u.protocol !== 'https:') return `expected an http:// or https:// URL, got "${v}"`;
  if (u.pathname !== '/' || u.search || u.hash) {
    return `must not have a path, query or fragment (Session clients cannot use a path prefix), got "${v}"`;
  }
  return null;
}

function checkDatabaseUrl(v: string): string | null {
  if (v === '') return null;
  if (!/^postgres(ql)?:\/\//.test(v)) return 'expected a postgres:// or postgresql:// URL';
  return null;
}

function checkListenAddress(v: string): string | null {
  if (v === '') return null;
  const parsed = parseListenAddress(v);
  return typeof parsed === 'string' ? parsed : null;
}

function checkMetricsToken(v: string): string | null {
  if (v === '') return null;
  if (v.length < 16) return 'must be at least 16 characters long (use a random string)';
  if (!/^[\x21-\x7e]+$/.test(v)) return 'must be printable ASCII without spaces';
  return null;
}

/** Proxy-addr's names for address ranges, accepted in SOGS_TRUST_PROXY. */
const PROXY_RANGES = ['loopback', 'linklocal', 'uniquelocal'];

/** `none`, `all`, or addresses, CIDR ranges and range names separated by commas or spaces. */
export function parseTrustProxy(raw: string): boolean | string[] | string {
  const items = raw.trim().toLowerCase().split(/[\s,]+/).filter(Boolean);
  if (items.length === 1 && (items[0] === 'none' || items[0] === 'all')) return items[0] === 'all';
  const wrong = items.filter((item) => !PROXY_RANGES.includes(item) && !isAddressOrRange(item));
  if (!items.length || wrong.length) {
    return `expected none, all, or addresses and CIDR ranges (or ${PROXY_RANGES.join(', ')}) separated by commas, got "${wrong.join(', ') || raw}"`;
  }
  return items;
}

function isAddressOrRange(item: string): boolean {
  const [address, bits, ...rest] = item.split('/');
  const family = net.isIP(address);
  if (!family || rest.length) return false;
  return bits === undefined || (/^\d{1,3}$/.test(bits) && Number(bits) <= (family === 4 ? 32 : 128));
}

export const SETTINGS = {
  host: text('SOGS_HOST', '127.0.0.1', 'Address the HTTP server listens on.'),
  port: int('SOGS_PORT', 3000, 0, 65535, 'TCP port the HTTP server listens on (0 = any free port).'),
  baseUrl: text(
    'SOGS_BASE_URL',
    undefined,
    'Public URL of this server used in join links (default http://<host>:<port>). No path allowed.',
    checkBaseUrl,
  ),
  workers: int('SOGS_WORKERS', 0, 0, 256, 'Server processes sharing the port (0 = one per CPU core, or per core of the container\'s CPU quota; 1 = a single process).'),
  workerHeapMb: int(
    'SOGS_WORKER_HEAP_MB',
    0,
    0,
    65536,
    "Heap limit of each worker process in MB (0 = Node's default); lower collects garbage sooner: less memory, more CPU.",
  ),
  headersTimeoutSeconds: int(
    'SOGS_HEADERS_TIMEOUT_SECONDS',
    15,
    1,
    600,
    'A client must send its request headers within this many seconds (answered 408 and cut off otherwise): trickling clients cannot hold connections open.',
  ),
  shutdownSeconds: int(
    'SOGS_SHUTDOWN_SECONDS',
    10,
    0,
    3600,
    'On SIGTERM, seconds in-flight requests may take to finish before their connections are closed.',
  ),
  shedLagMs: int(
    'SOGS_SHED_LAG_MS',
    500,
    0,
    60_000,
    'Answer 503 with Retry-After while the event loop lags more than this many ms (0 = never shed load).',
  ),
  metricsListen: text(
    'SOGS_METRICS_LISTEN',
    '',
    'Serve Prometheus metrics at /metrics on this separate address: HOST:PORT, a port (on 127.0.0.1) or a unix socket path; empty = off.',
    checkListenAddress,
  ),
  metricsToken: text(
    'SOGS_METRICS_TOKEN',
    '',
    'Bearer token for /metrics: when set, /metrics also answers on the main port (and on the metrics listener) only to requests carrying it.',
    checkMetricsToken,
  ),
  botApiListen: text(
    'SOGS_BOT_API_LISTEN',
    '',
    'Serve the local bot API (/bots/...) on this separate address: HOST:PORT, a port (on 127.0.0.1) or a unix socket path; empty = off.',
    checkListenAddress,
  ),
  dataDir: text(
    'SOGS_DATA_DIR',
    undefined,
    'Directory for the server key, uploads and the embedded database (default: data/ in the installation directory, whatever the working directory is).',
  ),
  keyFile: text('SOGS_KEY_FILE', undefined, 'Path of the raw 32-byte X25519 private key (default <data dir>/key_x25519).'),
  databaseUrl: text('DATABASE_URL', '', 'PostgreSQL URL; empty = embedded PGlite database in <data dir>/db.', checkDatabaseUrl),
  databaseTimeoutSeconds: int(
    'SOGS_DATABASE_TIMEOUT_SECONDS',
    5,
    0,
    3600,
    'Longest a request waits for one database statement or a free connection before it gets 503 (0 = no limit). Migrations and admin commands are exempt.',
  ),
  databaseWaitSeconds: int(
    'SOGS_DATABASE_WAIT_SECONDS',
    60,
    0,
    86400,
    'At start, how long the server keeps retrying a database it cannot reach (with backoff) before it gives up (0 = give up at once).',
  ),
  embeddedCacheMb: int(
    'SOGS_EMBEDDED_CACHE_MB',
    32,
    1,
    4096,
    "The embedded database's page cache (PostgreSQL shared_buffers) in MB; its memory use grows with it.",
  ),
  embeddedDurable: bool(
    'SOGS_EMBEDDED_DURABLE',
    true,
    'Sync every commit of the embedded database to disk before answering (off: faster writes, but a power loss or OS crash may lose acknowledged posts).',
  ),
  logLevel: oneOf('SOGS_LOG_LEVEL', 'info', ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const, 'Log level.'),
  trustProxy: {
    env: 'SOGS_TRUST_PROXY',
    default: 'loopback',
    description:
      'Whose X-Forwarded-For names the client (for the invite pages\' rate limit and private logs): `loopback` (a proxy on this machine), addresses or CIDR ranges, `none`, or `all` (any client could then pretend to be anyone).',
    parse(raw) {
      const parsed = parseTrustProxy(raw);
      return typeof parsed === 'string' ? bad(parsed) : ok(parsed);
    },
  } satisfies Setting<boolean | string[]>,
  logPrivate: bool(
    'SOGS_LOG_PRIVATE',
    false,
    'Log request paths and client addresses (they contain Session IDs). Off by default for privacy.',
  ),
  requireBlindKeys: bool('SOGS_REQUIRE_BLIND_KEYS', true, 'Require blinded (15) Session IDs; reject unblinded (00) auth.'),
  uploadMaxBytes: int('SOGS_UPLOAD_MAX_BYTES', 10_000_000, 1, 1_000_000_000, 'Largest accepted file upload, in bytes.'),
  fileStorage: oneOf(
    'SOGS_FILE_STORAGE',
    'local',
    ['local', 'database'] as const,
    'Where upload bytes live: local (<data dir>/uploads) or database (in PostgreSQL itself, shared by every instance).',
  ),
  uploadExpiryDays: days('SOGS_UPLOAD_EXPIRY_DAYS', 15, 'Lifetime of attached uploads in days (0 = never expire).'),
  dmExpiryDays: days('SOGS_DM_EXPIRY_DAYS', 15, 'Lifetime of direct (inbox) messages in days.'),
  dmRefuseBanned: bool(
    'SOGS_DM_REFUSE_BANNED',
    false,
    'Refuse DMs from users banned in every room they share with the recipient.',
  ),
  dmMinAccountAgeHours: int('SOGS_DM_MIN_ACCOUNT_AGE_HOURS', 0, 0, 87600, 'Hours since a user was first seen here before they may send DMs (0 = no minimum).'),
  dmDailyLimit: int('SOGS_DM_DAILY_LIMIT', 0, 0, 1_000_000, 'DMs one user may send per 24 hours (0 = no limit).'),
  activeThresholdDays: days('SOGS_ACTIVE_THRESHOLD_DAYS', 7, 'Window for counting a room\'s active users, in days.'),
  activePruneDays: days('SOGS_ACTIVE_PRUNE_DAYS', 60, 'How long room activity rows are kept, in days.'),
  historyPruneDays: days('SOGS_HISTORY_PRUNE_DAYS', 30, 'How long edit/delete history is kept, in days.'),
  retentionDays: days(
    'SOGS_RETENTION_DAYS',
    0,
    'Delete room messages posted more than this many days ago (0 = keep them forever); per room: rooms update TOKEN --retention 30d|none|default.',
  ),
  cleanupInterval: int(
    'SOGS_CLEANUP_INTERVAL_SECONDS',
    10,
    0,
    3600,
    'Seconds between cleanup rounds (expiries, bans, schedules); 0 = this instance never runs them.',
  ),
  filterReply: text(
    'SOGS_FILTER_REPLY',
    '',
    'What the filter bot whispers to a poster whose post the content filters stopped (empty = nothing; \\@ poster, \\p their name, \\r room name, \\t token, \\n newline); per room: rooms update TOKEN --filter-reply TEXT|none|default.',
  ),
  profanityFilter: bool('SOGS_PROFANITY_FILTER', false, 'Filter posts containing profanity (per room: rooms update TOKEN --profanity on|off|default).'),
  profanitySilent: bool(
    'SOGS_PROFANITY_SILENT',
    true,
    'Accept a profane post but show it to nobody (true), or refuse it with 429 (false).',
  ),
  profanityWordsFile: text(
    'SOGS_PROFANITY_WORDS_FILE',
    '',
    'File of words and phrases (one per line, # comments) replacing the built-in profanity list.',
    checkReadableFile,
  ),
  alphabetFilters: listOf(
    'SOGS_ALPHABET_FILTERS',
    ALPHABETS,
    `Filter posts written in these alphabets: any of ${ALPHABETS.join(', ')} (comma-separated; empty = none).`,
  ),
  alphabetSilent: bool('SOGS_ALPHABET_SILENT', true, 'Accept an alphabet-filtered post but show it to nobody (true), or refuse it with 429 (false).'),
  filterMods: bool('SOGS_FILTER_MODS', false, 'Apply the content filters to moderators and admins too.'),
  moderationLogDays: days('SOGS_MODERATION_LOG_DAYS', 365, 'How long the moderation audit log is kept, in days (0 = forever).'),
  webhooksPollMs: int(
    'SOGS_WEBHOOKS_POLL_MS',
    1000,
    0,
    3_600_000,
    'Milliseconds between looks for webhook deliveries that are due (0 = this instance delivers none; the others still do).',
  ),
  webhooksTimeoutSeconds: int('SOGS_WEBHOOKS_TIMEOUT_SECONDS', 10, 1, 300, 'Longest a webhook endpoint may take to answer before the attempt counts as failed.'),
  webhooksConcurrency: int('SOGS_WEBHOOKS_CONCURRENCY', 4, 1, 256, 'Webhook deliveries one instance sends at the same time.'),
  webhooksBackoffSeconds: int(
    'SOGS_WEBHOOKS_BACKOFF_SECONDS',
    10,
    1,
    3600,
    'Wait before retrying a failed webhook delivery; doubled after each failure, at most an hour.',
  ),
  webhooksRetryHours: int('SOGS_WEBHOOKS_RETRY_HOURS', 24, 1, 720, 'How long a webhook delivery is retried before it is marked failed.'),
  webhooksRefreshSeconds: int(
    'SOGS_WEBHOOKS_REFRESH_SECONDS',
    5,
    0,
    3600,
    'How long each instance caches the list of webhooks (a new or removed webhook takes effect within this); 0 = read it for every event.',
  ),
  webhooksKeepDays: days('SOGS_WEBHOOKS_KEEP_DAYS', 7, 'How long delivered and failed webhook deliveries are kept, in days (0 = forever).'),
  showIndex: bool('SOGS_HTTP_SHOW_INDEX', true, 'Serve the public room list page at /.'),
  showRecent: bool('SOGS_HTTP_SHOW_RECENT', true, 'Show recent messages on room pages.'),
} as const;

export type SettingsMap = typeof SETTINGS;
export type SettingValue<S> = S extends Setting<infer T> ? T : never;
