import { BackupError } from '../../backup/archive-format';
import { writeBackup } from '../../backup/backup';
import { OperatorError } from '../../common/operator-error';
import { AppConfig, CONFIG } from '../../config/config';
import { Db } from '../../database/db';
import { parse, UsageError } from '../args';
import { CliContext } from '../cli-context';

export const BACKUP_HELP = `sogs backup FILE    (one archive of the database, the server key and the uploads; also while the server runs)
sogs restore FILE   (into an empty data directory and, with DATABASE_URL, an empty database)`;

export async function backupCommand(ctx: CliContext, argv: string[]): Promise<number> {
  const { positionals } = parse(argv, {});
  if (positionals.length !== 1) throw new UsageError('give the archive to write: sogs backup FILE');
  const config = ctx.app.get<AppConfig>(CONFIG);
  let result;
  try {
    result = await writeBackup({ file: positionals[0], dataSource: ctx.app.get(Db).dataSource, dataDir: config.dataDir, serverKey: ctx.serverKey, fileStorage: config.fileStorage });
  } catch (err) {
    if (err instanceof OperatorError) throw err;
    throw new BackupError(`backup failed, no archive written: ${(err as Error).message}`);
  }
  const { manifest } = result;
  const tables = Object.values(manifest.tables);
  ctx.out(`Wrote ${result.file} (${megabytes(result.bytes)})`);
  ctx.out(`  database:  ${tables.reduce((n, t) => n + t.rows, 0)} rows in ${tables.length} tables, schema ${manifest.schemaVersion} (${manifest.database})`);
  ctx.out(`  uploads:   ${manifest.uploads.files} files (${megabytes(manifest.uploads.bytes)})`);
  if (manifest.uploads.missing) {
    ctx.out(`             ${manifest.uploads.missing} listed file(s) were already gone from ${config.dataDir}/uploads (expired and removed meanwhile?)`);
  }
  ctx.out(`  server key: public key ${manifest.serverPublicKey}`);
  ctx.out('The archive holds the server private key: keep it as private as the data directory.');
  return 0;
}

export function megabytes(bytes: number): string {
  return bytes < 1024 * 1024 ? `${(bytes / 1024).toFixed(1)} KB` : `${(bytes / 1024 / 1024).toFixed(1)} MB`;
}
