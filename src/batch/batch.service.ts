import { RequestScope } from '../auth/request-scope';
import { Injectable } from '@nestjs/common';
import { BadRequest } from '../common/errors';
import { SubrequestDispatcher } from '../dispatch/subrequest-dispatcher';
import { isJsonContentType } from '../dispatch/subresponse-headers';
import { Subresponse } from '../dispatch/subrequest';
import { User } from '../users/user.entity';
import { toSubrequest } from './batch-request';
import { SubrequestDto } from './dto/subrequest.dto';

/** One element of a /batch or /sequence reply, by position of its subrequest. */
export interface BatchResult {
  code: number;
  headers: Record<string, string>;
  /** The parsed value of a JSON subresponse; otherwise the raw bytes as base64. */
  body: unknown;
}

@Injectable()
export class BatchService {
  constructor(private readonly dispatcher: SubrequestDispatcher) {}

  /**
   * Runs the subrequests in order as the outer request's user (§5). `/sequence` stops after the
   * first non-2xx result, which is the last element returned; `/batch` runs them all. A batch
   * inside a batch is refused, so one request can never fan out recursively.
   */
  async run(subrequests: SubrequestDto[], user: User | null, opts: { stopOnFailure: boolean; nested: boolean }): Promise<BatchResult[]> {
    if (opts.nested) throw new BadRequest('Invalid request: batch requests cannot be nested');
    const results: BatchResult[] = [];
    const scope = new RequestScope();
    for (const sub of subrequests) {
      const res = await this.dispatcher.dispatch(toSubrequest(sub), { user, scope });
      results.push(toResult(res));
      if (opts.stopOnFailure && (res.status < 200 || res.status >= 300)) break;
    }
    return results;
  }
}

function toResult(res: Subresponse): BatchResult {
  if (isJsonContentType(res.contentType)) {
    try {
      return { code: res.status, headers: res.headers, body: JSON.parse(res.body.toString('utf8')) };
    } catch {
      // Labelled JSON but empty or not JSON: hand over the bytes, as for any other body.
    }
  }
  return { code: res.status, headers: res.headers, body: res.body.toString('base64') };
}
