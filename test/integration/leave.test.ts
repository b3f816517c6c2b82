import { describe, expect, it } from 'vitest';
import { useDemoServer } from '../support/use-demo-server.ts';
import { joinLivePage, openLivePage } from '../support/live-client.ts';

describe('phx_leave', () => {
  const s = useDemoServer();
  const { clients } = s;

  it('is answered ok {} on the never-joined dead-view topic "lv:"', async () => {
    const { client } = clients.track(await openLivePage(s.baseUrl, '/counter'));

    const reply = await client.request(null, 'lv:', 'phx_leave');

    expect(reply.status).toBe('ok');
    expect(reply.response).toEqual({});
    expect(reply.frame.joinRef).toBeNull();
    expect(reply.frame.topic).toBe('lv:');
  });

  it('on a joined topic is answered ok {} and followed by a phx_close with the join_ref in both slots', async () => {
    const { client, channel } = clients.track(await joinLivePage(s.baseUrl, '/counter'));
    const joinRef = channel.joinRef;

    const reply = await channel.leave();
    const close = await client.waitFor((f) => f.event === 'phx_close', { what: 'phx_close' });

    expect(reply.status).toBe('ok');
    expect(reply.response).toEqual({});
    expect(reply.frame.joinRef).toBe(joinRef);
    expect(JSON.parse(close.raw)).toEqual([joinRef, joinRef, channel.topic, 'phx_close', {}]);
  });

  it('ends the view: later events on the topic are answered unmatched topic', async () => {
    const { client, channel } = clients.track(await joinLivePage(s.baseUrl, '/counter'));
    await channel.leave();
    await client.waitFor((f) => f.event === 'phx_close', { what: 'phx_close' });

    const reply = await channel.event('increment');

    expect(reply.status).toBe('error');
    expect(reply.response).toEqual({ reason: 'unmatched topic' });
  });
});
