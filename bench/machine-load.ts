// The machine's own CPU accounting (`/proc/stat`), to tell whether anything besides the bench was
// using the cores during a measured window: a benchmark on a shared machine must say so.

import { readFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';

export interface CpuTicks {
  busy: number;
  total: number;
}

/** Aggregate jiffies of all cores; null where `/proc/stat` is not readable. */
export function readCpuTicks(): CpuTicks | null {
  try {
    const line = readFileSync('/proc/stat', 'utf8').split('\n')[0]!;
    const [, ...fields] = line.trim().split(/\s+/);
    const [user = 0, nice = 0, system = 0, idle = 0, iowait = 0, irq = 0, softirq = 0, steal = 0] = fields.map(Number);
    const busy = user + nice + system + irq + softirq + steal;
    return { busy, total: busy + idle + iowait };
  } catch {
    return null;
  }
}

/** Cores busy between two readings (0 … number of cores). */
export function busyCores(from: CpuTicks | null, to: CpuTicks | null): number {
  if (!from || !to || to.total === from.total) return NaN;
  return ((to.busy - from.busy) / (to.total - from.total)) * availableParallelism();
}

export function loadAverage(): string {
  try {
    return readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ');
  } catch {
    return 'n/a';
  }
}
