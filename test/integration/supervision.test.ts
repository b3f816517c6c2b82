// A crash is contained to its view: the supervisor releases what it held, logs the error under an
// opaque id, tells the client `phx_error` for that topic only, and the client rejoins at mount.

import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { fetchLivePage, connectSocket, joinPayload, type LiveClient, type LiveChannel, type LivePage } from '../support/live-client.ts';
import { LAB_TOPIC, startLabServer, type LabServer } from '../support/lab-server.ts';

let lab: LabServer;

beforeAll(async () => {
  lab = await startLabServer({ limits: { crashBudget: 3, crashWindowMs: 60_000 } });
});
afterAll(async () => {
  await lab.stop();
});

/** Opens one socket with two views on it: the fragile one and a calm neighbour. */
async function openTwoViews(): Promise<{ client: LiveClient; fragile: LiveChannel; calm: LiveChannel; page: LivePage }> {
  const page = await fetchLivePage(lab.baseUrl, '/fragile');
  const calmPage = await fetchLivePage(lab.baseUrl, '/calm', { cookie: page.cookie });
  const client = await connectSocket(lab.baseUrl, { cookie: page.cookie, csrfToken: page.csrfToken });
  const fragile = client.channel(page.topic);
  const calm = client.channel(calmPage.topic);
  expect((await fragile.join(joinPayload(page))).status).toBe('ok');
  expect((await calm.join(joinPayload(calmPage))).status).toBe('ok');
  return { client, fragile, calm, page };
}

function waitForError(client: LiveClient, channel: LiveChannel) {
  return client.waitFor((f) => f.topic === channel.topic && f.event === 'phx_error', {
    what: `phx_error on ${channel.topic}`,
  });
}

describe('Supervisor', () => {
  for (const [event, phase] of [
    ['explode', 'a synchronous handler'],
    ['explode_later', 'an asynchronous handler'],
    ['render_bomb', 'render'],
  ] as const) {
    it(`contains a crash in ${phase} to its own view`, async () => {
      const { client, fragile, calm } = await openTwoViews();
      const before = lab.server.counts();
      const crashesBefore = lab.server.supervisor.crashCount;

      fragile.event(event).catch(() => {}); // a crashed view sends no reply, as in Phoenix
      const error = await waitForError(client, fragile);

      // The client learns only that the channel crashed, plus an opaque id: no message, no stack.
      expect(error.joinRef).toBe(fragile.joinRef);
      expect(error.ref).toBe(fragile.joinRef);
      expect(Object.keys(error.payload).sort()).toEqual(['error_id', 'reason']);
      expect(error.payload.reason).toBe('channel_crash');
      expect(error.payload.error_id).toMatch(/^[0-9a-f-]{36}$/);
      expect(error.raw).not.toContain('secret-internal-detail');
      expect(lab.server.supervisor.crashCount).toBe(crashesBefore + 1);

      // Its subscription and timer are released; the neighbour and the socket carry on.
      const after = lab.server.counts();
      expect(after.subscriptions).toBe(before.subscriptions - 1);
      expect(after.timers).toBe(before.timers - 1);
      expect(after.views).toBe(before.views - 1);
      const calmReply = await calm.event('ok');
      expect(calmReply.status).toBe('ok');
      expect(calmReply.response).toEqual({ diff: { 0: '1' } });
      expect((await client.heartbeat()).status).toBe('ok');
      await client.close();
    });
  }

  it('logs the crash with its stack under the same opaque id the client got', async () => {
    const { client, fragile } = await openTwoViews();
    const lines: string[] = [];
    const previous = process.env.LOG_LEVEL;
    process.env.LOG_LEVEL = 'error';
    const spy = vi.spyOn(process.stderr, 'write').mockImplementation((chunk: string | Uint8Array) => {
      lines.push(String(chunk));
      return true;
    });
    try {
      fragile.event('explode').catch(() => {});
      const error = await waitForError(client, fragile);
      const logged = lines.map((line) => JSON.parse(line) as Record<string, unknown>).find((l) => l.event === 'view.crashed');
      expect(logged).toBeDefined();
      expect(logged!.errorId).toBe(error.payload.error_id);
      expect(String(logged!.stack)).toContain('handler exploded');
      expect(logged!.view).toBe('fragile');
    } finally {
      spy.mockRestore();
      if (previous === undefined) delete process.env.LOG_LEVEL;
      else process.env.LOG_LEVEL = previous;
    }
    await client.close();
  });

  it('lets the client rejoin the crashed topic, which mounts the view afresh', async () => {
    const { client, fragile, page } = await openTwoViews();
    expect((await fragile.event('ok')).response).toEqual({ diff: { 0: '1' } });
    fragile.event('explode').catch(() => {});
    await waitForError(client, fragile);

    const rejoin = await fragile.join(joinPayload(page, { params: { _csrf_token: page.csrfToken, _mounts: 1 } }));
    expect(rejoin.status).toBe('ok');
    const rendered = rejoin.response.rendered as Record<string, unknown>;
    expect(rendered[0]).toBe('0'); // a new mount, not the old state
    expect((await fragile.event('ok')).response).toEqual({ diff: { 0: '1' } });
    await client.close();
  });

  it('answers a crash during the live mount with "join crashed" and keeps the socket', async () => {
    const page = await fetchLivePage(lab.baseUrl, '/mount-bomb');
    const client = await connectSocket(lab.baseUrl, { cookie: page.cookie, csrfToken: page.csrfToken });
    const channel = client.channel(page.topic);
    const reply = await channel.join(joinPayload(page));
    expect(reply.status).toBe('error');
    expect(reply.response).toEqual({ reason: 'join crashed' });
    expect(reply.frame.raw).not.toContain('secret-internal-detail');
    expect((await client.heartbeat()).status).toBe('ok');
    await client.close();
  });

  it('refuses further joins of a view that keeps crashing for the same user', async () => {
    const page = await fetchLivePage(lab.baseUrl, '/fragile');
    const client = await connectSocket(lab.baseUrl, { cookie: page.cookie, csrfToken: page.csrfToken });
    const channel = client.channel(page.topic);
    for (let i = 0; i < 3; i++) {
      expect((await channel.join(joinPayload(page))).status).toBe('ok');
      channel.event('explode').catch(() => {});
      await waitForError(client, channel);
    }
    const refused = await channel.join(joinPayload(page));
    expect(refused.status).toBe('error');
    expect(refused.response).toEqual({ reason: 'crash loop' });

    // Another browser session (another user) is not affected by this user's budget.
    const other = await fetchLivePage(lab.baseUrl, '/fragile');
    const otherClient = await connectSocket(lab.baseUrl, { cookie: other.cookie, csrfToken: other.csrfToken });
    expect((await otherClient.channel(other.topic).join(joinPayload(other))).status).toBe('ok');
    await Promise.all([client.close(), otherClient.close()]);
  });

  it('delivers PubSub broadcasts to live views and stops after they crash', async () => {
    const { client, fragile } = await openTwoViews();
    lab.server.pubsub.broadcast(LAB_TOPIC, 'hello');
    const diff = await fragile.waitForPush('diff');
    expect(diff.payload).toEqual({ 1: 'hello' });
    const subscriptions = lab.server.counts().subscriptions;
    fragile.event('explode').catch(() => {});
    await waitForError(client, fragile);
    expect(lab.server.counts().subscriptions).toBe(subscriptions - 1);
    await client.close();
  });

  it('ends a view that navigates away from an event, releasing what it held', async () => {
    const { client, fragile } = await openTwoViews();
    const before = lab.server.counts();
    const reply = await fragile.event('go_calm');
    expect(reply.response).toEqual({ live_redirect: { to: '/calm', kind: 'push' } });
    const close = await client.waitFor((f) => f.topic === fragile.topic && f.event === 'phx_close');
    expect([close.joinRef, close.ref]).toEqual([fragile.joinRef, fragile.joinRef]);
    expect(lab.server.counts()).toMatchObject({
      views: before.views - 1,
      subscriptions: before.subscriptions - 1,
      timers: before.timers - 1,
    });
    expect((await fragile.event('ok')).response).toEqual({ reason: 'unmatched topic' });
    await client.close();
  });

  it('keeps the order of pipelined frames across asynchronous handlers', async () => {
    const { client, fragile } = await openTwoViews();
    const replies = await Promise.all(Array.from({ length: 20 }, (_, i) => fragile.event(i % 2 === 0 ? 'slow_ok' : 'ok')));
    const counts = replies.map((r) => (r.response.diff as Record<string, string>)[0]);
    expect(counts).toEqual(Array.from({ length: 20 }, (_, i) => String(i + 1)));
    const seqs = replies.map((r) => r.frame.seq);
    expect([...seqs].sort((a, b) => a - b)).toEqual(seqs);
    await client.close();
  });
});
