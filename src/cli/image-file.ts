import * as fs from 'node:fs';
import * as path from 'node:path';
import { UsageError } from './args';

/** Image formats Session clients show, by the bytes they start with. */
const FORMATS: Array<{ name: string; matches(b: Buffer): boolean }> = [
  { name: 'PNG', matches: (b) => b.subarray(0, 8).equals(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])) },
  { name: 'JPEG', matches: (b) => b.length > 3 && b[0] === 0xff && b[1] === 0xd8 && b[2] === 0xff },
  { name: 'GIF', matches: (b) => ['GIF87a', 'GIF89a'].includes(b.subarray(0, 6).toString('latin1')) },
  { name: 'WebP', matches: (b) => b.subarray(0, 4).toString('latin1') === 'RIFF' && b.subarray(8, 12).toString('latin1') === 'WEBP' },
];

/** The format of an image file's bytes, or undefined when they are none of FORMATS. */
export function imageFormat(data: Buffer): string | undefined {
  return FORMATS.find((f) => f.matches(data))?.name;
}

/**
 * `--image PATH`: the file's bytes and base name (kept as the upload's filename). A path that
 * cannot be read, or a file that is not a PNG, JPEG, GIF or WebP image, is a bad argument.
 */
export function readImageFile(file: string, option = '--image'): { data: Buffer; name: string } {
  let data: Buffer;
  try {
    data = fs.readFileSync(file);
  } catch (err) {
    throw new UsageError(`cannot read ${option} ${file}: ${(err as NodeJS.ErrnoException).code ?? 'error'}`);
  }
  if (!imageFormat(data)) {
    const names = FORMATS.map((f) => f.name);
    throw new UsageError(`${option} ${file} is not an image: expected a ${names.slice(0, -1).join(', ')} or ${names.at(-1)} file`);
  }
  return { data, name: path.basename(file) };
}
