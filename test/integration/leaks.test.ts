// No leaks: after many cycles of connect, join, crash, navigate and disconnect, the counts the
// runtime reports (connections, views, registry entries, PubSub subscriptions, timers) are back
// to zero. Counts, not heap sizes: they are exact and cannot flake.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectSocket, fetchLivePage, joinPayload } from '../support/live-client.ts';
import { eventually } from '../support/eventually.ts';
import { startLabServer, type LabServer } from '../support/lab-server.ts';

const CYCLES = 30;
let lab: LabServer;

beforeAll(async () => {
  // A generous crash budget: this test crashes on purpose in every cycle.
  lab = await startLabServer({ limits: { crashBudget: 1_000 } });
});
afterAll(async () => {
  await lab.stop();
});

describe('LiveServer resources', () => {
  it('return to zero after many connect, join, crash, navigate and disconnect cycles', async () => {
    for (let cycle = 0; cycle < CYCLES; cycle++) {
      const fragilePage = await fetchLivePage(lab.baseUrl, '/fragile');
      const calmPage = await fetchLivePage(lab.baseUrl, '/calm', { cookie: fragilePage.cookie });
      const client = await connectSocket(lab.baseUrl, { cookie: fragilePage.cookie, csrfToken: fragilePage.csrfToken });
      const fragile = client.channel(fragilePage.topic);
      const calm = client.channel(calmPage.topic);
      expect((await fragile.join(joinPayload(fragilePage))).status).toBe('ok');
      expect((await calm.join(joinPayload(calmPage))).status).toBe('ok');
      expect((await fragile.event('ok')).status).toBe('ok');

      // Crash and rejoin.
      fragile.event(cycle % 2 ? 'explode' : 'explode_later').catch(() => {});
      await client.waitFor((f) => f.topic === fragile.topic && f.event === 'phx_error');
      expect((await fragile.join(joinPayload(fragilePage))).status).toBe('ok');

      // Navigate the calm view to the fragile route over the same topic.
      await calm.leave();
      const navigated = await calm.join(joinPayload(calmPage, { redirect: `${lab.baseUrl}/fragile` }));
      expect(navigated.status).toBe('ok');

      // Half the cycles end from the client, half from the server (as a logout would).
      if (cycle % 2 === 0) await client.close();
      else {
        expect(lab.server.registry.disconnectAll()).toBe(1);
        expect((await client.closed).code).toBe(1001);
      }
    }

    await eventually(() => lab.server.counts().connections === 0, 'all connections gone');
    expect(lab.server.counts()).toEqual({ connections: 0, liveSocketIds: 0, views: 0, subscriptions: 0, timers: 0 });
    expect(lab.server.supervisor.crashCount).toBe(CYCLES);
  });
});
