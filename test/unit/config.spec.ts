import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { ConfigError, loadConfig, loadEnvFile } from '../../src/config/config';
import { usableCores } from '../../src/config/cpu-count';

const ROOT = path.resolve(__dirname, '../..');

describe('loadConfig', () => {
  it('uses documented defaults', () => {
    const c = loadConfig({});
    expect(c).toMatchObject({
      host: '127.0.0.1',
      port: 3000,
      baseUrl: 'http://127.0.0.1:3000',
      dataDir: path.join(ROOT, 'data'),
      keyFile: path.join(ROOT, 'data/key_x25519'),
      databaseUrl: '',
      logLevel: 'info',
      logPrivate: false,
      requireBlindKeys: true,
      uploadMaxBytes: 10_000_000,
      uploadExpiry: 15 * 86400,
      dmExpiry: 15 * 86400,
      activeThreshold: 7 * 86400,
      activePrune: 60 * 86400,
      historyPrune: 30 * 86400,
      retention: 0,
      showIndex: true,
      showRecent: true,
      workers: usableCores(),
      workerHeapMb: 0,
    });
    expect(loadConfig({ SOGS_WORKERS: '3', SOGS_WORKER_HEAP_MB: '96' })).toMatchObject({ workers: 3, workerHeapMb: 96 });
  });

  it('finds the default data directory in the installation directory, whatever the working directory', () => {
    const cwd = process.cwd();
    const elsewhere = fs.mkdtempSync(path.join(os.tmpdir(), 'sogs-cwd-'));
    try {
      process.chdir(elsewhere);
      expect(loadConfig({})).toMatchObject({ dataDir: path.join(ROOT, 'data'), dataDirIsDefault: true });
      // A relative path given in the environment is relative to where the command runs.
      expect(loadConfig({ SOGS_DATA_DIR: 'here' })).toMatchObject({ dataDir: path.join(fs.realpathSync(elsewhere), 'here'), dataDirIsDefault: false });
    } finally {
      process.chdir(cwd);
      fs.rmSync(elsewhere, { recursive: true });
    }
  });

  it('reads every kind of value', () => {
    const c = loadConfig({
      SOGS_PORT: '8080',
      SOGS_BASE_URL: 'https://chat.example.org/',
      SOGS_DATA_DIR: '/srv/sogs',
      SOGS_REQUIRE_BLIND_KEYS: 'no',
      SOGS_UPLOAD_EXPIRY_DAYS: '0.5',
      SOGS_LOG_LEVEL: 'DEBUG',
      DATABASE_URL: 'postgresql://u:p@db/sogs',
    });
    expect(c.port).toBe(8080);
    expect(c.baseUrl).toBe('https://chat.example.org');
    expect(c.keyFile).toBe('/srv/sogs/key_x25519');
    expect(c.requireBlindKeys).toBe(false);
    expect(c.uploadExpiry).toBe(43200);
    expect(loadConfig({ SOGS_RETENTION_DAYS: '30' }).retention).toBe(30 * 86400);
    expect(c.logLevel).toBe('debug');
    expect(c.databaseUrl).toBe('postgresql://u:p@db/sogs');
  });

  it('lists every bad variable in one error', () => {
    let error: unknown;
    try {
      loadConfig({
        SOGS_PORT: '70000',
        SOGS_REQUIRE_BLIND_KEYS: 'maybe',
        SOGS_BASE_URL: 'http://example.org/sogs',
        DATABASE_URL: 'mysql://x',
        SOGS_UPLOAD_MAX_BYTES: 'ten',
        SOGS_DM_EXPIRY_DAYS: '-1',
      });
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(ConfigError);
    const problems = (error as ConfigError).problems;
    expect(problems.map((p) => p.split(':')[0]).sort()).toEqual(
      ['DATABASE_URL', 'SOGS_BASE_URL', 'SOGS_DM_EXPIRY_DAYS', 'SOGS_PORT', 'SOGS_REQUIRE_BLIND_KEYS', 'SOGS_UPLOAD_MAX_BYTES'].sort(),
    );
    expect((error as Error).message).toMatch(/^Invalid configuration:\n  - /);
  });

  it('treats an empty variable as unset', () => {
    expect(loadConfig({ SOGS_PORT: '' }).port).toBe(3000);
  });
});

describe('loadEnvFile', () => {
  const fs = require('node:fs') as typeof import('node:fs');
  const os = require('node:os') as typeof import('node:os');

  it('fills unset variables from the file and leaves set ones alone', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sogs-env-'));
    const file = path.join(dir, 'sogs.env');
    fs.writeFileSync(file, '# settings\nSOGS_PORT=8080\nSOGS_BASE_URL="https://chat.example.org"\n');
    const env: NodeJS.ProcessEnv = { SOGS_ENV_FILE: file, SOGS_PORT: '9000' };
    expect(loadEnvFile(env)).toBe(file);
    expect(env.SOGS_PORT).toBe('9000');
    expect(loadConfig(env).baseUrl).toBe('https://chat.example.org');
    fs.rmSync(dir, { recursive: true });
  });

  it('is silent without a file, and an error when the named file is missing', () => {
    expect(loadEnvFile({ SOGS_ENV_FILE: '' })).toBeUndefined();
    expect(() => loadEnvFile({ SOGS_ENV_FILE: '/nonexistent/sogs.env' })).toThrow(ConfigError);
  });
});

describe('content filter settings', () => {
  it('are off by default, silent when on, and leave moderators alone', () => {
    expect(loadConfig({}).filters).toEqual({
      profanity: false,
      profanitySilent: true,
      profanityWordsFile: null,
      alphabets: [],
      alphabetSilent: true,
      mods: false,
    });
  });

  it('read alphabet lists separated by commas or spaces, in the checking order', () => {
    expect(loadConfig({ SOGS_ALPHABET_FILTERS: 'Cyrillic, arabic  persian' }).filters.alphabets).toEqual(['persian', 'arabic', 'cyrillic']);
  });

  it('refuse an unknown alphabet and an unreadable word file, naming both', () => {
    try {
      loadConfig({ SOGS_ALPHABET_FILTERS: 'latin,cyrillic', SOGS_PROFANITY_WORDS_FILE: '/nonexistent/words.txt' });
      throw new Error('no error');
    } catch (err) {
      expect(err).toBeInstanceOf(ConfigError);
      expect((err as ConfigError).problems).toEqual([
        'SOGS_PROFANITY_WORDS_FILE: cannot read "/nonexistent/words.txt" (ENOENT)',
        'SOGS_ALPHABET_FILTERS: expected names from persian, arabic, cyrillic, got "latin"',
      ]);
    }
  });

  it('resolve the word file to an absolute path', () => {
    const c = loadConfig({ SOGS_PROFANITY_WORDS_FILE: 'package.json' });
    expect(c.filters.profanityWordsFile).toBe(path.resolve('package.json'));
  });
});

describe('usableCores (the default number of workers)', () => {
  const withCpuMax = (text: string | null) => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sogs-cpu-'));
    const file = path.join(dir, 'cpu.max');
    if (text !== null) fs.writeFileSync(file, text);
    try {
      return usableCores(file);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  };

  it('is the number of cores without a container quota', () => {
    expect(withCpuMax(null)).toBe(os.availableParallelism());
    expect(withCpuMax('max 100000\n')).toBe(os.availableParallelism());
  });

  it('follows a container CPU quota, rounded up, never above the cores nor below one', () => {
    expect(withCpuMax('100000 100000\n')).toBe(1);
    expect(withCpuMax('50000 100000\n')).toBe(1);
    expect(withCpuMax('150000 100000\n')).toBe(Math.min(2, os.availableParallelism()));
    expect(withCpuMax(`${1000 * 100000} 100000\n`)).toBe(os.availableParallelism());
  });
});

describe('metrics and load shedding settings', () => {
  it('are off (metrics) and 500 ms (shedding) by default', () => {
    expect(loadConfig({})).toMatchObject({ shedLagMs: 500, metrics: { listen: null, token: '' } });
    expect(loadConfig({ SOGS_SHED_LAG_MS: '0' }).shedLagMs).toBe(0);
  });

  it('read a listen address as HOST:PORT, [IPv6]:PORT, a port or a unix socket path', () => {
    const listen = (v: string) => loadConfig({ SOGS_METRICS_LISTEN: v }).metrics.listen;
    expect(listen('0.0.0.0:9464')).toEqual({ host: '0.0.0.0', port: 9464 });
    expect(listen('[::1]:9464')).toEqual({ host: '::1', port: 9464 });
    expect(listen('9464')).toEqual({ host: '127.0.0.1', port: 9464 });
    expect(listen('/run/sogs/metrics.sock')).toEqual({ socket: '/run/sogs/metrics.sock' });
    expect(listen('./metrics.sock')).toEqual({ socket: path.resolve('metrics.sock') });
  });

  it('refuse a bad address, a short token and a bad threshold, naming each', () => {
    try {
      loadConfig({ SOGS_METRICS_LISTEN: 'localhost:99999', SOGS_METRICS_TOKEN: 'short', SOGS_SHED_LAG_MS: '-1' });
      throw new Error('no error');
    } catch (err) {
      expect(err).toBeInstanceOf(ConfigError);
      expect((err as ConfigError).problems.map((p) => p.split(':')[0]).sort()).toEqual(['SOGS_METRICS_LISTEN', 'SOGS_METRICS_TOKEN', 'SOGS_SHED_LAG_MS']);
    }
    expect(() => loadConfig({ SOGS_METRICS_TOKEN: 'has a space in it, sixteen+' })).toThrow(ConfigError);
    expect(loadConfig({ SOGS_METRICS_TOKEN: 'x'.repeat(16) }).metrics.token).toBe('x'.repeat(16));
  });
});

describe('SOGS_TRUST_PROXY', () => {
  const trust = (v?: string) => loadConfig(v === undefined ? {} : { SOGS_TRUST_PROXY: v }).trustProxy;

  it('believes a proxy on this machine by default; none, all, or a list of addresses, ranges and range names', () => {
    expect(trust()).toEqual(['loopback']);
    expect(trust('none')).toBe(false);
    expect(trust('ALL')).toBe(true);
    expect(trust('10.0.0.5, 192.168.0.0/16 ::1 fd00::/8,uniquelocal')).toEqual(['10.0.0.5', '192.168.0.0/16', '::1', 'fd00::/8', 'uniquelocal']);
  });

  it('refuses anything else, naming what it did not understand', () => {
    for (const [value, named] of [
      ['proxy.example.org', 'proxy.example.org'],
      ['10.0.0.0/33', '10.0.0.0/33'],
      ['::1/129, loopback', '::1/129'],
      ['10.0.0.1/8/8', '10.0.0.1/8/8'],
      ['none, loopback', 'none'],
      [' , ', ' , '],
    ]) {
      expect(() => trust(value)).toThrow(ConfigError);
      try {
        trust(value);
      } catch (err) {
        expect((err as ConfigError).problems).toEqual([expect.stringContaining(`SOGS_TRUST_PROXY: expected none, all, or addresses`)]);
        expect((err as ConfigError).problems[0]).toContain(`got "${named}"`);
      }
    }
  });
});
