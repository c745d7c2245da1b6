import { Controller, Get, Headers, HttpCode, Post, Req, Res } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { Readable } from 'node:stream';
import { RequiredUser } from '../auth/auth-user.decorator';
import { PathInt } from '../common/request-input';
import { CurrentRoom, RoomAccess } from '../rooms/room-access.decorator';
import { RoomContext } from '../rooms/room-access.guard';
import { User } from '../users/user.entity';
import { contentDisposition, uploadFilename } from './file-name';
import { FileDownload, FilesService } from './files.service';

const httpDate = (unix: number) => new Date(unix * 1000).toUTCString();

@Controller('room/:token/file')
export class FilesController {
  constructor(private readonly files: FilesService) {}

  @Post()
  @HttpCode(201)
  @RoomAccess('upload')
  async upload(
    @RequiredUser() user: User,
    @CurrentRoom() room: RoomContext,
    @Req() req: FastifyRequest,
    @Headers('content-disposition') disposition: string | undefined,
  ): Promise<{ id: number }> {
    // UploadLimitHook streams every body of this route into the storage (batch and onion ones too).
    if (!req.streamedBody) throw new Error('upload body was not streamed');
    return { id: await this.files.upload(room, user, req.streamedBody, uploadFilename(disposition)) };
  }

  /**
   * The trailing name is decoration for clients that want one; it is ignored. The room's image
   * needs only `accessible` (see FilesService.download), everything else `read`.
   */
  @Get([':id', ':id/:name'])
  @RoomAccess('accessible')
  async download(
    @CurrentRoom() room: RoomContext,
    @PathInt('id') id: number,
    @Req() req: FastifyRequest,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<Readable> {
    return send(req, reply, await this.files.download(room, id));
  }
}

/** §1.6: `Date` is the upload time; `Expires` only for a file that will expire. */
function send(req: FastifyRequest, reply: FastifyReply, { file, size, stream }: FileDownload): Readable {
  reply.header('content-type', 'application/octet-stream');
  reply.header('content-length', size);
  reply.header('content-disposition', contentDisposition(file.filename));
  reply.header('date', httpDate(file.uploaded));
  if (file.expiry !== null) reply.header('expires', httpDate(file.expiry));
  if (req.method !== 'HEAD') return stream;
  // Fastify would read a HEAD reply's stream to the end; the headers are all it needs.
  stream.destroy();
  return Readable.from([]);
}
