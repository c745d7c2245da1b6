import { IsArray, IsOptional, IsString, ValidateBy } from 'class-validator';
import { Checks, IsBase64Bytes } from '../../common/validation/validation.decorators';

/** Checks shared by the post and edit bodies (§7.2, §17.2): malformed content is a 400. */

export const SIGNATURE_BYTES = 64;

/** `data`: base64 of the Session message, any length (empty too). */
export const MessageData = () =>
  Checks(
    IsString({ message: 'Invalid request: data must be a base64 string' }),
    IsBase64Bytes(null, { message: 'Invalid request: data is not valid base64' }),
  );

/** `signature`: base64 of exactly 64 bytes (not verified: clients check it). */
export const MessageSignature = () =>
  Checks(
    IsString({ message: 'Invalid request: signature must be a base64 string' }),
    IsBase64Bytes(SIGNATURE_BYTES, { message: `Invalid request: signature must be ${SIGNATURE_BYTES} bytes of base64` }),
  );

const FILE_IDS = 'Invalid request: files must be an array of file ids';

/** Desktop clients send ids as strings (`["42"]`), others as numbers; both name the same file. */
const isFileId = (f: unknown): boolean =>
  typeof f === 'number' ? Number.isSafeInteger(f) && f >= 0 : typeof f === 'string' && /^\d{1,16}$/.test(f) && Number.isSafeInteger(Number(f));

/** `files`: upload ids to attach (§9.3); null or absent for none. */
export const MessageFiles = () =>
  Checks(
    IsOptional(),
    IsArray({ message: FILE_IDS }),
    ValidateBy({ name: 'isFileId', validator: { validate: isFileId } }, { each: true, message: FILE_IDS }),
  );
