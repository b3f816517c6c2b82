// A client that stops reading while it keeps sending: its replies pile up in the server's send
// buffer. Past `maxSendBufferBytes` the server closes that socket (1013) and drops it after the
// grace period, so its memory stays bounded, and other clients keep being answered.

import { describe, expect, it } from 'vitest';
import type { RuntimeEvent } from '../../server/index.ts';
import { eventually } from '../support/eventually.ts';
import { connectSocket, openLivePage } from '../support/live-client.ts';
import { useDemoServer } from '../support/use-demo-server.ts';

const SEND_BUFFER = 256 * 1024;
/** What the server may hold for the stuck client: its send buffer, plus allocator slack. */
const MEMORY_BOUND = 48 * 1024 * 1024;
/** A heartbeat reply is ~60 bytes; this many unread replies are ~12 MB, past any kernel buffer. */
const MAX_FRAMES = 200_000;
const BATCH = 2_000;
/** The other client's heartbeat waits behind a whole batch on a loaded machine: a deadline, not an assertion. */
const REPLY_DEADLINE_MS = 20_000;

describe('a client that never reads', () => {
  const s = useDemoServer({ limits: { maxSendBufferBytes: SEND_BUFFER, sendBufferCloseGraceMs: 100 } });

  it('is closed once its send buffer passes maxSendBufferBytes; memory stays bounded; others are served', async () => {
    const events: RuntimeEvent[] = [];
    const stop = s.server.events.subscribe((e) => events.push(e));
    const other = s.clients.track(await openLivePage(s.baseUrl, '/counter')).client;
    const stuck = s.clients.track(await connectSocket(s.baseUrl));
    const otherOpened = events.find((e) => e.type === 'connection.opened');
    const before = process.memoryUsage();
    let peak = 0;
    // Stop reading: the server's replies stay in its buffers.
    stuck.socket.pause();

    const full = (): boolean => events.some((e) => e.type === 'frame.rejected' && e.code === 'LV_ERR_SEND_BUFFER_FULL');
    let sent = 0;
    while (!full() && sent < MAX_FRAMES) {
      for (let i = 0; i < BATCH; i++) stuck.sendRaw(`[null,"${sent + i}","phoenix","heartbeat",{}]`);
      sent += BATCH;
      await new Promise((resolve) => setTimeout(resolve, 5));
      const now = process.memoryUsage();
      peak = Math.max(peak, now.heapUsed + now.arrayBuffers - before.heapUsed - before.arrayBuffers);
      expect((await other.request(null, 'phoenix', 'heartbeat', {}, REPLY_DEADLINE_MS)).status).toBe('ok');
    }

    expect(full()).toBe(true);
    await eventually(
      () => events.some((e) => e.type === 'connection.closed' && e.connectionId !== otherOpened?.connectionId && e.code === 1006),
      'the stuck socket dropped',
    );
    console.info(`slow client: ${sent} frames sent, peak heap+buffers growth ${(peak / 2 ** 20).toFixed(1)} MiB`);
    expect(peak).toBeLessThan(MEMORY_BOUND);
    expect(s.server.counts().connections).toBe(1);
    expect((await other.heartbeat()).status).toBe('ok');
    stop();
  }, 60_000);
});
