import * as path from 'node:path';
import { ConfigError, loadConfig } from '../../src/config/config';

describe('loadConfig', () => {
  it('uses documented defaults', () => {
    const c = loadConfig({});
    expect(c).toMatchObject({
      host: '127.0.0.1',
      port: 3000,
      baseUrl: 'http://127.0.0.1:3000',
      dataDir: path.resolve('./data'),
      keyFile: path.resolve('./data/key_x25519'),
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
      showIndex: true,
      showRecent: true,
    });
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
