import { describe, expect, it } from 'vitest';
import { useDemoServer } from '../support/use-demo-server.ts';
import { joinLivePage, joinPayload } from '../support/live-client.ts';

describe('live navigation within a liveSession', () => {
  const s = useDemoServer();
  const { clients } = s;

  it("mounts the target view on the same topic under a new join_ref, with the first page's tokens", async () => {
    const { page, client, channel } = clients.track(await joinLivePage(s.baseUrl, '/counter'));
    const counterJoinRef = channel.joinRef!;

    // As the official client does (`replaceMain`): leave and rejoin back-to-back, without waiting.
    const leave = channel.leave();
    const join = channel.join(joinPayload(page, { redirect: `${s.baseUrl}/clock` }));
    const [leaveReply, joinReply] = await Promise.all([leave, join]);
    const close = await client.waitFor((f) => f.event === 'phx_close', { what: 'phx_close of the counter' });

    expect(leaveReply.status).toBe('ok');
    expect(leaveReply.frame.joinRef).toBe(counterJoinRef);
    expect([close.joinRef, close.ref]).toEqual([counterJoinRef, counterJoinRef]);
    expect(joinReply.status).toBe('ok');
    expect(joinReply.frame.topic).toBe(page.topic);
    expect(joinReply.frame.joinRef).toBe(channel.joinRef);
    expect(channel.joinRef).not.toBe(counterJoinRef);
    const rendered = joinReply.response.rendered as { s: string[]; t?: string };
    expect(rendered.s.join('')).toContain('<main class="clock">');
    expect(rendered.t).toBe('Clock');
  });

  it('lets the navigated-to view push diffs that carry the new join_ref', async () => {
    const { page, client, channel } = clients.track(await joinLivePage(s.baseUrl, '/counter'));
    await channel.leave();
    await channel.join(joinPayload(page, { redirect: `${s.baseUrl}/clock` }));

    // The clock ticks every second; 3 s is a deadline, not a timing assertion.
    const diff = await channel.waitForPush('diff', 3_000);

    expect(diff.ref).toBeNull();
    expect(diff.joinRef).toBe(channel.joinRef);
    expect(diff.topic).toBe(page.topic);
    expect(JSON.stringify(diff.payload)).not.toContain('"s"');
    // Nothing from the counter's join reaches the client after its phx_close.
    const close = await client.waitFor((f) => f.event === 'phx_close', { what: 'phx_close of the counter' });
    expect(client.takeUnread().filter((f) => f.joinRef === close.joinRef)).toEqual([]);
  });

  it("routes later events to the navigated-to view, which does not declare the counter's increment", async () => {
    const { page, channel } = clients.track(await joinLivePage(s.baseUrl, '/counter'));
    await channel.leave();
    await channel.join(joinPayload(page, { redirect: `${s.baseUrl}/clock` }));

    const reply = await channel.event('increment');

    expect(reply.status).toBe('error');
    expect(reply.response).toMatchObject({ reason: 'unauthorized', event: 'increment' });
  });

  it('refuses navigation to a path that is not a live route with unauthorized', async () => {
    const { page, channel } = clients.track(await joinLivePage(s.baseUrl, '/counter'));
    await channel.leave();

    const reply = await channel.join(joinPayload(page, { redirect: `${s.baseUrl}/` }));

    expect(reply.status).toBe('error');
    expect(reply.response).toEqual({ reason: 'unauthorized' });
    expect(reply.frame.joinRef).toBe(channel.joinRef);
  });
});
