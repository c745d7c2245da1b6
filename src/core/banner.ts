import { AppConfig } from '../config/config';
import { uploadsDir } from './data-dir';

export interface BannerRoom {
  token: string;
  name: string;
  url: string;
}

/** The human-readable startup summary, on stderr so stdout stays pure JSON logs. */
export function printBanner(info: {
  publicKey: string;
  keyFile: string;
  keyCreated: boolean;
  database: string;
  /** Where upload bytes live (`SOGS_FILE_STORAGE`). */
  uploads: string;
  listen: string;
  workers: number;
  /** Where the separate metrics listener is, if any. */
  metrics?: string;
  /** Where the local bot API listens, if it does. */
  botApi?: string;
  rooms: BannerRoom[];
}): void {
  const lines = [
    '',
    'Session community server is running',
    `  listening on   http://${info.listen}`,
    `  processes      ${info.workers === 1 ? '1 (SOGS_WORKERS=1)' : `${info.workers} workers (SOGS_WORKERS)`}`,
    `  database       ${info.database}`,
    `  uploads        ${info.uploads}`,
    `  server key     ${info.keyFile}${info.keyCreated ? ' (created now; back it up)' : ''}`,
    `  public key     ${info.publicKey}`,
    ...(info.metrics ? [`  metrics        ${info.metrics}`] : []),
    ...(info.botApi ? [`  bot API        ${info.botApi}`] : []),
    '',
  ];
  if (info.rooms.length) {
    lines.push('Rooms (share a join URL with Session users):');
    for (const r of info.rooms) lines.push(`  ${r.token.padEnd(20)} ${r.url}`);
  } else {
    lines.push('There are no rooms yet. Create one (while the server runs) with:');
    lines.push('  npm run sogs -- rooms add lobby --name "Lobby"');
    lines.push('then restart the server or run `npm run sogs -- rooms list` to see its join URL.');
  }
  lines.push('');
  process.stderr.write(lines.join('\n') + '\n');
}

/** The banner's `uploads` line: the directory, or the database that holds them. */
export function uploadsLocation(config: Pick<AppConfig, 'fileStorage' | 'dataDir'>): string {
  return config.fileStorage === 'database' ? 'in the database (SOGS_FILE_STORAGE=database)' : uploadsDir(config);
}
