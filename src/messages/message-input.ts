import { BadRequest } from '../common/errors';
import { decodeBase64Strict } from '../crypto';

export const SIGNATURE_BYTES = 64;

export interface MessageContent {
  /** Exactly the bytes posted, Session padding included (the signature covers them). */
  data: Buffer;
  signature: Buffer;
  /** Upload ids to attach (§9.3). */
  files: number[];
}

export interface PostInput extends MessageContent {
  /** A session id, unvalidated beyond its type; checked after the whisper permission. */
  whisperTo: string | null;
  whisperMods: boolean;
}

/** `data` and `signature` of a post or edit, and its `files`; 400 for anything malformed. */
export function parseMessageContent(body: Record<string, unknown>): MessageContent {
  if (typeof body.data !== 'string') throw new BadRequest('Invalid request: data must be a base64 string');
  const data = decodeBase64Strict(body.data);
  if (!data) throw new BadRequest('Invalid request: data is not valid base64');
  if (typeof body.signature !== 'string') throw new BadRequest('Invalid request: signature must be a base64 string');
  const signature = decodeBase64Strict(body.signature);
  if (!signature || signature.length !== SIGNATURE_BYTES) {
    throw new BadRequest(`Invalid request: signature must be ${SIGNATURE_BYTES} bytes of base64`);
  }
  return { data, signature, files: parseFileIds(body.files) };
}

export function parsePost(body: Record<string, unknown>): PostInput {
  const content = parseMessageContent(body);
  const { whisper_to: to, whisper_mods: mods } = body;
  if (to !== undefined && to !== null && typeof to !== 'string') {
    throw new BadRequest('Invalid request: whisper_to must be a session id');
  }
  if (mods !== undefined && mods !== null && typeof mods !== 'boolean') {
    throw new BadRequest('Invalid request: whisper_mods must be a boolean');
  }
  return { ...content, whisperTo: to ?? null, whisperMods: mods === true };
}

/** Desktop clients send ids as strings (`["42"]`), others as numbers; both name the same file. */
function parseFileIds(files: unknown): number[] {
  if (files === undefined || files === null) return [];
  if (!Array.isArray(files)) throw new BadRequest('Invalid request: files must be an array of file ids');
  return files.map((f) => {
    const n = typeof f === 'number' ? f : typeof f === 'string' && /^\d{1,16}$/.test(f) ? Number(f) : NaN;
    if (!Number.isSafeInteger(n) || n < 0) throw new BadRequest('Invalid request: files must be an array of file ids');
    return n;
  });
}
