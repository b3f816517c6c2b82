import { describe, expect, it } from 'vitest';
import { useDemoServer } from '../support/use-demo-server.ts';
import { fetchLivePage, joinPayload, openLivePage, type LiveChannel, type LiveClient, type LivePage } from '../support/live-client.ts';

// A hundred joins on one socket can be slow on a loaded machine: a deadline, not an assertion.
const JOINS_DEADLINE_MS = 15_000;

describe('the channels of one socket', () => {
  const s = useDemoServer();
  const { clients } = s;

  /** A socket, and `count` freshly rendered counter pages of its cookie session. */
  async function socketWithPages(count: number): Promise<{ client: LiveClient; pages: LivePage[] }> {
    const { page: first, client } = clients.track(await openLivePage(s.baseUrl, '/counter'));
    const pages: LivePage[] = [first];
    while (pages.length < count) {
      const batch = Math.min(20, count - pages.length);
      pages.push(
        ...(await Promise.all(Array.from({ length: batch }, () => fetchLivePage(s.baseUrl, '/counter', { cookie: first.cookie })))),
      );
    }
    return { client, pages };
  }

  it('are limited to maxViewsPerSocket (100): the 101st join is refused with too many channels joined', async () => {
    const limit = s.server.limits.maxViewsPerSocket;
    expect(limit).toBe(100);
    const { client, pages } = await socketWithPages(limit + 1);
    const channels: LiveChannel[] = pages.map((page) => client.channel(page.topic));

    const joins = await Promise.all(channels.slice(0, limit).map((channel, i) => channel.join(joinPayload(pages[i]!), JOINS_DEADLINE_MS)));
    const refused = await channels[limit]!.join(joinPayload(pages[limit]!));

    expect(joins.filter((reply) => reply.status === 'ok')).toHaveLength(limit);
    expect(refused.status).toBe('error');
    expect(refused.response).toEqual({ reason: 'too many channels joined' });
    expect(refused.frame.ref).toBe(channels[limit]!.joinRef);
    // The socket and its views keep working.
    expect((await client.heartbeat()).status).toBe('ok');
    expect((await channels[limit - 1]!.event('increment')).status).toBe('ok');
  });

  it('free a slot when a view is left, so another view may join', async () => {
    const limit = s.server.limits.maxViewsPerSocket;
    const { client, pages } = await socketWithPages(limit + 1);
    const channels = pages.map((page) => client.channel(page.topic));
    await Promise.all(channels.slice(0, limit).map((channel, i) => channel.join(joinPayload(pages[i]!), JOINS_DEADLINE_MS)));

    await channels[0]!.leave();
    await client.waitFor((f) => f.event === 'phx_close' && f.topic === channels[0]!.topic, { what: 'phx_close' });
    const reply = await channels[limit]!.join(joinPayload(pages[limit]!));

    expect(reply.status).toBe('ok');
  });

  it('do not count refused joins against the limit', async () => {
    const limit = s.server.limits.maxViewsPerSocket;
    const { client, pages } = await socketWithPages(1);
    const page = pages[0]!;

    const refusals = [];
    // One after the other: joins still mounting do hold a slot.
    for (let i = 0; i <= limit; i++) {
      refusals.push(await client.channel(`lv:phx-forged-${i}`).join(joinPayload(page, { session: 'abc' })));
    }
    const reply = await client.channel(page.topic).join(joinPayload(page));

    expect(refusals.every((r) => r.status === 'error' && r.response.reason === 'stale')).toBe(true);
    expect(reply.status).toBe('ok');
  });
});
