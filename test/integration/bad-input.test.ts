import { afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { useDemoServer } from '../support/use-demo-server.ts';
import { joinLivePage, type JoinedPage, type LiveClient, type ServerFrame } from '../support/live-client.ts';

// Every bad frame gets a clear answer; the socket that sent it keeps working, and a client on
// another socket never notices.
describe('bad input on a socket', () => {
  const s = useDemoServer();
  const { clients } = s;
  let bystander: JoinedPage;
  let attacker: JoinedPage;

  beforeAll(async () => {
    bystander = clients.track(await joinLivePage(s.baseUrl, '/counter'));
  });
  beforeEach(async () => {
    attacker = clients.track(await joinLivePage(s.baseUrl, '/counter'));
  });
  afterEach(async () => {
    // The attacking socket still answers heartbeats.
    expect((await attacker.client.heartbeat()).status).toBe('ok');
    // The bystander's socket is untouched: no stray frames, and its view still works.
    expect((await bystander.client.heartbeat()).status).toBe('ok');
    expect(bystander.client.takeUnread()).toEqual([]);
    expect((await bystander.channel.event('increment')).status).toBe('ok');
  });

  /** The socket-level error a frame without a readable ref gets (topic "phoenix", ref null). */
  function socketError(client: LiveClient): Promise<ServerFrame> {
    return client.waitFor((f) => f.topic === 'phoenix' && f.event === 'phx_error' && f.ref === null, {
      what: 'a socket-level phx_error',
    });
  }

  it('answers text that is not JSON with a malformed-message error on the phoenix topic', async () => {
    attacker.client.sendRaw('this is not json');

    const error = await socketError(attacker.client);

    expect(error.joinRef).toBeNull();
    expect(error.payload).toMatchObject({ reason: 'malformed message' });
  });

  it('answers JSON that is not an array with a malformed-message error', async () => {
    attacker.client.sendRaw('{"topic":"phoenix","event":"heartbeat"}');

    const error = await socketError(attacker.client);

    expect(error.payload).toMatchObject({ reason: 'malformed message' });
  });

  it('answers a binary frame that is no upload chunk with a socket-level error', async () => {
    attacker.client.sendRaw(Buffer.from([0, 1, 1, 3, 5, 0x31, 0x32]));

    const error = await socketError(attacker.client);

    expect(error.payload).toMatchObject({ reason: 'malformed message' });
  });

  it('answers a frame of the wrong arity with an error reply to its ref', async () => {
    const { client, channel } = attacker;
    const ref = client.makeRef();
    client.sendRaw(JSON.stringify([channel.joinRef, ref, channel.topic, 'event']));

    const reply = await client.waitFor((f) => f.ref === ref, { what: 'reply to the 4-element frame' });

    expect(reply.event).toBe('phx_reply');
    expect(reply.payload).toMatchObject({ status: 'error', response: { reason: 'malformed message' } });
  });

  it('answers a frame whose topic is a number with an error reply to its ref', async () => {
    const { client } = attacker;
    const ref = client.makeRef();
    client.sendRaw(JSON.stringify([null, ref, 42, 'heartbeat', {}]));

    const reply = await client.waitFor((f) => f.ref === ref, { what: 'reply to the numeric-topic frame' });

    expect(reply.payload).toMatchObject({ status: 'error', response: { reason: 'malformed message' } });
  });

  it('answers a frame whose ref is a number with a socket-level error, having no ref to answer', async () => {
    attacker.client.sendRaw(JSON.stringify([null, 7, 'phoenix', 'heartbeat', {}]));

    const error = await socketError(attacker.client);

    expect(error.payload).toMatchObject({ reason: 'malformed message' });
  });

  it('answers a frame whose payload is a string with an error reply, and does not run the event', async () => {
    const { client, channel } = attacker;
    const ref = client.makeRef();
    client.sendRaw(JSON.stringify([channel.joinRef, ref, channel.topic, 'event', 'increment']));

    const reply = await client.waitFor((f) => f.ref === ref, { what: 'reply to the string-payload frame' });
    const next = await channel.event('increment');

    expect(reply.payload).toMatchObject({ status: 'error', response: { reason: 'malformed message' } });
    expect(next.response).toEqual({ diff: { '0': '1', '1': '1' } });
  });

  it('refuses a join of a topic that is not lv:* with unmatched topic and a null join_ref', async () => {
    const lobby = attacker.client.channel('rooms:lobby');

    const reply = await lobby.join({});

    expect(reply.status).toBe('error');
    expect(reply.response).toEqual({ reason: 'unmatched topic' });
    expect(reply.frame.joinRef).toBeNull();
    expect(reply.frame.ref).toBe(lobby.joinRef);
  });

  it('answers an event for a topic never joined with unmatched topic', async () => {
    const reply = await attacker.client.request(null, 'lv:phx-never-joined', 'event', {
      type: 'click',
      event: 'increment',
      value: {},
    });

    expect(reply.status).toBe('error');
    expect(reply.response).toEqual({ reason: 'unmatched topic' });
  });

  it('answers an unknown event name on a joined topic with unknown event', async () => {
    const reply = await attacker.channel.push('self_destruct', {});

    expect(reply.status).toBe('error');
    expect(reply.response).toEqual({ reason: 'unknown event' });
    expect(reply.frame.joinRef).toBe(attacker.channel.joinRef);
  });

  it('refuses an event the view does not declare as unauthorized and leaves the state unchanged', async () => {
    const { channel } = attacker;
    await channel.event('set', { n: '5' });

    const denied = await channel.event('explode', { n: '99' });
    const after = await channel.event('increment');

    expect(denied.status).toBe('error');
    expect(denied.response).toMatchObject({ reason: 'unauthorized' });
    expect(after.response).toEqual({ diff: { '0': '6', '1': '6' } });
  });

  it('refuses an event named after an Object prototype key as unauthorized', async () => {
    const denied = await attacker.channel.event('constructor');

    expect(denied.status).toBe('error');
    expect(denied.response).toMatchObject({ reason: 'unauthorized' });
  });
});
