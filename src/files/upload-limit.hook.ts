import { Injectable, OnModuleInit } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import type { FastifyInstance } from 'fastify';
import { createHash } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { rm } from 'node:fs/promises';
import { Readable, Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { FilesService } from './files.service';

const UPLOAD_ROUTE = '/room/:token/file';

/**
 * Uploads are written to a temporary file as they arrive, hashed on the way for the request
 * signature, and never held in memory: Fastify's parser is handed an empty body and the handler
 * takes the file (`req.streamedBody`). A declared `Content-Length` over the limit is refused
 * before anything is read; a body that grows past it is cut off with the same 413. The temporary
 * file is removed before the response is sent unless the upload was stored.
 */
@Injectable()
export class UploadLimitHook implements OnModuleInit {
  constructor(
    private readonly adapterHost: HttpAdapterHost,
    private readonly files: FilesService,
  ) {}

  onModuleInit(): void {
    const fastify = this.adapterHost.httpAdapter?.getInstance<FastifyInstance>();
    if (!fastify) return; // the admin CLI has no HTTP server
    fastify.addHook('preParsing', async (req, _reply, payload) => {
      if (req.method !== 'POST' || req.routeOptions.url !== UPLOAD_ROUTE) return payload;
      const declared = Number(req.headers['content-length']);
      if (Number.isFinite(declared)) this.files.checkSize(declared);
      const path = await this.files.incomingPath();
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
        await pipeline(payload, meter, createWriteStream(path, { flags: 'wx', mode: 0o600 }));
      } catch (err) {
        await rm(path, { force: true });
        throw err;
      }
      req.streamedBody = { path, size, hash: size ? hash.digest() : undefined };
      const empty = Readable.from([]) as Readable & { receivedEncodedLength?: number };
      empty.receivedEncodedLength = size; // what Fastify compares with Content-Length
      return empty;
    });
    // Before the reply leaves, so nothing is left behind once the client has its answer.
    fastify.addHook('onSend', async (req, _reply, payload) => {
      if (req.streamedBody) await rm(req.streamedBody.path, { force: true });
      return payload;
    });
  }
}
