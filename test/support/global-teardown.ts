import * as fs from 'node:fs';

export default async function globalTeardown(): Promise<void> {
  const state = globalThis.__SOGS_PGLITE__;
  if (!state) return;
  await Promise.all(state.servers.map((s) => s.stop().catch(() => undefined)));
  fs.rmSync(state.dir, { recursive: true, force: true });
}
