// Two nodes sharing one real redis-server: a broadcast on one reaches views on the other, and
// `registry.disconnect(id)` on one closes that id's sockets on the other.

import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLiveServer, type LiveServer } from '../../server/index.ts';
import { RedisPubSub } from '../../server/redis.ts';
import { buildApp, type App } from '../../apps/app.ts';
import { TEST_SECRET } from '../support/demo-server.ts';
import { connectSocket, fetchLivePage, joinPayload } from '../support/live-client.ts';
import { logIn } from '../support/login.ts';
import { startRedis, type RunningRedis } from '../support/redis-server.ts';
import { eventually } from '../support/eventually.ts';

interface Node {
  server: LiveServer;
  app: App;
  baseUrl: string;
}

const dataDir = mkdtempSync(join(tmpdir(), 'liveward-cluster-'));
let redis: RunningRedis;
const nodes: Node[] = [];

async function startNode(): Promise<Node> {
  const pubsub = new RedisPubSub(redis.url);
  await pubsub.ready();
  // Both nodes share the SQLite file (WAL) and the secret, as two workers of one app would.
  const app = buildApp({ dataDir });
  const server = createLiveServer({ router: app.router, pipeline: app.pipeline, secretKeyBase: TEST_SECRET, dataDir, pubsub });
  app.attach(server);
  const { port } = await server.listen(0, '127.0.0.1');
  return { server, app, baseUrl: `http://127.0.0.1:${port}` };
}

beforeAll(async () => {
  redis = await startRedis();
  nodes.push(await startNode(), await startNode());
});
afterAll(async () => {
  for (const node of nodes) {
    await node.server.close();
    node.app.close();
  }
  await redis?.stop();
  rmSync(dataDir, { recursive: true, force: true });
});

describe('RedisPubSub across two nodes', () => {
  it('delivers a post update made on one node to a view open on the other', async () => {
    const [a, b] = nodes as [Node, Node];
    const cookie = await logIn(b.baseUrl, 'bob@example.com', 'bob-password');
    const page = await fetchLivePage(b.baseUrl, '/posts/1', { cookie });
    const client = await connectSocket(b.baseUrl, { cookie: page.cookie, csrfToken: page.csrfToken });
    const channel = client.channel(page.topic);
    expect((await channel.join(joinPayload(page))).status).toBe('ok');
    await eventuallySubscribed(b);

    const alice = a.app.accounts.listUsers().find((u) => u.email === 'alice@example.com')!;
    const post = a.app.blog.getPostForUser(alice, 1)!;
    const result = a.app.blog.updatePost(alice, post, { title: 'Written on node A', body: post.body });
    expect(result.ok).toBe(true);

    const diff = await channel.waitForPush('diff', 5_000);
    expect(JSON.stringify(diff.payload)).toContain('Written on node A');
    await client.close();
  });

  it('closes the sockets of a live socket id on every node when one node disconnects it', async () => {
    const [a, b] = nodes as [Node, Node];
    const cookie = await logIn(a.baseUrl, 'bob@example.com', 'bob-password');
    const onA = await fetchLivePage(a.baseUrl, '/posts/1', { cookie });
    const onB = await fetchLivePage(b.baseUrl, '/posts/2', { cookie });
    const clientA = await connectSocket(a.baseUrl, { cookie: onA.cookie, csrfToken: onA.csrfToken });
    const clientB = await connectSocket(b.baseUrl, { cookie: onB.cookie, csrfToken: onB.csrfToken });
    expect((await clientA.channel(onA.topic).join(joinPayload(onA))).status).toBe('ok');
    expect((await clientB.channel(onB.topic).join(joinPayload(onB))).status).toBe('ok');
    const bob = a.app.accounts.listUsers().find((u) => u.email === 'bob@example.com')!;

    await eventually(() => a.server.registry.peers().includes(b.server.nodeId), 'node A knows node B');
    const result = await a.server.registry.disconnect(`users_socket:${bob.id}`);
    expect(result.nodes).toEqual([
      { nodeId: a.server.nodeId, closed: 1 },
      { nodeId: b.server.nodeId, closed: 1 },
    ]);
    expect(result).toMatchObject({ closed: 2, unanswered: [] });
    const [closedA, closedB] = await Promise.all([clientA.closed, clientB.closed]);
    expect(closedA.code).toBe(1001);
    expect(closedB.code).toBe(1001);
  });
});

/** The view subscribed through Redis asynchronously; a broadcast before that would be missed. */
async function eventuallySubscribed(node: Node): Promise<void> {
  await eventually(() => node.server.counts().subscriptions >= 1, 'the view subscribed');
  await (node.server.pubsub as RedisPubSub).settled();
}
