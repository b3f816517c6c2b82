import { describe, expect, it } from 'vitest';
import { useDemoServer } from '../support/use-demo-server.ts';
import { joinLivePage, openLivePage } from '../support/live-client.ts';

describe('the phoenix heartbeat', () => {
  const s = useDemoServer();
  const { clients } = s;

  it('is answered ok on the phoenix topic with the same ref and a null join_ref', async () => {
    const { client } = clients.track(await openLivePage(s.baseUrl, '/counter'));
    const ref = client.makeRef();
    client.send([null, ref, 'phoenix', 'heartbeat', {}]);

    const reply = await client.waitFor((f) => f.ref === ref, { what: 'heartbeat reply' });

    expect(JSON.parse(reply.raw)).toEqual([null, ref, 'phoenix', 'phx_reply', { status: 'ok', response: {} }]);
  });

  it('is answered with "1" as in the official client\'s first heartbeat', async () => {
    const { client } = clients.track(await openLivePage(s.baseUrl, '/counter'));
    client.sendRaw('[null,"1","phoenix","heartbeat",{}]');

    const reply = await client.waitFor((f) => f.ref === '1', { what: 'heartbeat reply' });

    expect(reply.raw).toBe('[null,"1","phoenix","phx_reply",{"status":"ok","response":{}}]');
  });

  it('is answered in order between the events of a joined view', async () => {
    const { client, channel } = clients.track(await joinLivePage(s.baseUrl, '/counter'));

    const event = channel.event('increment');
    const heartbeat = client.heartbeat();
    const [eventReply, heartbeatReply] = await Promise.all([event, heartbeat]);

    expect(eventReply.status).toBe('ok');
    expect(heartbeatReply.status).toBe('ok');
    expect(heartbeatReply.frame.topic).toBe('phoenix');
  });

  it('rejects any other event on the phoenix topic with an error reply', async () => {
    const { client } = clients.track(await openLivePage(s.baseUrl, '/counter'));

    const reply = await client.request(null, 'phoenix', 'ping');

    expect(reply.status).toBe('error');
    expect(reply.response).toEqual({ reason: 'unknown event' });
  });
});
