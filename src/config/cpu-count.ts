import * as fs from 'node:fs';
import * as os from 'node:os';

/**
 * The cores this process may use: the machine's, or fewer when a container's CPU quota says so
 * (cgroup v2 `cpu.max`, e.g. `docker run --cpus 2`), which Node does not take into account. One
 * worker per core of a large host inside a small container would only cost memory.
 */
export function usableCores(cpuMaxFile = '/sys/fs/cgroup/cpu.max'): number {
  const cores = os.availableParallelism();
  let quota: string[];
  try {
    quota = fs.readFileSync(cpuMaxFile, 'utf8').trim().split(/\s+/);
  } catch {
    return cores;
  }
  const [max, period] = [Number(quota[0]), Number(quota[1])];
  if (!(max > 0) || !(period > 0)) return cores; // "max": no quota
  return Math.max(1, Math.min(cores, Math.ceil(max / period)));
}
