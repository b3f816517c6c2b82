// The machine a run measured: cores, CPU model, memory, kernel, Node, and whether processes could
// be pinned. Printed with every table, since the figures mean nothing without it.

import { readFileSync } from 'node:fs';
import { availableParallelism, release, totalmem } from 'node:os';
import { canPin } from './control-channel.ts';
import { loadAverage } from './machine-load.ts';

export interface Machine {
  nproc: number;
  cpuModel: string;
  memoryGiB: number;
  kernel: string;
  node: string;
  taskset: boolean;
  /** `/proc/loadavg` (1, 5, 15 min) when the run started. */
  loadAtStart: string;
}

export function describeMachine(): Machine {
  let cpuModel = 'unknown';
  try {
    cpuModel = /^model name\s*:\s*(.+)$/m.exec(readFileSync('/proc/cpuinfo', 'utf8'))?.[1]?.trim() ?? cpuModel;
  } catch {
    // Not Linux: leave it unknown.
  }
  return {
    nproc: availableParallelism(),
    cpuModel,
    memoryGiB: Math.round((totalmem() / 2 ** 30) * 10) / 10,
    kernel: release(),
    node: process.version,
    taskset: canPin(),
    loadAtStart: loadAverage(),
  };
}

export function machineLine(m: Machine): string {
  return `${m.nproc} cores (\`nproc\`), ${m.cpuModel}, ${m.memoryGiB} GiB, Linux ${m.kernel}, Node ${m.node}`;
}
