// The inspector of a cluster: two nodes sharing one real redis-server. An admin's inspector on
// node A draws node B's tree too (its connections and views), pushed by node B while A holds a
// watch lease on it, never asked for: a bare Redis subscriber sees every message and counts the
// requests. No inspector open, no description is published. None of the page's tokens, cookie or
// password is shown, and a node believed up that does not describe itself, or stops, is marked.

import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LiveTest } from 'liveward/testing';
import { createLiveServer, type LiveServer } from '../../server/index.ts';
import { RedisPubSub } from '../../server/redis.ts';
import { buildApp, type App } from '../../apps/app.ts';
import { TEST_SECRET } from '../support/demo-server.ts';
import { connectSocket, fetchLivePage, joinPayload, type LiveClient } from '../support/live-client.ts';
import { logIn } from '../support/login.ts';
import { startRedis, type RunningRedis } from '../support/redis-server.ts';
import { eventually } from '../support/eventually.ts';

interface Node {
  server: LiveServer;
  app: App;
  baseUrl: string;
}

const dataDir = mkdtempSync(join(tmpdir(), 'liveward-cluster-inspector-'));
let redis: RunningRedis;
const nodes: Node[] = [];
const clients: LiveClient[] = [];
let t: LiveTest;
/** Every message on the registry's channels, in the order Redis delivered them. */
const seen: { channel: string; message: Record<string, unknown> }[] = [];
let spy: Redis;

const REQUESTS = 'liveward:registry:disconnect';
const LEASES = 'liveward:registry:watch';
const DESCRIBED = 'liveward:registry:described';
/** The lease, short so that a node gone silent is dropped within the test's patience. */
const LEASE_MS = 1_500;

/** How a node appears in an inspector: its tree, marked as not answering, or not at all. */
const drawn = (inspector: { has(selector: string): boolean }, nodeId: string): 'tree' | 'unanswered' | 'none' =>
  inspector.has(`[data-node-id="${nodeId}"][data-unanswered="true"]`)
    ? 'unanswered'
    : inspector.has(`[data-node-id="${nodeId}"]`)
      ? 'tree'
      : 'none';

const since = (mark: number, channel: string, type?: string) =>
  seen.slice(mark).filter((m) => m.channel === channel && (type === undefined || m.message.type === type));

async function startNode(): Promise<Node> {
  const pubsub = new RedisPubSub(redis.url);
  await pubsub.ready();
  const app = buildApp({ dataDir });
  const server = createLiveServer({
    router: app.router,
    pipeline: app.pipeline,
    secretKeyBase: TEST_SECRET,
    dataDir,
    pubsub,
    // Short, so the node that never answers is reported within the test's patience.
    limits: { clusterReplyTimeoutMs: 300, clusterWatchLeaseMs: LEASE_MS, clusterWatchPublishMs: 100 },
  });
  app.attach(server);
  const { port } = await server.listen(0, '127.0.0.1');
  return { server, app, baseUrl: `http://127.0.0.1:${port}` };
}

beforeAll(async () => {
  redis = await startRedis();
  spy = new Redis(redis.url);
  spy.on('pmessage', (_pattern: string, channel: string, payload: string) => {
    seen.push({ channel, message: (JSON.parse(payload) as { m: Record<string, unknown> }).m });
  });
  await spy.psubscribe('liveward:registry:*');
  nodes.push(await startNode(), await startNode());
  t = await LiveTest.start(nodes[0]!.server);
});
afterAll(async () => {
  await t?.close();
  for (const client of clients) await client.close();
  for (const node of nodes) {
    await node.server.close();
    node.app.close();
  }
  spy?.disconnect();
  await redis?.stop();
  rmSync(dataDir, { recursive: true, force: true });
});

describe('the inspector of a two-node cluster', () => {
  it("draws node B's connections and views on node A, and none of their page's secrets", async () => {
    const [a, b] = nodes as [Node, Node];
    await eventually(() => a.server.registry.peers().includes(b.server.nodeId), 'node A knows node B');
    const bobCookie = await logIn(b.baseUrl, 'bob@example.com', 'bob-password');
    const bobPage = await fetchLivePage(b.baseUrl, '/posts/1', { cookie: bobCookie });
    const bobClient = await connectSocket(b.baseUrl, { cookie: bobPage.cookie, csrfToken: bobPage.csrfToken });
    clients.push(bobClient);
    expect((await bobClient.channel(bobPage.topic).join(joinPayload(bobPage))).status).toBe('ok');
    const counter = await fetchLivePage(a.baseUrl, '/counter');
    const counterClient = await connectSocket(a.baseUrl, { cookie: counter.cookie, csrfToken: counter.csrfToken });
    clients.push(counterClient);
    expect((await counterClient.channel(counter.topic).join(joinPayload(counter))).status).toBe('ok');
    const bob = b.app.accounts.listUsers().find((u) => u.email === 'bob@example.com')!;
    const bobConnection = b.server.describe().connections.find((c) => c.liveSocketId === `users_socket:${bob.id}`)!;

    const adminCookie = await logIn(a.baseUrl, 'admin@example.com', 'admin-password');
    const mark = seen.length;
    const inspector = await t.live('/inspector', { cookie: adminCookie });
    const nodeB = `[data-node-id="${b.server.nodeId}"]`;
    await eventually(() => inspector.has(nodeB), "node A's inspector draws node B");
    await eventually(() => inspector.element(nodeB).outerHtml.includes(bobPage.topic), "node B's tree holds bob's view");

    // A view opened on node B later reaches node A's inspector, and goes when its socket closes.
    const late = await fetchLivePage(b.baseUrl, '/counter');
    const lateClient = await connectSocket(b.baseUrl, { cookie: late.cookie, csrfToken: late.csrfToken });
    expect((await lateClient.channel(late.topic).join(joinPayload(late))).status).toBe('ok');
    await eventually(() => inspector.element(nodeB).outerHtml.includes(late.topic), "node B's new view is drawn on node A");
    await lateClient.close();
    await eventually(() => !inspector.element(nodeB).outerHtml.includes(late.topic), "node B's closed connection is gone on node A");
    // Past one second of watching (three lease messages, a third of the lease apart), which a
    // poll on the inspector's one-second tick would have spent asking.
    await eventually(() => since(mark, LEASES, 'watching').length >= 3, 'node A renewed its lease');
    expect(since(mark, REQUESTS)).toEqual([]);
    expect(since(mark, DESCRIBED, 'description').every((m) => m.message.nodeId === b.server.nodeId)).toBe(true);
    expect(since(mark, DESCRIBED, 'description').length).toBeGreaterThanOrEqual(3);

    const treeOfB = inspector.element(nodeB).outerHtml;
    expect(treeOfB).toContain(`data-connection-id="${bobConnection.connectionId}"`);
    expect(treeOfB).toContain(`users_socket:${bob.id}`);
    expect(treeOfB).toContain('bob@example.com');
    expect(treeOfB).not.toContain(counter.topic);
    const treeOfA = inspector.element(`[data-node-id="${a.server.nodeId}"]`).outerHtml;
    expect(treeOfA).toContain(counter.topic);
    expect(treeOfA).not.toContain(bobPage.topic);
    // The view of another node can be selected like a local one.
    await inspector.click(`[data-view-topic="${bobPage.topic}"]`);
    expect(inspector.text('#selected-state')).toBe('live');

    const cluster = await a.server.describeCluster();
    expect(cluster.nodes.map((n) => n.nodeId)).toEqual([a.server.nodeId, b.server.nodeId]);
    expect(cluster.unanswered).toEqual([]);
    const secrets = [
      bobPage.csrfToken,
      bobPage.session,
      bobPage.static,
      'bob-password',
      'admin-password',
      ...[bobCookie, adminCookie].flatMap((cookie) => cookie.split(/[=;]\s*/).filter((v) => v.length > 20)),
    ];
    for (const shown of [inspector.html(), JSON.stringify(cluster), JSON.stringify(seen)]) {
      for (const secret of secrets) expect(shown).not.toContain(secret);
    }

    // The last inspector closes: node B's lease ends at once, and with it its runtime events.
    await inspector.close();
    await eventually(() => since(mark, LEASES, 'stopped').length === 1, 'node A gave up its lease');
    await eventually(() => !b.server.events.watched, 'node B stopped building events for the watch');
  });

  it('publishes no description while no inspector is open anywhere, and one as soon as a lease starts', async () => {
    const [a, b] = nodes as [Node, Node];
    await eventually(() => !a.server.events.watched && !b.server.events.watched, 'nobody watches');
    const mark = seen.length;
    const counter = await fetchLivePage(b.baseUrl, '/counter');
    const client = await connectSocket(b.baseUrl, { cookie: counter.cookie, csrfToken: counter.csrfToken });
    clients.push(client);
    const channel = client.channel(counter.topic);
    expect((await channel.join(joinPayload(counter))).status).toBe('ok');
    expect((await channel.event('increment')).status).toBe('ok');
    await eventually(
      () => b.server.describe().connections.some((c) => c.views.some((v) => v.topic === counter.topic)),
      'the counter is open on node B',
    );
    // Unwatched, node B builds no runtime events for anyone.
    expect(b.server.events.watched).toBe(false);

    const adminCookie = await logIn(a.baseUrl, 'admin@example.com', 'admin-password');
    const inspector = await t.live('/inspector', { cookie: adminCookie });
    await eventually(() => inspector.has(`[data-view-topic="${counter.topic}"]`), "node B's counter is drawn on node A");

    // Redis delivers in order: nothing was described before the lease was taken.
    const firstLease = seen.findIndex((m, i) => i >= mark && m.channel === LEASES && m.message.type === 'watching');
    const firstDescription = seen.findIndex((m, i) => i >= mark && m.channel === DESCRIBED);
    expect(firstLease).toBeGreaterThanOrEqual(0);
    expect(firstDescription).toBeGreaterThan(firstLease);
    expect(since(mark, REQUESTS)).toEqual([]);
    await inspector.close();
    await eventually(() => !b.server.events.watched, 'node B stopped building events for the watch');
  });

  it('marks a node that never describes itself, and one that stopped, and still draws the others', async () => {
    const [a, b] = nodes as [Node, Node];
    // A node that announces itself on the presence channel and never answers nor describes itself.
    const silent = new RedisPubSub(redis.url, { nodeId: 'silent-node' });
    // A node that describes itself once, when its lease starts, then falls silent (paused, say).
    const fading = new RedisPubSub(redis.url, { nodeId: 'fading-node' });
    await Promise.all([silent.ready(), fading.ready()]);
    let described = 0;
    fading.subscribe('registry:watch', (message) => {
      if ((message as { type?: unknown }).type !== 'watching' || described > 0) return;
      described++;
      fading.broadcast('registry:described', {
        type: 'description',
        nodeId: 'fading-node',
        description: {
          nodeId: 'fading-node',
          pubsub: { state: 'up', since: new Date().toISOString(), outages: 0, reconnectAttempts: 0, notRelayed: 0 },
          peers: [],
          counts: { connections: 0, liveSocketIds: 0, views: 0, subscriptions: 0, timers: 0 },
          connections: [],
        },
      });
    });
    await fading.settled();
    try {
      silent.broadcast('registry:presence', { nodeId: 'silent-node', hello: false });
      fading.broadcast('registry:presence', { nodeId: 'fading-node', hello: false });
      await eventually(() => ['silent-node', 'fading-node'].every((id) => a.server.registry.peers().includes(id)), 'node A expects both');

      const cluster = await a.server.describeCluster();

      expect(cluster.unanswered).toEqual(['fading-node', 'silent-node']);
      expect(cluster.nodes.map((n) => n.nodeId)).toEqual([a.server.nodeId, b.server.nodeId]);
      const adminCookie = await logIn(a.baseUrl, 'admin@example.com', 'admin-password');
      const inspector = await t.live('/inspector', { cookie: adminCookie });
      await eventually(() => drawn(inspector, 'fading-node') === 'tree', 'the fading node is drawn');
      await eventually(() => drawn(inspector, 'silent-node') === 'unanswered', 'the silent node is marked');
      expect(inspector.text('[data-node-id="silent-node"]')).toContain('did not answer');
      expect(drawn(inspector, b.server.nodeId)).toBe('tree');
      // Silent for the lease and the reply timeout: its tree is dropped, the node marked instead.
      await eventually(() => drawn(inspector, 'fading-node') === 'unanswered', 'the fading node is dropped', 3 * LEASE_MS);
      expect(described).toBe(1);
      expect(drawn(inspector, b.server.nodeId)).toBe('tree');
      await inspector.close();
    } finally {
      await Promise.all([silent.close(), fading.close()]);
    }
  });
});
