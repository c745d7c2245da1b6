import { Injectable, OnModuleInit } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import type { FastifyInstance } from 'fastify';
import { FilesService } from './files.service';

const UPLOAD_ROUTE = '/room/:token/file';

/**
 * Refuses an upload whose declared `Content-Length` is over the limit before its body is read:
 * the global body limit leaves room for onion framing, so without this an oversized file would be
 * buffered whole first. Bodies without a length (chunked), and uploads inside batch or onion
 * requests, are checked by FilesService once they are in memory.
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
      if (req.method === 'POST' && req.routeOptions.url === UPLOAD_ROUTE) {
        const declared = Number(req.headers['content-length']);
        if (Number.isFinite(declared)) this.files.checkSize(declared);
      }
      return payload;
    });
  }
}
