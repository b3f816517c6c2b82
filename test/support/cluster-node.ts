// One node of a test cluster, in its own process (cluster-outage.test.ts starts it with
// bench/control-channel.ts's ControlChannel and drives it over that IPC channel): the demo app on a
// RedisPubSub, its data dir and secret shared with the other nodes (`DATA_DIR`, no SECRET_KEY_BASE:
// the development secret file, as nodes on one machine would share it).

import { buildApp } from '../../apps/app.ts';
import { liveSocketIdFor } from '../../apps/auth/accounts.ts';
import { createLiveServer } from '../../server/index.ts';
import { RedisPubSub } from '../../server/redis.ts';
import { serveControl } from '../../bench/control-channel.ts';

const dataDir = process.env.DATA_DIR!;
const pubsub = new RedisPubSub(process.env.REDIS_URL!, {
  nodeId: process.env.NODE_ID,
  // Short, so an outage outlasts many attempts (more than ioredis's 20 per command) in a second or two.
  maxReconnectDelayMs: 50,
});
const app = buildApp({ dataDir });
const server = createLiveServer({
  router: app.router,
  pipeline: app.pipeline,
  dataDir,
  pubsub,
  revalidateSession: app.revalidateSession,
  limits: { clusterReplyTimeoutMs: 1_000 },
});
app.attach(server);
const { port } = await server.listen(0, '127.0.0.1');
/** Messages this node's test subscriptions received, by topic. */
const received = new Map<string, unknown[]>();

const userByEmail = (email: string) => {
  const user = app.accounts.listUsers().find((u) => u.email === email);
  if (!user) throw new Error(`no user ${email}`);
  return user;
};

const commands = {
  baseUrl: () => `http://127.0.0.1:${port}`,
  describe: () => server.describe(),
  userCount: () => app.accounts.listUsers().length,
  liveSocketIdOf: ({ email }: { email: string }) => liveSocketIdFor(userByEmail(email)),
  disconnect: ({ id }: { id: string }) => server.registry.disconnect(id),
  updatePost({ postId, title }: { postId: number; title: string }) {
    const alice = userByEmail('alice@example.com');
    const post = app.blog.getPostForUser(alice, postId);
    if (!post) throw new Error(`no post ${postId}`);
    const result = app.blog.updatePost(alice, post, { title, body: post.body });
    if (!result.ok) throw new Error(result.message);
    return true;
  },
  watch({ topic }: { topic: string }) {
    received.set(topic, []);
    server.pubsub.subscribe(topic, (message) => received.get(topic)!.push(message));
    return true;
  },
  broadcast: ({ topic, message }: { topic: string; message: unknown }) => server.pubsub.broadcast(topic, message),
  received: ({ topic }: { topic: string }) => received.get(topic) ?? [],
};

/** What the test may ask of a node. */
export type ClusterNodeCommands = typeof commands;

serveControl(commands);
