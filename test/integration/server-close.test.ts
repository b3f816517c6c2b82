import { describe, expect, it } from 'vitest';
import { useDemoServer } from '../support/use-demo-server.ts';
import { joinLivePage, openLivePage } from '../support/live-client.ts';

// `registry.disconnect(id)` needs a live socket id, which anonymous demo sessions do not have;
// closing the server takes the same 1001 path for every socket.
describe('LiveServer#close', () => {
  const s = useDemoServer();
  const { clients } = s;

  it('closes every client socket with 1001, so official clients reconnect instead of reloading', async () => {
    const counter = clients.track(await joinLivePage(s.baseUrl, '/counter'));
    const clock = clients.track(await joinLivePage(s.baseUrl, '/clock'));
    const idle = clients.track(await openLivePage(s.baseUrl, '/counter'));

    const closing = s.server.close();
    const closes = await Promise.all([counter.client.closed, clock.client.closed, idle.client.closed]);
    await closing;

    expect(closes.map((c) => c.code)).toEqual([1001, 1001, 1001]);
    expect(s.server.counts()).toMatchObject({ connections: 0, views: 0, subscriptions: 0 });
  });
});
