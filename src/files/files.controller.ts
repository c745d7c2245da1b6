import { Controller, Get, Headers, HttpCode, Param, Post, Req, Res } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { OptionalUser, RequiredUser } from '../auth/auth-user.decorator';
import { pathInt, rawBody } from '../common/request-input';
import { User } from '../users/user';
import { contentDisposition, uploadFilename } from './file-name';
import { FileDownload, FilesService } from './files.service';

const httpDate = (unix: number) => new Date(unix * 1000).toUTCString();

@Controller('room/:token/file')
export class FilesController {
  constructor(private readonly files: FilesService) {}

  @Post()
  @HttpCode(201)
  async upload(
    @RequiredUser() user: User,
    @Param('token') token: string,
    @Req() req: FastifyRequest,
    @Headers('content-disposition') disposition: string | undefined,
  ): Promise<{ id: number }> {
    const name = uploadFilename(disposition);
    const id = req.streamedBody
      ? await this.files.uploadStreamed(token, user, req.streamedBody, name)
      : await this.files.upload(token, user, rawBody(req), name);
    return { id };
  }

  /** The trailing name is decoration for clients that want one; it is ignored. */
  @Get([':id', ':id/:name'])
  async download(
    @OptionalUser() user: User | null,
    @Param('token') token: string,
    @Param('id') id: string,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<Buffer> {
    return send(reply, await this.files.download(token, user, pathInt(id)));
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
