import { Controller, HttpCode, Post, Req } from '@nestjs/common';
import type { FastifyRequest } from 'fastify';
import { OptionalUser } from '../auth/auth-user.decorator';
import { JsonBody } from '../common/request-input';
import { SubrequestDispatcher } from '../dispatch/subrequest-dispatcher';
import { isPollSubrequest } from '../metrics/poll';
import { User } from '../users/user.entity';
import { BatchService } from './batch.service';
import { BatchRequestDto } from './dto/batch-request.dto';

@Controller()
export class BatchController {
  constructor(
    private readonly batch: BatchService,
    private readonly dispatcher: SubrequestDispatcher,
  ) {}

  /** Runs every subrequest; one result each, in request order. */
  @Post('batch')
  @HttpCode(200)
  runAll(@JsonBody('subrequests') body: BatchRequestDto, @OptionalUser() user: User | null, @Req() req: FastifyRequest) {
    markPoll(req, body);
    return this.batch.run(body.subrequests, user, { stopOnFailure: false, nested: this.dispatcher.isSubrequest(req.headers) });
  }

  /** Runs subrequests until one answers outside 2xx; that one is the last result. */
  @Post('sequence')
  @HttpCode(200)
  runSequence(@JsonBody('subrequests') body: BatchRequestDto, @OptionalUser() user: User | null, @Req() req: FastifyRequest) {
    markPoll(req, body);
    return this.batch.run(body.subrequests, user, { stopOnFailure: true, nested: this.dispatcher.isSubrequest(req.headers) });
  }
}

/** A batch holding a poll subrequest is timed as one poll (see src/metrics/poll.ts). */
function markPoll(req: FastifyRequest, body: BatchRequestDto): void {
  req.sogsPoll = body.subrequests.some((s) => isPollSubrequest(s.method, s.path));
}
