import * as fs from 'node:fs';
import * as path from 'node:path';
import { parseEnv } from 'node:util';
import type { Alphabet } from '../moderation/filters/alphabets';
import { SETTINGS, Setting, SettingValue } from './config.schema';
import { usableCores } from './cpu-count';
import { installDir } from './install-dir';
import { OperatorError } from '../common/operator-error';
import { ListenAddress, parseListenAddress } from '../http/listen-address';

type RawConfig = { [K in keyof typeof SETTINGS]: SettingValue<(typeof SETTINGS)[K]> };

/** The one validated configuration object; injected with `@Inject(CONFIG)`. */
export interface AppConfig {
  host: string;
  port: number;
  /** Server processes sharing the port; 1 = this process serves alone. */
  workers: number;
  /** V8 old-generation limit for each worker, MB; 0 = Node's default. */
  workerHeapMb: number;
  /** Seconds a client has to send its request headers. */
  headersTimeoutSeconds: number;
  /** Seconds a stopping server waits for in-flight requests before closing their connections. */
  shutdownSeconds: number;
  /** Event-loop lag (ms) beyond which requests are answered 503; 0 = never. */
  shedLagMs: number;
  /** Prometheus metrics: a separate listener (null = none) and a bearer token ('' = none). */
  metrics: { listen: ListenAddress | null; token: string };
  /** The local bot API's own listener; null = no bot API. */
  botApi: { listen: ListenAddress | null };
  /** Public base URL without trailing slash, e.g. `http://chat.example.org`. */
  baseUrl: string;
  /** Absolute path of the data directory. */
  dataDir: string;
  /** True when SOGS_DATA_DIR is unset: `data/` in the installation directory. */
  dataDirIsDefault: boolean;
  keyFile: string;
  /** Empty string = embedded PGlite database under `dataDir`. */
  databaseUrl: string;
  /** Milliseconds a request's statement (or wait for a connection) may take; 0 = unbounded. */
  databaseTimeoutMs: number;
  /** Seconds the server retries an unreachable database at start. */
  databaseWaitSeconds: number;
  /** The embedded database's settings (unused with DATABASE_URL). */
  embedded: EmbeddedOptions;
  logLevel: RawConfig['logLevel'];
  logPrivate: boolean;
  /** Proxies whose X-Forwarded-For is believed (Fastify's trustProxy): true = any, false = none. */
  trustProxy: boolean | string[];
  requireBlindKeys: boolean;
  uploadMaxBytes: number;
  /** Where upload bytes live: `<dataDir>/uploads`, or the database (`file_chunks`). */
  fileStorage: RawConfig['fileStorage'];
  /** Seconds; 0 = attached uploads never expire. */
  uploadExpiry: number;
  dmExpiry: number;
  dmRefuseBanned: boolean;
  /** Seconds a user must have been known before sending DMs; 0 = none. */
  dmMinAccountAge: number;
  /** DMs per sender per 24 h; 0 = unlimited. */
  dmDailyLimit: number;
  activeThreshold: number;
  activePrune: number;
  historyPrune: number;
  /** Seconds room messages are kept unless the room says otherwise; 0 = forever. */
  retention: number;
  /** Seconds; 0 = no cleanup timer in this instance. */
  cleanupInterval: number;
  showIndex: boolean;
  showRecent: boolean;
  /** Seconds the moderation audit log is kept; 0 = forever. */
  moderationLogRetention: number;
  /** Server-wide content filters (§7.8); rooms may override all but filterMods. */
  filters: FilterDefaults;
  /** The filter bot's reply to a filtered post (§7.8); '' = none. Rooms may have their own. */
  filterReply: string;
  /** Outgoing webhooks (src/webhooks). */
  webhooks: WebhookOptions;
}

export interface WebhookOptions {
  /** Milliseconds between looks for due deliveries; 0 = this instance delivers none. */
  pollMs: number;
  timeoutMs: number;
  /** Deliveries in flight at once, per instance. */
  concurrency: number;
  /** Seconds before the first retry; doubled after each failure, at most an hour. */
  backoff: number;
  /** Seconds after the event during which a delivery is retried; then it is failed. */
  retryFor: number;
  /** Milliseconds the list of webhooks is cached per instance; 0 = read for every event. */
  refreshMs: number;
  /** Seconds delivered and failed deliveries are kept; 0 = forever. */
  keep: number;
}

export interface EmbeddedOptions {
  /** shared_buffers, MB. */
  cacheMb: number;
  /** Commits synced to disk before they are acknowledged. */
  durable: boolean;
}

export interface FilterDefaults {
  profanity: boolean;
  profanitySilent: boolean;
  /** Absolute path of a replacement word list, or null for the built-in one. */
  profanityWordsFile: string | null;
  alphabets: Alphabet[];
  alphabetSilent: boolean;
  /** Moderators and admins are exempt unless this is set. */
  mods: boolean;
}

export const CONFIG = Symbol('CONFIG');

export class ConfigError extends OperatorError {
  constructor(readonly problems: string[]) {
    super(`Invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
  }
}

/** Reads every setting from `env`; throws one ConfigError listing every bad variable. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): AppConfig {
  const problems: string[] = [];
  const raw: Record<string, unknown> = {};
  for (const [key, setting] of Object.entries(SETTINGS) as [string, Setting<unknown>][]) {
    const given = env[setting.env];
    const source = given !== undefined && given !== '' ? given : setting.default;
    if (source === undefined) {
      raw[key] = undefined;
      continue;
    }
    const parsed = setting.parse(source);
    if (parsed.ok) raw[key] = parsed.value;
    else problems.push(`${setting.env}: ${parsed.error}`);
  }
  if (problems.length) throw new ConfigError(problems);
  const r = raw as RawConfig;
  // A relative SOGS_DATA_DIR is relative to the working directory, as any path given in a shell.
  const dataDir = r.dataDir === undefined ? path.join(installDir(), 'data') : path.resolve(r.dataDir);
  const defaultHost = r.host === '0.0.0.0' || r.host === '::' ? '127.0.0.1' : r.host;
  const baseUrl = (r.baseUrl ?? `http://${defaultHost.includes(':') ? `[${defaultHost}]` : defaultHost}:${r.port}`).replace(/\/+$/, '');
  return {
    host: r.host,
    port: r.port,
    workers: r.workers || usableCores(),
    workerHeapMb: r.workerHeapMb,
    headersTimeoutSeconds: r.headersTimeoutSeconds,
    shutdownSeconds: r.shutdownSeconds,
    shedLagMs: r.shedLagMs,
    metrics: { listen: r.metricsListen ? (parseListenAddress(r.metricsListen) as ListenAddress) : null, token: r.metricsToken },
    botApi: { listen: r.botApiListen ? (parseListenAddress(r.botApiListen) as ListenAddress) : null },
    baseUrl,
    dataDir,
    dataDirIsDefault: r.dataDir === undefined,
    keyFile: path.resolve(dataDir, r.keyFile ?? 'key_x25519'),
    databaseUrl: r.databaseUrl,
    databaseTimeoutMs: r.databaseTimeoutSeconds * 1000,
    databaseWaitSeconds: r.databaseWaitSeconds,
    embedded: { cacheMb: r.embeddedCacheMb, durable: r.embeddedDurable },
    logLevel: r.logLevel,
    logPrivate: r.logPrivate,
    trustProxy: r.trustProxy,
    requireBlindKeys: r.requireBlindKeys,
    uploadMaxBytes: r.uploadMaxBytes,
    fileStorage: r.fileStorage,
    uploadExpiry: r.uploadExpiryDays,
    dmExpiry: r.dmExpiryDays,
    dmRefuseBanned: r.dmRefuseBanned,
    dmMinAccountAge: r.dmMinAccountAgeHours * 3600,
    dmDailyLimit: r.dmDailyLimit,
    activeThreshold: r.activeThresholdDays,
    activePrune: r.activePruneDays,
    historyPrune: r.historyPruneDays,
    retention: r.retentionDays,
    cleanupInterval: r.cleanupInterval,
    showIndex: r.showIndex,
    showRecent: r.showRecent,
    moderationLogRetention: r.moderationLogDays,
    filterReply: r.filterReply,
    webhooks: {
      pollMs: r.webhooksPollMs,
      timeoutMs: r.webhooksTimeoutSeconds * 1000,
      concurrency: r.webhooksConcurrency,
      backoff: r.webhooksBackoffSeconds,
      retryFor: r.webhooksRetryHours * 3600,
      refreshMs: r.webhooksRefreshSeconds * 1000,
      keep: r.webhooksKeepDays,
    },
    filters: {
      profanity: r.profanityFilter,
      profanitySilent: r.profanitySilent,
      profanityWordsFile: r.profanityWordsFile ? path.resolve(r.profanityWordsFile) : null,
      alphabets: r.alphabetFilters,
      alphabetSilent: r.alphabetSilent,
      mods: r.filterMods,
    },
  };
}

/**
 * Reads `KEY=value` lines from `SOGS_ENV_FILE`, else `.env` in the working directory, else `.env`
 * in the installation directory, into `env` for keys not already set, so the server and the admin
 * CLI share one settings file. Returns the file read, if any.
 */
export function loadEnvFile(env: NodeJS.ProcessEnv = process.env): string | undefined {
  const candidates = env.SOGS_ENV_FILE ? [path.resolve(env.SOGS_ENV_FILE)] : [path.resolve('.env'), path.join(installDir(), '.env')];
  for (const file of candidates) {
    let text: string;
    try {
      text = fs.readFileSync(file, 'utf8');
    } catch (err) {
      if (env.SOGS_ENV_FILE) throw new ConfigError([`SOGS_ENV_FILE: cannot read ${file} (${(err as NodeJS.ErrnoException).code})`]);
      continue;
    }
    for (const [key, value] of Object.entries(parseEnv(text))) {
      if (env[key] === undefined) env[key] = value;
    }
    return file;
  }
  return undefined;
}
