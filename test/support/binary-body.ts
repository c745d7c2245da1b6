/** supertest `.buffer(true).parse(binaryBody)`: the response body as raw bytes. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export function binaryBody(res: any, cb: (err: Error | null, body: Buffer) => void): void {
  const chunks: Buffer[] = [];
  res.on('data', (c: Buffer) => chunks.push(c));
  res.on('end', () => cb(null, Buffer.concat(chunks)));
}
