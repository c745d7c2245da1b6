import { Inject, Injectable, OnModuleInit } from '@nestjs/common';
import type { Readable } from 'node:stream';
import { finished } from 'node:stream/promises';
import type { Logger } from 'pino';
import { StreamedBody } from '../auth/auth.guard';
import { Clock } from '../common/clock';
import { NotFound, PayloadTooLarge } from '../common/errors';
import { AppConfig, CONFIG } from '../config/config';
import { Db } from '../database/db';
import { CleanupService } from '../jobs/cleanup.service';
import { LOGGER } from '../logging/logger';
import { Metrics } from '../metrics/metrics';
import { Room } from '../rooms/room.entity';
import { RoomContext } from '../rooms/room-access.guard';
import { RoomsService } from '../rooms/rooms.service';
import { User } from '../users/user.entity';
import { PermissionsService } from '../moderation/permissions.service';
import { FileStorage, IncomingFile } from './file-storage';
import { FilesRepository } from './files.repository';
import { StoredFile } from './stored-file.entity';

/** A fresh upload has this long to be attached to a post (§9.1). */
export const UPLOAD_LIFETIME = 3600;

/**
 * An upload still arriving after this long was cut off by a crash (requests time out long before):
 * the cleanup removes what it left in the storage.
 */
export const ABANDONED_UPLOAD_AGE = 3600;

export interface FileDownload {
  file: StoredFile;
  /** The stored size, for Content-Length. */
  size: number;
  /** The bytes, read from the storage as the client takes them. */
  stream: Readable;
}

/** Uploads and downloads (§9); attaching, pinning and room images expire files through src/messages, src/rooms and the triggers. */
@Injectable()
export class FilesService implements OnModuleInit {
  constructor(
    private readonly repo: FilesRepository,
    private readonly storage: FileStorage,
    private readonly rooms: RoomsService,
    private readonly permissions: PermissionsService,
    private readonly cleanup: CleanupService,
    private readonly db: Db,
    private readonly clock: Clock,
    private readonly metrics: Metrics,
    @Inject(LOGGER) private readonly log: Logger,
    @Inject(CONFIG) private readonly config: AppConfig,
  ) {}

  onModuleInit(): void {
    this.cleanup.register('expired files', async (tx, now) => {
      const keys = await this.repo.deleteExpired(now, tx);
      // Removed before the commit (with the database storage, in the same transaction): should it
      // roll back, the rows are expired anyway and never served again. One file that cannot be
      // removed must not stop the whole cleanup round.
      for (const key of keys) {
        await this.storage.remove(key, tx).catch((err: Error) => this.log.warn({ err: { type: err.name, message: err.message } }, 'cannot remove an expired upload'));
      }
      return keys.length;
    });
    this.cleanup.register('abandoned uploads', (tx, now) => this.storage.sweep(now - ABANDONED_UPLOAD_AGE, tx));
  }

  /** 413 when `size` bytes exceed the configured limit (§9.5). */
  checkSize(size: number): void {
    if (size > this.config.uploadMaxBytes) {
      throw new PayloadTooLarge(`File too large: the limit is ${this.config.uploadMaxBytes} bytes`);
    }
  }

  /** Begins writing an upload to the storage as it arrives (the upload hook). */
  receive(): Promise<IncomingFile> {
    return this.storage.receive();
  }

  /**
   * 401, room 404 and write+upload 403 come from the guards; then size 413. The body was streamed
   * into the storage as it arrived (never held in memory). Returns the new id.
   */
  async upload({ room }: RoomContext, user: User, body: StreamedBody, filename: string | null): Promise<number> {
    this.checkSize(body.size);
    return this.record(room, user, body.file, body.size, filename);
  }

  /** Stores bytes already in memory as an upload that expires in an hour unless something claims it. */
  async store(room: Room, user: User, data: Buffer, filename: string | null): Promise<number> {
    const incoming = await this.storage.receive();
    try {
      await finished(incoming.sink.end(data));
    } catch (err) {
      await incoming.discard();
      throw err;
    }
    return this.record(room, user, incoming, data.length, filename);
  }

  /** The `files` row and the storage's keep in one transaction; on failure, nothing is left stored. */
  private async record(room: Room, user: User, incoming: IncomingFile, size: number, filename: string | null): Promise<number> {
    const now = this.clock.now();
    let key: string | undefined;
    try {
      const id = await this.db.transaction(async (tx) => {
        key = await incoming.keep(tx);
        return this.repo.insert({ room: room.id, uploader: user.id, size, uploaded: now, expiry: now + UPLOAD_LIFETIME, filename, path: key }, tx);
      });
      this.metrics.uploads.inc();
      this.metrics.uploadBytes.inc(size);
      return id;
    } catch (err) {
      if (key === undefined) await incoming.discard();
      else await this.storage.remove(key);
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

  /**
   * Room 404 and `accessible` 403 come from RoomAccessGuard; then 403 without `read` unless the
   * file is the room's current image (GET /room already shows an accessible room's image id: a
   * private room's name and image show in the client before an invite lets the person read), then
   * 404 for a file that is missing, expired or of another room.
   */
  async download({ room, permissions }: RoomContext, id: number): Promise<FileDownload> {
    if (id !== room.image) this.permissions.check(permissions, 'read');
    const file = await this.repo.findLive(id, room.id, this.clock.now());
    const bytes = file && (await this.storage.read(file.path));
    if (!file || !bytes) throw new NotFound('File not found');
    return { file, ...bytes };
  }

  /** The bytes of the room's image (up to the upload limit), or undefined when it has none. */
  async roomImage(room: Room): Promise<Buffer | undefined> {
    if (room.image === null) return undefined;
    const file = await this.repo.findLive(room.image, room.id, this.clock.now());
    const bytes = file && (await this.storage.read(file.path));
    if (!bytes) return undefined;
    const chunks: Buffer[] = [];
    for await (const chunk of bytes.stream) chunks.push(chunk as Buffer);
    return Buffer.concat(chunks);
  }
}
