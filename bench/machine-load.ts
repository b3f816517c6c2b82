// Was anything besides the bench using the machine? A benchmark on a shared machine must say so.
// Every process's CPU time (`/proc/<pid>/stat`, user + system, all threads) is read before and
// after a measured stretch; what the processes other than the bench's own used is "foreign" load.
// Kernel threads are left out: the loopback traffic's own softirq work may run in them.

import { readFileSync, readdirSync } from 'node:fs';

/** Clock ticks per second of `/proc/<pid>/stat` times (USER_HZ: 100 on Linux). */
const TICKS_PER_SECOND = 100;

type Ticks = Map<number, number>;

function readProcessTicks(): Ticks | null {
  let pids: string[];
  try {
    pids = readdirSync('/proc').filter((name) => /^\d+$/.test(name));
  } catch {
    return null;
  }
  const ticks: Ticks = new Map();
  for (const pid of pids) {
    try {
      const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
      // Fields after the command name, which is parenthesized and may contain spaces.
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      const flags = Number(fields[6]);
      if (flags & 0x00200000) continue; // PF_KTHREAD
      ticks.set(Number(pid), Number(fields[11]) + Number(fields[12]));
    } catch {
      // The process ended while we looked.
    }
  }
  return ticks;
}

/** Measures the CPU other processes use while the bench measures something. */
export class ForeignLoad {
  readonly #ours: () => Iterable<number>;
  #before: Ticks | null = null;
  #startedAt = 0;

  /** `ours` lists the bench's own pids (asked at the end, so new children count as ours). */
  constructor(ours: () => Iterable<number>) {
    this.#ours = ours;
  }

  start(): void {
    this.#before = readProcessTicks();
    this.#startedAt = performance.now();
  }

  /** Cores' worth of CPU used by other processes since `start()`; NaN where /proc is unreadable. */
  stop(): { cores: number; top: string | null } {
    const after = readProcessTicks();
    const before = this.#before;
    const seconds = (performance.now() - this.#startedAt) / 1000;
    if (!after || !before || seconds <= 0) return { cores: NaN, top: null };
    const ours = new Set(this.#ours());
    let total = 0;
    let top: { pid: number; ticks: number } | null = null;
    for (const [pid, ticks] of after) {
      if (ours.has(pid)) continue;
      const used = ticks - (before.get(pid) ?? 0);
      if (used <= 0) continue;
      total += used;
      if (!top || used > top.ticks) top = { pid, ticks: used };
    }
    return { cores: total / TICKS_PER_SECOND / seconds, top: top ? commandOf(top.pid) : null };
  }
}

function commandOf(pid: number): string | null {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').replace(/\0/g, ' ').trim().slice(0, 80) || null;
  } catch {
    return null;
  }
}

export function loadAverage(): string {
  try {
    return readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ');
  } catch {
    return 'n/a';
  }
}
