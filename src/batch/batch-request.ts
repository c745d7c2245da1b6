import { decodeBase64Strict } from '../crypto';
import { Subrequest } from '../dispatch/subrequest';
import { SubrequestDto } from './dto/subrequest.dto';

/**
 * A checked subrequest as the dispatcher runs it: lower-case header names, the body as bytes, and
 * the content type its body key implies unless the headers give one.
 */
export function toSubrequest(dto: SubrequestDto): Subrequest {
  const { method, path } = dto;
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(dto.headers ?? {})) headers[name.toLowerCase()] = value;
  if (method === 'GET' || method === 'DELETE') return { method, path, headers, body: Buffer.alloc(0) };
  let body: Buffer;
  let type: string;
  if (dto.json !== undefined) {
    body = Buffer.from(JSON.stringify(dto.json), 'utf8');
    type = 'application/json';
  } else if (dto.b64 !== undefined) {
    // pysogs logs an undecodable b64 and runs the request with no body; the DTO makes it a 400 (§16.42).
    body = decodeBase64Strict(dto.b64)!;
    type = 'application/octet-stream';
  } else {
    body = Buffer.from(dto.bytes!, 'utf8');
    type = 'application/octet-stream';
  }
  headers['content-type'] ??= type;
  return { method, path, headers, body };
}
