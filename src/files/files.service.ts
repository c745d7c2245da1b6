import { Inject, Injectable, OnModuleInit } from '@nestjs/common';
import type { Logger } from 'pino';
import { Clock } from '../common/clock';
import { NotFound, PayloadTooLarge } from '../common/errors';
import { AppConfig, CONFIG } from '../config/config';
import { CleanupService } from '../jobs/cleanup.service';
import { LOGGER } from '../logging/logger';
import { Metrics } from '../metrics/metrics';
import { Room } from '../rooms/room.entity';
import { RoomContext } from '../rooms/room-access.guard';
import { RoomsService } from '../rooms/rooms.service';
import { User } from '../users/user.entity';
import { FileStorage } from './file-storage';
import { FilesRepository } from './files.repository';
import { StoredFile } from './stored-file.entity';
import { StreamedBody } from '../auth/auth.guard';

/** A fresh upload has this long to be attached to a post (§9.1). */
export const UPLOAD_LIFETIME = 3600;

export interface FileDownload {
  file: StoredFile;
  data: Buffer;
}

/** Uploads and downloads (§9); attaching, pinning and room images expire files through src/messages, src/rooms and the triggers. */
@Injectable()
export class FilesService implements OnModuleInit {
  constructor(
    private readonly repo: FilesRepository,
    private readonly storage: FileStorage,
    private readonly rooms: RoomsService,
    private readonly cleanup: CleanupService,
    private readonly clock: Clock,
    private readonly metrics: Metrics,
    @Inject(LOGGER) private readonly log: Logger,
    @Inject(CONFIG) private readonly config: AppConfig,
  ) {}

  onModuleInit(): void {
    this.cleanup.register('expired files', async (tx, now) => {
      const keys = await this.repo.deleteExpired(now, tx);
      // Removed before the commit: should it roll back, the rows are expired anyway and never served
      // again. One file that cannot be removed must not stop the whole cleanup round.
      for (const key of keys) {
        await this.storage.remove(key).catch((err: Error) => this.log.warn({ err: { type: err.name, message: err.message } }, 'cannot remove an expired upload'));
      }
      return keys.length;
    });
  }

  /** 401, room 404 and write+upload 403 come from the guards; then size 413. Returns the new id. */
  async upload({ room }: RoomContext, user: User, data: Buffer, filename: string | null): Promise<number> {
    this.checkSize(data.length);
    return this.store(room, user, data, filename);
  }

  /** 413 when `size` bytes exceed the configured limit (§9.5). */
  checkSize(size: number): void {
    if (size > this.config.uploadMaxBytes) {
      throw new PayloadTooLarge(`File too large: the limit is ${this.config.uploadMaxBytes} bytes`);
    }
  }

  /** A direct upload whose body was streamed to a temporary file (never held in memory). */
  async uploadStreamed({ room }: RoomContext, user: User, body: StreamedBody, filename: string | null): Promise<number> {
    this.checkSize(body.size);
    return this.record(room, user, await this.storage.adopt(body.path), body.size, filename);
  }

  /** Where a streamed upload is written while it arrives. */
  incomingPath(): Promise<string> {
    return this.storage.incomingPath();
  }

  /** Stores the bytes as an upload that expires in an hour unless something claims it. */
  async store(room: Room, user: User, data: Buffer, filename: string | null): Promise<number> {
    return this.record(room, user, await this.storage.put(data), data.length, filename);
  }

  private async record(room: Room, user: User, key: string, size: number, filename: string | null): Promise<number> {
    const now = this.clock.now();
    try {
      const id = await this.repo.insert({
        room: room.id,
        uploader: user.id,
        size,
        uploaded: now,
        expiry: now + UPLOAD_LIFETIME,
        filename,
        path: key,
      });
      this.metrics.uploads.inc();
      this.metrics.uploadBytes.inc(size);
      return id;
    } catch (err) {
      await this.storage.remove(key);
      throw err;
    }
  }

  /**
   * The admin CLI's room image: stored as an upload of `owner` (the system user) in the room, then
   * made the room's image, which makes it permanent and expires the previous one (triggers).
   */
  async setRoomImage(token: string, owner: User, data: Buffer, filename: string | null): Promise<number> {
    const room = await this.rooms.get(token);
    this.checkSize(data.length);
    const id = await this.store(room, owner, data, filename);
    await this.rooms.setImage(room, id, owner);
    return id;
  }

  /** Room 404 and read 403 come from RoomAccessGuard; then 404 for a file that is missing, expired or of another room. */
  async download({ room }: RoomContext, id: number): Promise<FileDownload> {
    const file = await this.repo.findLive(id, room.id, this.clock.now());
    const data = file && (await this.storage.get(file.path));
    if (!file || !data) throw new NotFound('File not found');
    return { file, data };
  }
}
