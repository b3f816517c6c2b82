// The registry without a LiveServer: real connections over real loopback WebSockets (a connection
// owns its socket; the registry closes sockets, so only a real one shows what a client sees), the
// runtime services a server would build, and the in-process LocalPubSub. Registering and
// forgetting connections, `disconnect(id)` closing every socket of that live socket id and only
// those, the counts, and the single-node shape of a disconnect result. The relay across nodes
// needs a distributed PubSub: test/integration/redis-cluster.test.ts and cluster-outage.test.ts
// cover it over a real redis-server.

import { once } from 'node:events';
import type { AddressInfo } from 'node:net';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { WebSocket, WebSocketServer } from 'ws';
import { Connection } from '../../actors/connection.ts';
import { Registry } from '../../actors/registry.ts';
import { SessionTally } from '../../actors/session-tally.ts';
import { LocalPubSub } from '../../runtime/pubsub.ts';
import { RoutedWebSocket } from '../../runtime/routed-web-socket.ts';
import type { RuntimeEvent } from '../../runtime/runtime-events.ts';
import type { ManualClock } from '../support/manual-clock.ts';
import { runtimeServices, type TestServices } from '../support/runtime-services.ts';

const ADA = 'users_socket:1';
const BOB = 'users_socket:2';
const NODE_ID = 'node-under-test';

interface Client {
  ws: WebSocket;
  /** The server side of the socket, owned by the connection. */
  server: RoutedWebSocket;
  connection: Connection;
  /** Resolves with the close code and reason the client received. */
  closed: Promise<{ code: number; reason: string }>;
}

describe('Registry', () => {
  let wss: WebSocketServer;
  let port: number;
  let pubsub: LocalPubSub;
  let services: TestServices;
  let registry: Registry;
  let events: RuntimeEvent[];
  let clients: Client[];
  let nextId = 0;

  beforeEach(async () => {
    wss = new WebSocketServer({ port: 0, host: '127.0.0.1', WebSocket: RoutedWebSocket });
    await once(wss, 'listening');
    port = (wss.address() as AddressInfo).port;
    pubsub = new LocalPubSub({ nodeId: NODE_ID });
    services = runtimeServices({ pubsub });
    registry = new Registry(services.events, pubsub, { nodeId: NODE_ID, limits: services.limits });
    events = [];
    services.events.subscribe((event) => events.push(event));
    clients = [];
  });

  afterEach(async () => {
    for (const client of clients) client.ws.terminate();
    await expect.poll(() => registry.counts().connections).toBe(0);
    registry.stop();
    await new Promise((resolve) => wss.close(resolve));
  });

  /** Opens a real socket and registers its connection, as the server's upgrade does. */
  async function connect(liveSocketId: string | null): Promise<Client> {
    const accepted = once(wss, 'connection') as Promise<[RoutedWebSocket]>;
    const ws = new WebSocket(`ws://127.0.0.1:${port}`);
    const closed = new Promise<{ code: number; reason: string }>((resolve) =>
      ws.once('close', (code, reason) => resolve({ code, reason: reason.toString() })),
    );
    const [server] = await accepted;
    await once(ws, 'open');
    const cookieSession = liveSocketId === null ? null : { live_socket_id: liveSocketId, _csrf_token: `csrf-${nextId}` };
    const connection = new Connection({
      id: `conn-${++nextId}`,
      socket: server,
      cookieSession,
      liveSocketId,
      sessionKey: SessionTally.keyOf(liveSocketId, cookieSession),
      services,
    });
    server.route(connection);
    registry.open(connection);
    const client = { ws, server, connection, closed };
    clients.push(client);
    return client;
  }

  it('counts the connections it registered and the live socket ids among them', async () => {
    expect(registry.counts()).toEqual({ connections: 0, liveSocketIds: 0, views: 0 });
    await connect(ADA);
    await connect(ADA);
    await connect(BOB);
    await connect(null);

    expect(registry.counts()).toEqual({ connections: 4, liveSocketIds: 2, views: 0 });
    expect(registry.describe().map((c) => [c.liveSocketId, c.state])).toEqual([
      [ADA, 'open'],
      [ADA, 'open'],
      [BOB, 'open'],
      [null, 'open'],
    ]);
  });

  it('forgets a connection when its socket closes, and a live socket id with its last connection', async () => {
    const first = await connect(ADA);
    const second = await connect(ADA);
    await connect(BOB);

    first.ws.close(1000);
    await expect.poll(() => registry.counts()).toEqual({ connections: 2, liveSocketIds: 2, views: 0 });
    second.ws.close(1000);
    await expect.poll(() => registry.counts()).toEqual({ connections: 1, liveSocketIds: 1, views: 0 });
  });

  it('closes every socket of a live socket id with 1001, before disconnect returns, and no other', async () => {
    const ada1 = await connect(ADA);
    const ada2 = await connect(ADA);
    const bob = await connect(BOB);
    const anonymous = await connect(null);

    const result = registry.disconnect(ADA);
    // The close frames are on their way already: the server side is closing, the others are not.
    expect([ada1, ada2, bob, anonymous].map((c) => c.server.readyState)).toEqual([
      WebSocket.CLOSING,
      WebSocket.CLOSING,
      WebSocket.OPEN,
      WebSocket.OPEN,
    ]);

    expect(await ada1.closed).toEqual({ code: 1001, reason: 'disconnected' });
    expect(await ada2.closed).toEqual({ code: 1001, reason: 'disconnected' });
    expect(await result).toEqual({ liveSocketId: ADA, closed: 2, nodes: [{ nodeId: NODE_ID, closed: 2 }], unanswered: [] });
    await expect.poll(() => registry.counts()).toEqual({ connections: 2, liveSocketIds: 1, views: 0 });
    expect([bob.ws.readyState, anonymous.ws.readyState]).toEqual([WebSocket.OPEN, WebSocket.OPEN]);
    expect(events).toContainEqual(expect.objectContaining({ type: 'socket.disconnected', liveSocketId: ADA, closed: 2 }));
  });

  it('counts only the sockets a disconnect closed, not those already closing', async () => {
    await connect(ADA);
    await connect(ADA);
    await connect(BOB);

    // Back to back, within the closing handshakes: the second call closes nothing more.
    const first = registry.disconnect(ADA);
    const second = registry.disconnect(ADA);
    const all = registry.disconnectAll();
    registry.drain();
    const afterDrain = registry.disconnect(BOB);

    expect((await first).closed).toBe(2);
    expect((await second).closed).toBe(0);
    expect(all).toBe(1); // bob's
    expect((await afterDrain).closed).toBe(0);
  });

  it('closes nothing for a live socket id it does not hold', async () => {
    const bob = await connect(BOB);
    expect(await registry.disconnect('users_socket:404')).toEqual({
      liveSocketId: 'users_socket:404',
      closed: 0,
      nodes: [{ nodeId: NODE_ID, closed: 0 }],
      unanswered: [],
    });
    expect(bob.server.readyState).toBe(WebSocket.OPEN);
  });

  it('releases what each connection holds when it stops, whether or not its socket closed yet', async () => {
    const ada = await connect(ADA);
    const key = SessionTally.keyOf(ADA, ada.connection.cookieSession)!;
    expect(services.sessions.sockets(key)).toBe(1);
    expect((services.clock as ManualClock).pending).toBe(1); // the silence watch's sweep

    registry.stop();

    expect(services.sessions.sockets(key)).toBe(0);
    expect((services.clock as ManualClock).pending).toBe(0);
  });

  it('with a single-node PubSub, relays nothing and holds no subscription of its own', async () => {
    await connect(ADA);
    await registry.disconnect(ADA);
    expect(registry.ownSubscriptions).toBe(0);
    expect(pubsub.subscriptionCount()).toBe(0);
    expect(registry.peers()).toEqual([]);
  });

  it('disconnectAll closes every socket, with or without a live socket id, and says how many', async () => {
    const all = [await connect(ADA), await connect(BOB), await connect(null)];
    expect(registry.disconnectAll()).toBe(3);
    for (const client of all) expect(await client.closed).toEqual({ code: 1001, reason: 'disconnected' });
    await expect.poll(() => registry.counts().connections).toBe(0);
  });

  it('drain closes every socket with "server shutting down"', async () => {
    const all = [await connect(ADA), await connect(null)];
    registry.drain();
    for (const client of all) expect(await client.closed).toEqual({ code: 1001, reason: 'server shutting down' });
  });
});
