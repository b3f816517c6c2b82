import { beforeAll, describe, expect, it } from 'vitest';
import type { RuntimeEvent } from '../../server/index.ts';
import { useDemoServer } from '../support/use-demo-server.ts';
import { UpgradeRefusedError, connectSocket, fetchLivePage, joinLivePage, joinPayload, type JoinedPage } from '../support/live-client.ts';

async function refusedStatus(connecting: Promise<unknown>): Promise<number> {
  const error = await connecting.then(
    () => new Error('the upgrade was accepted'),
    (err: unknown) => err,
  );
  expect(error).toBeInstanceOf(UpgradeRefusedError);
  return (error as UpgradeRefusedError).status;
}

describe('the WebSocket upgrade at /live/websocket', () => {
  const s = useDemoServer();
  const { clients } = s;

  it('is refused with 403 when the Origin is a foreign site', async () => {
    const page = await fetchLivePage(s.baseUrl, '/counter');

    const status = await refusedStatus(
      connectSocket(s.baseUrl, { cookie: page.cookie, csrfToken: page.csrfToken, origin: 'http://evil.example' }),
    );

    expect(status).toBe(403);
  });

  it('is refused with 403 when the Origin has no host ("null", as sent from a sandboxed frame)', async () => {
    const page = await fetchLivePage(s.baseUrl, '/counter');

    const status = await refusedStatus(connectSocket(s.baseUrl, { cookie: page.cookie, csrfToken: page.csrfToken, origin: 'null' }));

    expect(status).toBe(403);
  });

  it('is refused with 403 when vsn is missing', async () => {
    const page = await fetchLivePage(s.baseUrl, '/counter');

    const status = await refusedStatus(connectSocket(s.baseUrl, { cookie: page.cookie, csrfToken: page.csrfToken, vsn: null }));

    expect(status).toBe(403);
  });

  it('is refused with 403 when vsn is the unsupported V1 serializer', async () => {
    const page = await fetchLivePage(s.baseUrl, '/counter');

    const status = await refusedStatus(connectSocket(s.baseUrl, { cookie: page.cookie, csrfToken: page.csrfToken, vsn: '1.0.0' }));

    expect(status).toBe(403);
  });

  it('is accepted without an Origin header (a non-browser client), and the view joins', async () => {
    const page = await fetchLivePage(s.baseUrl, '/counter');
    const client = clients.track(await connectSocket(s.baseUrl, { cookie: page.cookie, csrfToken: page.csrfToken, origin: null }));

    const reply = await client.channel(page.topic).join(joinPayload(page));

    expect(reply.status).toBe('ok');
  });

  it('is accepted with a wrong _csrf_token, whose joins are then stale', async () => {
    const page = await fetchLivePage(s.baseUrl, '/counter');
    const client = clients.track(await connectSocket(s.baseUrl, { cookie: page.cookie, csrfToken: 'not-a-csrf-token' }));

    const reply = await client.channel(page.topic).join(joinPayload(page));

    expect(reply.response).toEqual({ reason: 'stale' });
  });
});

describe('a message larger than maxMessageBytes', () => {
  const s = useDemoServer();
  const { clients } = s;
  let bystander: JoinedPage;

  beforeAll(async () => {
    bystander = clients.track(await joinLivePage(s.baseUrl, '/counter'));
  });

  it('makes the server close the socket with 1009', async () => {
    const { client, channel } = clients.track(await joinLivePage(s.baseUrl, '/counter'));
    const padding = 'x'.repeat(s.server.limits.maxMessageBytes + 1);

    client.send([channel.joinRef, client.makeRef(), channel.topic, 'event', { type: 'click', event: 'increment', value: { padding } }]);
    const closed = await client.closed;

    expect(closed.code).toBe(1009);
  });

  it('reports the refused message as LV_ERR_MESSAGE_TOO_LARGE to the runtime events', async () => {
    const events: RuntimeEvent[] = [];
    const stop = s.server.events.subscribe((e) => events.push(e));
    try {
      const { client, channel } = clients.track(await joinLivePage(s.baseUrl, '/counter'));
      client.send([
        channel.joinRef,
        client.makeRef(),
        channel.topic,
        'event',
        { padding: 'x'.repeat(s.server.limits.maxMessageBytes + 1) },
      ]);
      await client.closed;

      expect(events).toContainEqual(expect.objectContaining({ type: 'frame.rejected', code: 'LV_ERR_MESSAGE_TOO_LARGE' }));
    } finally {
      stop();
    }
  });

  it('leaves other sockets and new connections served', async () => {
    const { client, channel } = clients.track(await joinLivePage(s.baseUrl, '/counter'));
    client.send([channel.joinRef, client.makeRef(), channel.topic, 'event', { padding: 'x'.repeat(70 * 1024) }]);
    await client.closed;

    const fresh = clients.track(await joinLivePage(s.baseUrl, '/counter'));

    expect((await fresh.channel.event('increment')).status).toBe('ok');
    expect((await bystander.channel.event('increment')).status).toBe('ok');
    expect(bystander.client.takeUnread()).toEqual([]);
  });

  it('is fine just under the limit', async () => {
    const { client, channel } = clients.track(await joinLivePage(s.baseUrl, '/counter'));
    const ref = client.makeRef();
    const frame = (padding: string) =>
      JSON.stringify([channel.joinRef, ref, channel.topic, 'event', { type: 'click', event: 'increment', value: { padding } }]);
    const overhead = Buffer.byteLength(frame(''));

    client.sendRaw(frame('x'.repeat(s.server.limits.maxMessageBytes - overhead)));
    const reply = await client.waitFor((f) => f.ref === ref, { what: 'reply to the largest allowed event' });

    expect(reply.payload).toMatchObject({ status: 'ok', response: { diff: { '0': '1' } } });
  });
});
