// Three demo nodes, each in its own process, sharing one real redis-server, one SQLite file and
// the development secret of one fresh data dir: what a cluster meets in its first month. The test
// kills and restarts redis-server itself (same port) to hold Redis down, and polls each node's
// `describe()` for the state it waits on; no sleep decides anything.

import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ControlChannel, PROJECT_ROOT } from '../../bench/control-channel.ts';
import { connectSocket, fetchLivePage, joinPayload, type LiveChannel, type LiveClient } from '../support/live-client.ts';
import { fetchCsrfToken, logIn } from '../support/login.ts';
import { startRedis, type RunningRedis } from '../support/redis-server.ts';
import { eventually } from '../support/eventually.ts';
import type { ClusterNodeCommands } from '../support/cluster-node.ts';

type NodeCommands = ClusterNodeCommands;

interface TestNode {
  id: string;
  control: ControlChannel<NodeCommands>;
  baseUrl: string;
}

const dataDir = mkdtempSync(join(tmpdir(), 'liveward-cluster-outage-'));
let redis: RunningRedis;
let nodes: TestNode[] = [];
const clients: LiveClient[] = [];

async function startNode(id: string): Promise<TestNode> {
  const control = await ControlChannel.start<NodeCommands>('test/support/cluster-node.ts', {
    name: id,
    core: null,
    env: { DATA_DIR: dataDir, REDIS_URL: redis.url, NODE_ID: id },
  });
  return { id, control, baseUrl: await control.call('baseUrl', undefined) };
}

const stateOf = async (node: TestNode): Promise<string> => (await node.control.call('describe', undefined)).pubsub.state;
const allIn = async (state: string, of: TestNode[] = nodes): Promise<boolean> =>
  (await Promise.all(of.map(stateOf))).every((s) => s === state);

async function killRedis(): Promise<void> {
  await redis.stop();
  await eventually(() => allIn('down'), 'every node sees Redis down');
}

async function restartRedis(): Promise<void> {
  redis = await startRedis(redis.port);
  await eventually(() => allIn('up'), 'every node is up again, its topics subscribed', 10_000);
}

/** A logged-in browser's socket joined to `path` on `node`. */
async function openView(node: TestNode, cookie: string, path: string): Promise<{ client: LiveClient; channel: LiveChannel }> {
  const page = await fetchLivePage(node.baseUrl, path, { cookie });
  const client = await connectSocket(node.baseUrl, { cookie: page.cookie, csrfToken: page.csrfToken });
  clients.push(client);
  const channel = client.channel(page.topic);
  expect((await channel.join(joinPayload(page))).status).toBe('ok');
  return { client, channel };
}

async function diffContaining(channel: LiveChannel, text: string): Promise<void> {
  const diff = await channel.waitForPush('diff', 5_000);
  expect(JSON.stringify(diff.payload)).toContain(text);
}

beforeAll(async () => {
  redis = await startRedis();
  // Simultaneous start-up on a fresh data dir: all three create the schema, seed, and make the
  // development secret at the same moment.
  nodes = await Promise.all(['node-a', 'node-b', 'node-c'].map(startNode));
}, 60_000);

afterAll(async () => {
  for (const client of clients) client.socket.terminate();
  for (const node of nodes) {
    node.control.child.kill('SIGCONT');
    await node.control.stop(2_000);
  }
  await redis?.stop();
  rmSync(dataDir, { recursive: true, force: true });
});

describe('a cluster of three nodes on one Redis', () => {
  it('starts all at once on a fresh data dir: seeded once, one secret, every node knows the others', async () => {
    const [a, , c] = nodes as [TestNode, TestNode, TestNode];
    await eventually(() => allIn('up'), 'every node is up', 10_000);
    for (const node of nodes) expect(await node.control.call('userCount', undefined)).toBe(4);
    // A cookie made by node A opens a live view on node C: both read the same secret.
    const cookie = await logIn(a.baseUrl, 'bob@example.com', 'bob-password');
    const { client } = await openView(c, cookie, '/posts');
    await client.close();
    for (const node of nodes) {
      await eventually(async () => (await node.control.call('describe', undefined)).peers.length === 2, `${node.id} knows the two others`);
    }
  });

  it('counts a disconnect across the cluster and prints it through `npm run disconnect`', async () => {
    const [a, b] = nodes as [TestNode, TestNode, TestNode];
    const cookie = await logIn(a.baseUrl, 'bob@example.com', 'bob-password');
    const views = [await openView(a, cookie, '/posts'), await openView(b, cookie, '/posts'), await openView(b, cookie, '/posts/3')];
    const id = await a.control.call('liveSocketIdOf', { email: 'bob@example.com' });

    const output = await runCli(id, a);

    expect(output).toContain(`${id}: closed 3 connection(s) on 3 node(s)\n`);
    expect(output).toContain('  node-a: 1\n');
    expect(output).toContain('  node-b: 2\n');
    expect(output).toContain('  node-c: 0\n');
    for (const { client } of views) expect((await client.closed).code).toBe(1001);
  });

  it('names a node that does not answer within the timeout, and still closes the others', async () => {
    const [a, b, c] = nodes as [TestNode, TestNode, TestNode];
    const cookie = await logIn(a.baseUrl, 'bob@example.com', 'bob-password');
    const onB = await openView(b, cookie, '/posts');
    const id = await a.control.call('liveSocketIdOf', { email: 'bob@example.com' });
    c.control.child.kill('SIGSTOP'); // up for the others, but silent
    try {
      const result = await a.control.call('disconnect', { id });
      expect(result).toMatchObject({ closed: 1, unanswered: ['node-c'] });
      expect(result.nodes).toEqual([
        { nodeId: 'node-a', closed: 0 },
        { nodeId: 'node-b', closed: 1 },
      ]);
      expect((await onB.client.closed).code).toBe(1001);
    } finally {
      c.control.child.kill('SIGCONT');
    }
    // Two nodes are enough for the outages below, and lighter on the machine.
    await c.control.stop(5_000);
    nodes = [a, b];
  });

  it('delivers on the publishing node during a short outage, once only, and everywhere after it', async () => {
    const [a, b] = nodes as [TestNode, TestNode];
    const cookie = await logIn(a.baseUrl, 'bob@example.com', 'bob-password');
    const onA = await openView(a, cookie, '/posts/1');
    const onB = await openView(b, cookie, '/posts/1');
    await a.control.call('watch', { topic: 'test:echo' });
    await b.control.call('watch', { topic: 'test:echo' });

    await killRedis();
    await a.control.call('updatePost', { postId: 1, title: 'Edited while Redis is down' });
    await diffContaining(onA.channel, 'Edited while Redis is down');
    await a.control.call('broadcast', { topic: 'test:echo', message: 'during' });
    await eventually(async () => (await a.control.call('received', { topic: 'test:echo' })).length === 1, 'node A got its own broadcast');

    await restartRedis();
    await a.control.call('updatePost', { postId: 1, title: 'Edited after the outage' });
    await diffContaining(onA.channel, 'Edited after the outage');
    await diffContaining(onB.channel, 'Edited after the outage');

    // No double delivery: A's message comes back to A from Redis and must be dropped. B's reply is
    // published after Redis handed A's message to both nodes, so it arrives after the echo would.
    await a.control.call('broadcast', { topic: 'test:echo', message: 'from A' });
    await eventually(async () => (await b.control.call('received', { topic: 'test:echo' })).includes('from A'), "B got A's message");
    await b.control.call('broadcast', { topic: 'test:echo', message: 'from B' });
    await eventually(async () => (await a.control.call('received', { topic: 'test:echo' })).includes('from B'), "A got B's message");
    expect(await a.control.call('received', { topic: 'test:echo' })).toEqual(['during', 'from A', 'from B']);
    expect(await b.control.call('received', { topic: 'test:echo' })).toEqual(['from A', 'from B']);
  });

  it('after a long outage, a view joined during it gets broadcasts and a logout made during it reaches the other node', async () => {
    const [a, b] = nodes as [TestNode, TestNode];
    const bobCookie = await logIn(a.baseUrl, 'bob@example.com', 'bob-password');
    const aliceCookie = await logIn(b.baseUrl, 'alice@example.com', 'alice-password');
    const bobOnA = await openView(a, bobCookie, '/posts');
    const bobOnB = await openView(b, bobCookie, '/posts');

    await killRedis();
    // Post 2 has no view on B yet: its subscription is first asked for while Redis is down.
    const aliceOnB = await openView(b, aliceCookie, '/posts/2');
    const { csrfToken, cookie } = await fetchCsrfToken(a.baseUrl, bobCookie);
    const logout = await fetch(new URL('/logout', a.baseUrl), {
      method: 'POST',
      redirect: 'manual',
      headers: { cookie, 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ _csrf_token: csrfToken }).toString(),
    });
    expect(logout.status).toBe(302);
    expect((await bobOnA.client.closed).code).toBe(1001);
    expect((await bobOnB.client.heartbeat()).status).toBe('ok'); // B has not heard of it
    // Long enough that a client giving up after 20 retries (ioredis's default per command) would
    // have given up: counted, not timed.
    await eventually(
      async () => (await b.control.call('describe', undefined)).pubsub.reconnectAttempts > 25,
      'node B kept trying past 25 attempts',
      15_000,
    );

    await restartRedis();
    // B re-checks every live socket's login session: bob's was deleted by the logout on A.
    expect((await bobOnB.client.closed).code).toBe(1001);
    await a.control.call('updatePost', { postId: 2, title: 'Written on A after the long outage' });
    await diffContaining(aliceOnB.channel, 'Written on A after the long outage');
  });
});

/** `npm run disconnect -- id` against `node` (the tsx script `npm run` would start). */
function runCli(id: string, node: TestNode): Promise<string> {
  const { port } = new URL(node.baseUrl);
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--conditions=liveward-source', '--import', 'tsx', 'apps/cli/disconnect.ts', id], {
      cwd: PROJECT_ROOT,
      env: { ...process.env, PORT: port, HOST: '127.0.0.1', DATA_DIR: dataDir },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    let err = '';
    child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (err += chunk.toString()));
    child.once('error', reject);
    child.once('exit', (code) => (code === 0 ? resolve(out) : reject(new Error(`disconnect CLI exited ${code}: ${err}`))));
  });
}
