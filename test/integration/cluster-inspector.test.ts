// The inspector of a cluster: two nodes sharing one real redis-server. An admin's inspector on
// node A draws node B's tree too (its connections and views, asked over PubSub with
// `describeCluster`), with none of the page's tokens, cookie or password, and marks a node that
// is believed up but does not answer.

import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
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
    limits: { clusterReplyTimeoutMs: 300 },
  });
  app.attach(server);
  const { port } = await server.listen(0, '127.0.0.1');
  return { server, app, baseUrl: `http://127.0.0.1:${port}` };
}

beforeAll(async () => {
  redis = await startRedis();
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
  await redis?.stop();
  rmSync(dataDir, { recursive: true, force: true });
});

describe('the inspector of a two-node cluster', () => {
  it('draws node B\'s connections and views on node A, and none of their page\'s secrets', async () => {
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
    const inspector = await t.live('/inspector', { cookie: adminCookie });
    const nodeB = `[data-node-id="${b.server.nodeId}"]`;
    await eventually(() => inspector.has(nodeB), 'node A\'s inspector draws node B');
    await eventually(() => inspector.element(nodeB).outerHtml.includes(bobPage.topic), 'node B\'s tree holds bob\'s view');

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
      bobPage.csrfToken, bobPage.session, bobPage.static, 'bob-password', 'admin-password',
      ...[bobCookie, adminCookie].flatMap((cookie) => cookie.split(/[=;]\s*/).filter((v) => v.length > 20)),
    ];
    for (const shown of [inspector.html(), JSON.stringify(cluster)]) {
      for (const secret of secrets) expect(shown).not.toContain(secret);
    }
  });

  it('marks a node that is believed up but does not answer, and still draws the others', async () => {
    const [a, b] = nodes as [Node, Node];
    // A node that announces itself on the presence channel and never answers a request.
    const silent = new RedisPubSub(redis.url, { nodeId: 'silent-node' });
    await silent.ready();
    try {
      silent.broadcast('registry:presence', { nodeId: 'silent-node', hello: false });
      await eventually(() => a.server.registry.peers().includes('silent-node'), 'node A expects the silent node');

      const cluster = await a.server.describeCluster();

      expect(cluster.unanswered).toEqual(['silent-node']);
      expect(cluster.nodes.map((n) => n.nodeId)).toEqual([a.server.nodeId, b.server.nodeId]);
      const adminCookie = await logIn(a.baseUrl, 'admin@example.com', 'admin-password');
      const inspector = await t.live('/inspector', { cookie: adminCookie });
      await eventually(() => inspector.has('[data-node-id="silent-node"][data-unanswered="true"]'), 'the silent node is marked');
      expect(inspector.text('[data-node-id="silent-node"]')).toContain('did not answer');
      expect(inspector.has(`[data-node-id="${b.server.nodeId}"]`)).toBe(true);
    } finally {
      await silent.close();
    }
  });
});
