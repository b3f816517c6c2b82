// A policy allows an event only by returning exactly `true`, synchronously. A policy that throws,
// returns a Promise or any other truthy value denies: the handler does not run, the client gets
// `unauthorized`, the decision is recorded, and the view and its socket carry on.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Router, allow, createLiveServer, defineView, html, policy, type LiveServer, type RuntimeEvent } from '../../../server/index.ts';
import { TEST_SECRET } from '../../support/demo-server.ts';
import { ClientTracker, joinLivePage, type JoinedPage, type Reply } from '../../support/live-client.ts';

interface Tally {
  n: number;
}

const bump = (_value: Record<string, unknown>, socket: { update(recipe: (draft: Tally) => void): void }) =>
  socket.update((a) => void a.n++);

const Guarded = defineView<Tally>({
  name: 'guarded',
  mount: (_params, _session, socket) => socket.assign({ n: 0 }),
  handleEvent: {
    allowed: allow(
      policy<Tally>('alwaysTrue', () => true),
      bump,
    ),
    throwing: allow(
      policy<Tally>('throws', () => {
        throw new Error('policy bug');
      }),
      bump,
    ),
    promising: allow(policy<Tally>('async', (() => Promise.resolve(true)) as never), bump),
    truthy: allow(policy<Tally>('truthy', (() => 'yes') as never), bump),
  },
  render: ({ n }) => html`<p id="n">${n}</p>`,
});

describe('policy verdicts', () => {
  let server: LiveServer;
  let baseUrl: string;
  const clients = new ClientTracker();
  let joined: JoinedPage;
  /** What `n` should be: allowed events only ever move it. */
  let expected = 0;

  async function allowedEvent() {
    const reply = await joined.channel.event('allowed');
    expected++;
    return reply;
  }

  beforeAll(async () => {
    const router = new Router();
    router.liveSession('guarded', {}, (s) => s.live('/guarded', Guarded));
    server = createLiveServer({ router, secretKeyBase: TEST_SECRET });
    const { port } = await server.listen(0, '127.0.0.1');
    baseUrl = `http://127.0.0.1:${port}`;
    joined = clients.track(await joinLivePage(baseUrl, '/guarded'));
  });
  afterAll(async () => {
    await clients.closeAll();
    await server.close();
  });

  it('run the handler when the policy returns true (the control)', async () => {
    const reply = await allowedEvent();

    expect(reply.status).toBe('ok');
    expect(reply.response).toEqual({ diff: { '0': String(expected) } });
  });

  // phoenix_live_view's hooks_test.exs "handle_event/3 raises when hook result is invalid" (here: the event is denied)
  it.each([
    ['throwing', 'throws'],
    ['promising', 'async'],
    ['truthy', 'truthy'],
  ])('deny %s: unauthorized, recorded, no state change, the view carries on', async (event, policyName) => {
    const events: RuntimeEvent[] = [];
    const unsubscribe = server.events.subscribe((e) => events.push(e));
    const crashes = server.supervisor.crashCount;
    let reply: Reply;
    try {
      reply = await joined.channel.event(event);
    } finally {
      unsubscribe();
    }
    const after = await allowedEvent();

    expect(reply.status).toBe('error');
    expect(reply.response).toEqual({ reason: 'unauthorized', event });
    expect(events).toContainEqual(expect.objectContaining({ type: 'event.denied', event, policy: policyName }));
    expect(server.supervisor.crashCount).toBe(crashes);
    // The count moved by the allowed events only: the denied handler never ran.
    expect(after.response).toEqual({ diff: { '0': String(expected) } });
  });
});
