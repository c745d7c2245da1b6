import { runCli } from '../../src/cli/run-cli';
import { TestApp } from './test-app';

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs an admin command in-process with this environment only (errors logged, nothing else). */
export async function runCommand(argv: string[], env: Record<string, string>): Promise<CliResult> {
  const out: string[] = [];
  const err: string[] = [];
  const code = await runCli(argv, { out: (l) => out.push(l), err: (l) => err.push(l), env: { SOGS_LOG_LEVEL: 'error', ...env } });
  return { code, stdout: out.join('\n'), stderr: err.join('\n') };
}

/** Runs an admin command in-process against the test app's database and data directory. */
export async function cli(t: TestApp, ...argv: string[]): Promise<CliResult> {
  const out: string[] = [];
  const err: string[] = [];
  const env = {
    DATABASE_URL: t.database.connection.url,
    SOGS_DATA_DIR: t.dataDir,
    SOGS_BASE_URL: t.config.baseUrl,
    SOGS_LOG_LEVEL: 'error',
    SOGS_FILE_STORAGE: t.config.fileStorage,
    SOGS_REQUIRE_BLIND_KEYS: t.config.requireBlindKeys ? 'yes' : 'no',
    // The server-wide filters, which `rooms list` shows beside each room's own settings.
    SOGS_PROFANITY_FILTER: String(t.config.filters.profanity),
    SOGS_PROFANITY_SILENT: String(t.config.filters.profanitySilent),
    SOGS_ALPHABET_FILTERS: t.config.filters.alphabets.join(','),
    SOGS_ALPHABET_SILENT: String(t.config.filters.alphabetSilent),
    // The server-wide retention, which `rooms list --verbose` shows for rooms that follow it.
    SOGS_RETENTION_DAYS: String(t.config.retention / 86400),
  };
  const code = await runCli(argv, { out: (l) => out.push(l), err: (l) => err.push(l), env });
  return { code, stdout: out.join('\n'), stderr: err.join('\n') };
}
