// A socket that stops talking (no heartbeat, no frame) is closed once it has been silent for
// `heartbeatTimeoutMs` (found by a sweep every quarter of it) and everything it held is released.
// Time is a manual clock: nothing here waits for real time.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectSocket, fetchLivePage, joinPayload } from '../support/live-client.ts';
import { startLabServer, type LabServer } from '../support/lab-server.ts';
import { ManualClock } from '../support/manual-clock.ts';

const TIMEOUT_MS = 60_000;
const clock = new ManualClock();
let lab: LabServer;

beforeAll(async () => {
  lab = await startLabServer({ clock, limits: { heartbeatTimeoutMs: TIMEOUT_MS } });
});
afterAll(async () => {
  await lab.stop();
});

describe('Connection heartbeat timeout', () => {
  it('keeps a socket that heartbeats and closes one that falls silent, releasing its view', async () => {
    const page = await fetchLivePage(lab.baseUrl, '/fragile');
    const client = await connectSocket(lab.baseUrl, { cookie: page.cookie, csrfToken: page.csrfToken });
    expect((await client.channel(page.topic).join(joinPayload(page))).status).toBe('ok');
    expect(lab.server.counts()).toMatchObject({ connections: 1, views: 1, subscriptions: 1 });

    clock.advance(TIMEOUT_MS - 1_000);
    expect((await client.heartbeat()).status).toBe('ok'); // still open, and now freshly seen
    clock.advance(TIMEOUT_MS - 1_000);
    expect((await client.heartbeat()).status).toBe('ok');

    // Silent for the whole timeout, but not yet swept: still open.
    clock.advance(TIMEOUT_MS);
    expect((await client.heartbeat()).status).toBe('ok');

    clock.advance(TIMEOUT_MS + TIMEOUT_MS / 4);
    const closed = await client.closed;
    expect(closed.code).toBe(1006); // dropped without a handshake: the peer is presumed gone
    expect(lab.server.counts()).toEqual({ connections: 0, liveSocketIds: 0, views: 0, subscriptions: 0, timers: 0 });
  });
});
