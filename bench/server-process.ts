// The server under test: the real demo app (`buildApp`) on `createLiveServer`, in its own process
// (compiled: plain `node --expose-gc` on dist/ and apps/dist/, no loader, as `npm start` runs it;
// pinned to its own core, LOG_LEVEL=warn, production xstate), with
// a private data dir. The orchestrator reads its CPU time, memory after GC and counts, and asks it to
// call `registry.disconnect` or to update a post (which broadcasts on PubSub), stamping the time.
// For the cluster phase, `BENCH_DATA_DIR` names a data dir shared with the other node (its
// database, where both find bob's login) and `start` gets a Redis URL for a `RedisPubSub`.

import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { writeHeapSnapshot } from 'node:v8';
import { createLiveServer, type Limits, type LiveServer } from 'liveward';
import { RedisPubSub } from 'liveward/redis';
import { serveControl } from './control-channel.ts';
import { collectGarbage, sampleProcess, startProfile, stopProfile } from './process-sample.ts';
import { wallNow } from './wall-clock.ts';

// The demo's build (`npm run build -w apps`), which imports `liveward` from dist/ like this script;
// the specifiers are strings so the type check (which has no apps/dist) reads the sources' types.
const demoApp: string = 'liveward-demo/dist/app.js';
const demoAccounts: string = 'liveward-demo/dist/auth/accounts.js';
const { buildApp } = (await import(demoApp)) as typeof import('../apps/app.ts');
const { liveSocketIdFor } = (await import(demoAccounts)) as typeof import('../apps/auth/accounts.ts');

/** A fixed secret, as the tests use: the bench never touches the development secret in `.data/`. */
const BENCH_SECRET = 'bench-secret-key-base-that-is-long-enough-0123456789';

const sharedDataDir = process.env.BENCH_DATA_DIR;
const dataDir = sharedDataDir ?? mkdtempSync(join(tmpdir(), 'liveward-bench-'));
if (!sharedDataDir) process.on('exit', () => rmSync(dataDir, { recursive: true, force: true }));
const app = buildApp({ dataDir });
let server: LiveServer | null = null;
let postVersion = 0;

const running = (): LiveServer => {
  if (!server) throw new Error('server not started');
  return server;
};

const userByEmail = (email: string) => {
  const user = app.accounts.listUsers().find((u) => u.email === email);
  if (!user) throw new Error(`no user ${email}`);
  return user;
};

const commands = {
  now: (_: void) => wallNow(),

  async start({ limits, redisUrl = null }: { limits: Partial<Limits>; redisUrl?: string | null }) {
    const pubsub = redisUrl === null ? undefined : new RedisPubSub(redisUrl);
    await pubsub?.ready();
    server = createLiveServer({
      router: app.router,
      pipeline: app.pipeline,
      assets: app.assets,
      secretKeyBase: BENCH_SECRET,
      dataDir,
      limits,
      pubsub,
      revalidateSession: app.revalidateSession,
    });
    app.attach(server);
    const { port } = await server.listen(0, '127.0.0.1');
    return {
      baseUrl: `http://127.0.0.1:${port}`,
      pid: process.pid,
      xstate: import.meta.resolve('xstate'),
      execArgv: process.execArgv,
      conditions: process.execArgv.filter((a) => a.startsWith('--conditions') || a === '-C'),
      logLevel: process.env.LOG_LEVEL ?? null,
      nodeEnv: process.env.NODE_ENV ?? null,
    };
  },

  sample: ({ gc }: { gc: boolean }) => sampleProcess(gc, () => running().counts()),

  /**
   * `server.disconnect` of a user's live socket id; stamps the call. Its sockets are kicked
   * before the call returns; the promise only waits for other nodes (none here).
   */
  async disconnect({ email }: { email: string }) {
    const id = liveSocketIdFor(userByEmail(email));
    const calledAt = wallNow();
    const pending = running().disconnect(id);
    const returnedAt = wallNow();
    const { closed, nodes, unanswered } = await pending;
    // In a cluster the result waits for the other nodes' answers.
    const resolvedAt = wallNow();
    return { id, calledAt, returnedAt, resolvedAt, closed, nodes: nodes.length, unanswered: unanswered.length };
  },

  /** The other nodes this one has heard from (a cluster's disconnect waits for them). */
  peers: (_: void) => running().registry.peers(),

  /** An editor's update of a post (DB write, then a PubSub broadcast to every viewer). */
  updatePost({ postId, editor }: { postId: number; editor: string }) {
    const user = userByEmail(editor);
    const post = app.blog.getPostForUser(user, postId);
    if (!post) throw new Error(`no post ${postId}`);
    const version = ++postVersion;
    const calledAt = wallNow();
    const result = app.blog.updatePost(user, post, { title: `Bench update ${version}`, body: post.body });
    const returnedAt = wallNow();
    if (!result.ok) throw new Error(result.message);
    return { calledAt, returnedAt };
  },

  /** Writes a V8 heap snapshot (after a full collection). */
  heapSnapshot: async ({ path }: { path: string }) => {
    await collectGarbage();
    writeHeapSnapshot(path);
  },

  startProfile: (_: void) => startProfile(),
  stopProfile: ({ path }: { path: string }) => stopProfile(path),
};

export type ServerCommands = typeof commands;

serveControl(commands);
