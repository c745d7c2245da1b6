import { BackupError } from '../../backup/archive-format';
import { restoreBackup } from '../../backup/restore';
import { OperatorError } from '../../common/operator-error';
import { AppConfig } from '../../config/config';
import { parse, UsageError } from '../args';
import { megabytes } from './backup.command';

/**
 * `sogs restore FILE`: runs before any database or key is opened (the target must be empty), so it
 * gets the configuration rather than a CliContext.
 */
export async function restoreCommand(config: AppConfig, out: (line: string) => void, argv: string[]): Promise<number> {
  const { positionals } = parse(argv, {});
  if (positionals.length !== 1) throw new UsageError('give the archive to restore: sogs restore FILE');
  let result;
  try {
    result = await restoreBackup(positionals[0], config);
  } catch (err) {
    if (err instanceof OperatorError) throw err;
    throw new BackupError(`restore failed, nothing was restored: ${(err as Error).message}`);
  }
  const { manifest } = result;
  out(`Restored the backup of ${manifest.created} (${manifest.database}, schema ${manifest.schemaVersion})`);
  out(`  database:   ${result.rows} rows in ${Object.keys(manifest.tables).length} tables into ${result.database}`);
  out(`  uploads:    ${manifest.uploads.files} files (${megabytes(manifest.uploads.bytes)}) into ${config.dataDir}/uploads`);
  out(`  server key: ${config.keyFile} (public key ${manifest.serverPublicKey})`);
  if (result.newerMigrations) out(`The server applies ${result.newerMigrations} newer migration(s) when it starts.`);
  return 0;
}
