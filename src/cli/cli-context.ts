import { INestApplicationContext } from '@nestjs/common';
import { BotsService } from '../bots/bots.service';
import { WelcomeService } from '../bots/welcome.service';
import { Clock } from '../common/clock';
import { MessagesService } from '../messages/messages.service';
import { RetentionService } from '../messages/retention.service';
import { FilesService } from '../files/files.service';
import { ContentFilterService } from '../moderation/filters/content-filter.service';
import { ModerationService, Scope } from '../moderation/moderation.service';
import { Room } from '../rooms/room.entity';
import { RoomsService } from '../rooms/rooms.service';
import { User, SYSTEM_USER_ID } from '../users/user.entity';
import { UsersRepository } from '../users/users.repository';
import { UsersService } from '../users/users.service';
import { roomToken, UsageError } from './args';
import { Migrator } from '../database/migrator';
import { Db } from '../database/db';
import { ServerKey } from '../keys/server-key';
import { AppConfig, CONFIG } from '../config/config';
import { SetupMissing } from './setup';

/** What a command needs: the same services the HTTP API uses, and where to print. */
export class CliContext {
  constructor(
    readonly app: INestApplicationContext,
    readonly out: (line: string) => void,
    /** The data directory of the server on this database, when it is not this command's. */
    private readonly serverDataDir?: string,
  ) {}

  /**
   * Before storing a file: refused when the server on this database keeps its uploads in another
   * data directory, where it would never find this one (404).
   */
  requireServerUploads(): void {
    if (this.serverDataDir === undefined) return;
    const mine = this.app.get<AppConfig>(CONFIG).dataDir;
    throw new SetupMissing(
      `the server on this database keeps its files in the data directory ${this.serverDataDir}, not in ${mine}, ` +
        `where it would never serve this one; run the command with SOGS_DATA_DIR=${this.serverDataDir}`,
    );
  }

  get rooms(): RoomsService {
    return this.app.get(RoomsService);
  }
  get files(): FilesService {
    return this.app.get(FilesService);
  }
  get moderation(): ModerationService {
    return this.app.get(ModerationService);
  }
  get filters(): ContentFilterService {
    return this.app.get(ContentFilterService);
  }
  get messages(): MessagesService {
    return this.app.get(MessagesService);
  }
  get bots(): BotsService {
    return this.app.get(BotsService);
  }
  get welcomes(): WelcomeService {
    return this.app.get(WelcomeService);
  }
  get retention(): RetentionService {
    return this.app.get(RetentionService);
  }
  get users(): UsersService {
    return this.app.get(UsersService);
  }
  now(): number {
    return this.app.get(Clock).now();
  }
  get migrator(): Migrator {
    return new Migrator(this.app.get(Db).dataSource);
  }
  get serverKey(): ServerKey {
    return this.app.get(ServerKey);
  }

  /** Admin commands act as the internal system user, a hidden global admin. */
  async actor(): Promise<User> {
    const user = await this.app.get(UsersRepository).findById(SYSTEM_USER_ID);
    if (!user) throw new Error('the system user is missing; run any command again after the server has started once');
    return user;
  }

  /** `--room T …`, `--all-rooms` or `--global` (when allowed), exactly one of them. */
  async scope(values: { room?: string[]; 'all-rooms'?: boolean; global?: boolean }, allowGlobal = true): Promise<Scope> {
    const given = [values.room?.length ? 1 : 0, values['all-rooms'] ? 1 : 0, values.global ? 1 : 0].reduce((a, b) => a + b);
    const choices = allowGlobal ? '--room TOKEN, --all-rooms or --global' : '--room TOKEN or --all-rooms';
    if (given !== 1) throw new UsageError(`give exactly one of ${choices}`);
    if (values.global) {
      if (!allowGlobal) throw new UsageError('--global is not allowed here');
      return { global: true };
    }
    if (values['all-rooms']) {
      const all = await this.rooms.list();
      if (!all.length) throw new UsageError('there are no rooms');
      return { rooms: all };
    }
    return { rooms: await this.roomList(values.room!) };
  }

  /** The room a command names; a token that cannot be one is a bad argument (exit 2), not a missing room. */
  room(token: string): Promise<Room> {
    return this.rooms.get(roomToken(token));
  }

  async roomList(tokens: string[]): Promise<Room[]> {
    const out: Room[] = [];
    for (const t of tokens) out.push(await this.room(t));
    return out;
  }
}
