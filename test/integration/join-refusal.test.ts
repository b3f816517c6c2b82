import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { useDemoServer } from '../support/use-demo-server.ts';
import {
  connectSocket,
  fetchLivePage,
  joinLivePage,
  joinPayload,
  openLivePage,
  type JoinedPage,
  type LiveClient,
} from '../support/live-client.ts';

/** Changes one character in the middle of a JWS signature (the last one may only hold padding bits). */
function tamperSignature(token: string): string {
  const i = token.lastIndexOf('.') + 10;
  const replacement = token[i] === 'A' ? 'B' : 'A';
  return token.slice(0, i) + replacement + token.slice(i + 1);
}

// Any token problem is `stale` for the client, as in Phoenix's `session.ex`; the detail is in the log.
describe('a refused phx_join', () => {
  const s = useDemoServer();
  const { clients } = s;
  let bystander: JoinedPage;

  beforeAll(async () => {
    bystander = clients.track(await joinLivePage(s.baseUrl, '/counter'));
  });
  afterEach(async () => {
    expect((await bystander.client.heartbeat()).status).toBe('ok');
    expect(bystander.client.takeUnread()).toEqual([]);
    expect((await bystander.channel.event('increment')).status).toBe('ok');
  });

  /** Joins `topic` with `payload` and checks the socket still answers heartbeats afterwards. */
  async function refusal(client: LiveClient, topic: string, payload: Record<string, unknown>) {
    const channel = client.channel(topic);
    const reply = await channel.join(payload);
    expect(reply.frame.joinRef).toBe(channel.joinRef);
    expect((await client.heartbeat()).status).toBe('ok');
    return reply;
  }

  it('answers stale to a session token with a tampered signature', async () => {
    const { page, client } = clients.track(await openLivePage(s.baseUrl, '/counter'));

    const reply = await refusal(client, page.topic, joinPayload(page, { session: tamperSignature(page.session) }));

    expect(reply.status).toBe('error');
    expect(reply.response).toEqual({ reason: 'stale' });
  });

  it('answers stale to a session token whose claims were edited under the original signature', async () => {
    const { page, client } = clients.track(await openLivePage(s.baseUrl, '/counter'));
    const other = await fetchLivePage(s.baseUrl, '/counter', { cookie: page.cookie });
    const [header, claims, signature] = page.session.split('.');
    const edited = JSON.parse(Buffer.from(claims!, 'base64url').toString()) as Record<string, unknown>;
    edited.sid = other.id;
    const forged = [header, Buffer.from(JSON.stringify(edited)).toString('base64url'), signature].join('.');

    const reply = await refusal(client, other.topic, joinPayload(other, { session: forged }));

    expect(reply.response).toEqual({ reason: 'stale' });
  });

  it('answers stale to a garbage session token', async () => {
    const { page, client } = clients.track(await openLivePage(s.baseUrl, '/counter'));

    const reply = await refusal(client, page.topic, joinPayload(page, { session: 'abc' }));

    expect(reply.response).toEqual({ reason: 'stale' });
  });

  it('answers stale to a session token used on another topic', async () => {
    const { page, client } = clients.track(await openLivePage(s.baseUrl, '/counter'));
    const other = await fetchLivePage(s.baseUrl, '/counter', { cookie: page.cookie });

    const reply = await refusal(client, other.topic, joinPayload(page));

    expect(reply.response).toEqual({ reason: 'stale' });
  });

  it('answers stale to a static token of another page', async () => {
    const { page, client } = clients.track(await openLivePage(s.baseUrl, '/counter'));
    const other = await fetchLivePage(s.baseUrl, '/counter', { cookie: page.cookie });

    const reply = await refusal(client, page.topic, joinPayload(page, { static: other.static }));

    expect(reply.response).toEqual({ reason: 'stale' });
  });

  it('answers stale to a join without a session key', async () => {
    const { page, client } = clients.track(await openLivePage(s.baseUrl, '/counter'));
    const { session: _dropped, ...withoutSession } = joinPayload(page);

    const reply = await refusal(client, page.topic, withoutSession);

    expect(reply.response).toEqual({ reason: 'stale' });
  });

  it('answers stale to every join on a socket opened with a wrong _csrf_token', async () => {
    const page = await fetchLivePage(s.baseUrl, '/counter');
    const stranger = await fetchLivePage(s.baseUrl, '/counter'); // another cookie session, another secret
    const client = clients.track(await connectSocket(s.baseUrl, { cookie: page.cookie, csrfToken: stranger.csrfToken }));

    const reply = await refusal(client, page.topic, joinPayload(page));

    expect(reply.response).toEqual({ reason: 'stale' });
  });

  it('answers stale to every join on a socket opened without the session cookie', async () => {
    const page = await fetchLivePage(s.baseUrl, '/counter');
    const client = clients.track(await connectSocket(s.baseUrl, { csrfToken: page.csrfToken }));

    const reply = await refusal(client, page.topic, joinPayload(page));

    expect(reply.response).toEqual({ reason: 'stale' });
  });

  it('still accepts the untampered tokens on the same socket after refusals', async () => {
    const { page, client } = clients.track(await openLivePage(s.baseUrl, '/counter'));
    await refusal(client, page.topic, joinPayload(page, { session: 'abc' }));

    const reply = await client.channel(page.topic).join(joinPayload(page));

    expect(reply.status).toBe('ok');
  });
});
