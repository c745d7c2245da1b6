import { Inject, Injectable, OnModuleInit } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import type { FastifyInstance } from 'fastify';
import { createHash } from 'node:crypto';
import { Readable, Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { Logger } from 'pino';
import { LOGGER } from '../logging/logger';
import { IncomingFile } from './file-storage';
import { FilesService } from './files.service';

const UPLOAD_ROUTE = '/room/:token/file';

/**
 * Uploads are written to the file storage as they arrive, hashed on the way for the request
 * signature, and never held in memory: Fastify's parser is handed an empty body and the handler
 * takes the incoming file (`req.streamedBody`). A declared `Content-Length` over the limit is
 * refused before anything is read; a body that grows past it is cut off with the same 413. What
 * was written is discarded before the response is sent unless the upload was stored, and at once
 * when the body breaks off.
 */
@Injectable()
export class UploadLimitHook implements OnModuleInit {
  constructor(
    private readonly adapterHost: HttpAdapterHost,
    private readonly files: FilesService,
    @Inject(LOGGER) private readonly log: Logger,
  ) {}

  onModuleInit(): void {
    const fastify = this.adapterHost.httpAdapter?.getInstance<FastifyInstance>();
    if (!fastify) return; // the admin CLI has no HTTP server
    fastify.addHook('preParsing', async (req, _reply, payload) => {
      if (req.method !== 'POST' || req.routeOptions.url !== UPLOAD_ROUTE) return payload;
      // A declared Content-Length over the limit never gets here (http/body-limits.ts).
      const file = await this.files.receive();
      const hash = createHash('blake2b512');
      let size = 0;
      const meter = new Transform({
        transform: (chunk: Buffer, _enc, done) => {
          size += chunk.length;
          try {
            this.files.checkSize(size);
          } catch (err) {
            return done(err as Error);
          }
          hash.update(chunk);
          done(null, chunk);
        },
      });
      try {
        await pipeline(payload, meter, file.sink);
      } catch (err) {
        await this.discard(file);
        throw err;
      }
      req.streamedBody = { file, size, hash: size ? hash.digest() : undefined };
      const empty = Readable.from([]) as Readable & { receivedEncodedLength?: number };
      empty.receivedEncodedLength = size; // what Fastify compares with Content-Length
      return empty;
    });
    // Before the reply leaves, so nothing is left behind once the client has its answer; and once
    // more should a request end without one. Callback hooks: they run for every response.
    fastify.addHook('onSend', (req, _reply, payload, next) => {
      if (!req.streamedBody) return next(null, payload);
      void this.discard(req.streamedBody.file).then(() => next(null, payload));
    });
    fastify.addHook('onResponse', (req, _reply, next) => {
      if (!req.streamedBody) return next();
      void this.discard(req.streamedBody.file).then(() => next());
    });
  }

  /** Never throws: a storage that cannot discard (database away) leaves it to the cleanup's sweep. */
  private async discard(file: IncomingFile): Promise<void> {
    await file.discard().catch((err: Error) => this.log.warn({ err: { type: err.name, message: err.message } }, 'cannot discard a refused upload'));
  }
}
