import { Controller, Get, Headers, HttpCode, Post, Req, Res } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { RequiredUser } from '../auth/auth-user.decorator';
import { PathInt, rawBody } from '../common/request-input';
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
    const name = uploadFilename(disposition);
    const id = req.streamedBody
      ? await this.files.uploadStreamed(room, user, req.streamedBody, name)
      : await this.files.upload(room, user, rawBody(req), name);
    return { id };
  }

  /** The trailing name is decoration for clients that want one; it is ignored. */
  @Get([':id', ':id/:name'])
  @RoomAccess('read')
  async download(@CurrentRoom() room: RoomContext, @PathInt('id') id: number, @Res({ passthrough: true }) reply: FastifyReply): Promise<Buffer> {
    return send(reply, await this.files.download(room, id));
  }
}

/** §1.6: `Date` is the upload time; `Expires` only for a file that will expire. */
function send(reply: FastifyReply, { file, data }: FileDownload): Buffer {
  reply.header('content-type', 'application/octet-stream');
  reply.header('content-length', data.length);
  reply.header('content-disposition', contentDisposition(file.filename));
  reply.header('date', httpDate(file.uploaded));
  if (file.expiry !== null) reply.header('expires', httpDate(file.expiry));
  return data;
}
