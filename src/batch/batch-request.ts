import { BadRequest } from '../common/errors';
import { decodeBase64Strict } from '../crypto';
import { Subrequest } from '../dispatch/subrequest';

/** pysogs sets no limit; a poll holds a few entries per room, so 100 leaves ample room. */
export const MAX_SUBREQUESTS = 100;

const METHODS = new Set(['GET', 'DELETE', 'POST', 'PUT']);
const BODY_KEYS = ['json', 'b64', 'bytes'] as const;

/**
 * The subrequests of a /batch or /sequence body (§5), every element checked before any runs:
 * one bad element makes the whole call a 400.
 */
export function parseBatch(body: unknown): Subrequest[] {
  if (!Array.isArray(body)) throw new BadRequest('Invalid request: expected a JSON array of subrequests');
  if (body.length > MAX_SUBREQUESTS) throw new BadRequest(`Invalid request: at most ${MAX_SUBREQUESTS} subrequests are allowed`);
  return body.map((element, i) => parseSubrequest(element, i));
}

function parseSubrequest(element: unknown, i: number): Subrequest {
  const bad = (what: string) => new BadRequest(`Invalid request: subrequest ${i}: ${what}`);
  if (element === null || typeof element !== 'object' || Array.isArray(element)) throw bad('expected an object');
  const sub = element as Record<string, unknown>;

  const { method, path } = sub;
  if (typeof method !== 'string' || !METHODS.has(method)) throw bad('method must be GET, DELETE, POST or PUT');
  if (typeof path !== 'string' || !path.startsWith('/')) throw bad('path must be a string starting with /');

  const headers: Record<string, string> = {};
  if (sub.headers !== undefined) {
    if (sub.headers === null || typeof sub.headers !== 'object' || Array.isArray(sub.headers)) throw bad('headers must be an object');
    for (const [name, value] of Object.entries(sub.headers)) {
      if (typeof value !== 'string') throw bad('header values must be strings');
      headers[name.toLowerCase()] = value;
    }
  }

  const given = BODY_KEYS.filter((k) => Object.prototype.hasOwnProperty.call(sub, k));
  if (method === 'GET' || method === 'DELETE') {
    if (given.length) throw bad(`${method} must not have a body`);
    return { method, path, headers, body: Buffer.alloc(0) };
  }
  if (given.length !== 1) throw bad(`${method} needs exactly one of json, b64, bytes`);

  let body: Buffer;
  let type: string;
  if (given[0] === 'json') {
    body = Buffer.from(JSON.stringify(sub.json), 'utf8');
    type = 'application/json';
  } else if (given[0] === 'b64') {
    const bytes = typeof sub.b64 === 'string' ? decodeBase64Strict(sub.b64) : null;
    // pysogs logs an undecodable b64 and runs the request with no body; a 400 is the fix (§16.42).
    if (!bytes) throw bad('b64 is not valid base64');
    body = bytes;
    type = 'application/octet-stream';
  } else {
    if (typeof sub.bytes !== 'string') throw bad('bytes must be a string');
    body = Buffer.from(sub.bytes, 'utf8');
    type = 'application/octet-stream';
  }
  headers['content-type'] ??= type;
  return { method, path, headers, body };
}
