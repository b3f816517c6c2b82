import { describe, expect, it } from 'vitest';
import { useDemoServer } from '../support/use-demo-server.ts';
import { joinLivePage, joinPayload, openLivePage } from '../support/live-client.ts';

describe('phx_join of a live page', () => {
  const s = useDemoServer();
  const { clients } = s;

  it('answers ok with the full render and the LiveView version', async () => {
    const { page, client } = clients.track(await openLivePage(s.baseUrl, '/counter'));
    const reply = await client.channel(page.topic).join(joinPayload(page));

    expect(reply.status).toBe('ok');
    expect(reply.response.liveview_version).toBe('1.2.12');
    const rendered = reply.response.rendered as Record<string, unknown>;
    expect(Array.isArray(rendered.s)).toBe(true);
    expect((rendered.s as string[]).join('')).toContain('<span id="count">');
    expect(rendered['0']).toBe('0');
  });

  it('carries the join_ref of the join in both slots of its reply', async () => {
    const { page, client } = clients.track(await openLivePage(s.baseUrl, '/counter'));
    const channel = client.channel(page.topic);
    const reply = await channel.join(joinPayload(page));

    expect(reply.frame.joinRef).toBe(channel.joinRef);
    expect(reply.frame.ref).toBe(channel.joinRef);
    expect(reply.frame.topic).toBe(page.topic);
    expect(reply.frame.event).toBe('phx_reply');
  });

  it('carries the join_ref in every reply to a push on the joined topic', async () => {
    const { channel } = clients.track(await joinLivePage(s.baseUrl, '/counter'));
    const reply = await channel.event('increment');

    expect(reply.status).toBe('ok');
    expect(reply.frame.joinRef).toBe(channel.joinRef);
  });

  it('replaces the view when the topic is joined again, closing the old join under its own join_ref', async () => {
    const viewsBefore = s.server.counts().views;
    const { page, client, channel } = clients.track(await joinLivePage(s.baseUrl, '/counter'));
    const firstJoinRef = channel.joinRef!;
    await channel.event('increment');

    const rejoin = await channel.join(joinPayload(page, { params: { _mounts: 1, _mount_attempts: 0 } }));
    const close = await client.waitFor((f) => f.event === 'phx_close', { what: 'phx_close of the first join' });

    expect(close.joinRef).toBe(firstJoinRef);
    expect(close.ref).toBe(firstJoinRef);
    expect(rejoin.status).toBe('ok');
    expect(rejoin.frame.joinRef).toBe(channel.joinRef);
    expect(channel.joinRef).not.toBe(firstJoinRef);
    // A remount starts from mount again, and the new view serves the topic.
    expect((rejoin.response.rendered as Record<string, unknown>)['0']).toBe('0');
    const event = await channel.event('increment');
    expect(event.response).toEqual({ diff: { '0': '1', '1': '1' } });
    expect(event.frame.joinRef).toBe(channel.joinRef);
    // The replaced view is gone from the server's tables, not only from the wire.
    await expect.poll(() => s.server.counts().views).toBe(viewsBefore + 1);
  });

  it('refuses to run an event sent under an earlier join_ref of a rejoined topic', async () => {
    const { page, client, channel } = clients.track(await joinLivePage(s.baseUrl, '/counter'));
    const oldJoinRef = channel.joinRef;
    await channel.join(joinPayload(page));

    const stale = await client.request(oldJoinRef, page.topic, 'event', { type: 'click', event: 'increment', value: {} });
    const current = await channel.event('increment');

    expect(stale.status).toBe('error');
    expect(stale.response).toEqual({ reason: 'unmatched topic' });
    expect(current.response).toEqual({ diff: { '0': '1', '1': '1' } });
  });
});
