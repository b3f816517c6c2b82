// One time base for several processes on one machine: `performance.timeOrigin + performance.now()`
// (milliseconds, sub-millisecond resolution). Each process derives its origin from the system
// clock at start-up, so the orchestrator measures the remaining offset of each child with an
// NTP-style exchange over IPC and corrects for it.

/** Read once: the getter checks its receiver on every call, and the load generator stamps thousands of arrivals in a row. */
const ORIGIN = performance.timeOrigin;

/** Milliseconds on the shared (wall-clock based, monotonic since start-up) time base. */
export function wallNow(): number {
  return ORIGIN + performance.now();
}

export interface ClockOffset {
  /** Child time minus orchestrator time, in ms. */
  offsetMs: number;
  /** Half the best round trip: the offset is exact to within this many ms. */
  uncertaintyMs: number;
}

/** Offset of a child's `wallNow()` from ours: the exchange with the shortest round trip wins. */
export async function estimateOffset(ask: () => Promise<number>, exchanges = 25): Promise<ClockOffset> {
  let best: ClockOffset = { offsetMs: 0, uncertaintyMs: Infinity };
  for (let i = 0; i < exchanges; i++) {
    const sent = wallNow();
    const theirs = await ask();
    const received = wallNow();
    const half = (received - sent) / 2;
    if (half < best.uncertaintyMs) best = { offsetMs: theirs - (sent + half), uncertaintyMs: half };
  }
  return best;
}
