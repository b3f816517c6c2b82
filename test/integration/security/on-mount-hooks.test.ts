// onMount hooks on a server built for the purpose: they run in declaration order before `mount`,
// on the dead render and again at the join (and at every navigation join); a halt stops
// everything after it on both paths; a hook that returns anything but cont()/halt(redirect)
// is a programming error: a 500 on HTTP, `join crashed` at the join, and the process carries on.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Router, cont, createLiveServer, defineView, halt, html, type LiveServer, type OnMountHook } from '../../../server/index.ts';
import { TEST_SECRET } from '../../support/demo-server.ts';
import { ClientTracker, connectSocket, fetchLivePage, joinPayload, type LiveChannel, type LivePage } from '../../support/live-client.ts';

/** What ran, in order: `<hook or mount>:<dead|live>`. */
const ran: string[] = [];

const where = (connected: boolean) => (connected ? 'live' : 'dead');

function recorder(name: string): OnMountHook {
  return (_params, _session, socket) => {
    ran.push(`${name}:${where(socket.connected)}`);
    return cont();
  };
}

function recordingView(name: string) {
  return defineView<Record<string, never>>({
    name,
    mount(_params, _session, socket) {
      ran.push(`mount ${name}:${where(socket.connected)}`);
    },
    render: () => html`<p id="view">${name}</p>`,
  });
}

/** Halts to /denied when the URL says `?deny=1`. */
const gate: OnMountHook = (params, _session, socket) => {
  ran.push(`gate:${where(socket.connected)}`);
  return params.deny === '1' ? halt('/denied') : cont();
};

/** Misbehaves as the URL's `?bad=` says. */
const misbehaving: OnMountHook = (params, _session, socket) => {
  ran.push(`misbehaving:${where(socket.connected)}`);
  switch (params.bad) {
    case 'invalid':
      return { kind: 'proceed' } as never;
    case 'nothing':
      return undefined as never;
    case 'redirect-then-cont':
      socket.redirect('/elsewhere');
      return cont();
    case 'halt-without-redirect':
      return halt(undefined as never);
    case 'halt-offsite':
      return halt('//evil.example/phish');
    default:
      return cont();
  }
};

describe('onMount hooks', () => {
  let server: LiveServer;
  let baseUrl: string;
  const clients = new ClientTracker();

  beforeAll(async () => {
    const router = new Router();
    router.liveSession('ordered', { onMount: [recorder('first'), recorder('second'), recorder('third')] }, (s) => {
      s.live('/ordered', recordingView('ordered-main'));
      s.live('/ordered/other', recordingView('ordered-other'));
    });
    router.liveSession('gated', { onMount: [recorder('first'), gate, recorder('after-gate')] }, (s) => {
      s.live('/gated', recordingView('gated'));
    });
    router.liveSession('broken', { onMount: [misbehaving, recorder('after-misbehaving')] }, (s) => {
      s.live('/broken', recordingView('broken'));
    });
    server = createLiveServer({ router, secretKeyBase: TEST_SECRET });
    const { port } = await server.listen(0, '127.0.0.1');
    baseUrl = `http://127.0.0.1:${port}`;
  });
  afterAll(async () => {
    await clients.closeAll();
    await server.close();
  });

  /** GETs a page and opens its socket; `ran` is cleared afterwards, so it holds the join only. */
  async function open(path: string): Promise<{ page: LivePage; channel: LiveChannel; heartbeat: () => Promise<unknown> }> {
    const page = await fetchLivePage(baseUrl, path);
    const client = clients.track(await connectSocket(baseUrl, { cookie: page.cookie, csrfToken: page.csrfToken }));
    ran.length = 0;
    return { page, channel: client.channel(page.topic), heartbeat: async () => (await client.heartbeat()).status };
  }

  async function get(path: string): Promise<{ response: Response; body: string }> {
    ran.length = 0;
    const response = await fetch(new URL(path, baseUrl), { redirect: 'manual' });
    return { response, body: await response.text() };
  }

  describe('in order', () => {
    // phoenix_live_view's hooks_test.exs "on_mount hooks are invoked in the order they are declared"
    it('run in declaration order, then mount, on the dead render', async () => {
      const { response } = await get('/ordered');

      expect(response.status).toBe(200);
      expect(ran).toEqual(['first:dead', 'second:dead', 'third:dead', 'mount ordered-main:dead']);
    });

    it('run again in the same order, then mount, at the join', async () => {
      const { page, channel } = await open('/ordered');

      const reply = await channel.join(joinPayload(page));

      expect(reply.status).toBe('ok');
      expect(ran).toEqual(['first:live', 'second:live', 'third:live', 'mount ordered-main:live']);
    });

    // phoenix_live_view's router_test.exs "with on_mount [Module, ...]": executed for every view of the liveSession
    it('run again for the target view at a navigation join', async () => {
      const { page, channel } = await open('/ordered');
      await channel.join(joinPayload(page));
      await channel.leave();
      ran.length = 0;

      const reply = await channel.join(joinPayload(page, { redirect: `${baseUrl}/ordered/other` }));

      expect(reply.status).toBe('ok');
      expect(ran).toEqual(['first:live', 'second:live', 'third:live', 'mount ordered-other:live']);
    });
  });

  describe('a halting hook', () => {
    it('redirects the dead render, and neither the later hooks nor mount run', async () => {
      const { response } = await get('/gated?deny=1');

      expect(response.status).toBe(302);
      expect(response.headers.get('location')).toBe('/denied');
      expect(ran).toEqual(['first:dead', 'gate:dead']);
    });

    // phoenix_live_view's hooks_test.exs "on_mount hook halts with redirected socket"
    // phoenix_live_view's router_test.exs "with on_mount hook" (describe "live_session"): the guard runs on both renders
    it('refuses the join with its redirect, and neither the later hooks nor mount run', async () => {
      const { page, channel } = await open('/gated');

      const reply = await channel.join(joinPayload(page, { url: `${baseUrl}/gated?deny=1` }));

      expect(reply.status).toBe('error');
      expect(reply.response).toEqual({ redirect: { to: '/denied' }, events: [] });
      expect(ran).toEqual(['first:live', 'gate:live']);
    });

    // phoenix_live_view's hooks_test.exs "on_mount hook raises when :halt is returned without a redirected socket"
    it('cannot halt without a redirect: halt() throws a TypeError', () => {
      expect(() => halt(undefined as never)).toThrow(TypeError);
      expect(() => halt('')).toThrow(TypeError);
    });
  });

  describe('a misbehaving hook', () => {
    // phoenix_live_view's hooks_test.exs "on_mount hook raises when hook result is invalid";
    // "on_mount hook raises when :cont is returned with a redirected socket";
    // phoenix_live_view's live_view_test.exs "when disconnected, raises normally per plug wrapper" / "when connected, raises and exits for 5xx"
    // phoenix_live_view's phoenix_live_view_test.exs "requires local path on to" (describe "redirect/2"), for a hook's halt
    it.each(['invalid', 'nothing', 'redirect-then-cont', 'halt-without-redirect', 'halt-offsite'])(
      '(%s) fails the dead render with a 500 and the join with join crashed, and stops there',
      async (bad) => {
        const crashesBefore = server.supervisor.crashCount;
        const { response, body } = await get(`/broken?bad=${bad}`);
        const deadRan = [...ran];
        const { page, channel, heartbeat } = await open('/broken');

        const reply = await channel.join(joinPayload(page, { url: `${baseUrl}/broken?bad=${bad}` }));

        expect(response.status).toBe(500);
        expect(response.headers.get('location')).toBeNull();
        expect(body).not.toMatch(/misbehaving|proceed|evil\.example|at .*\.ts/);
        expect(deadRan).toEqual(['misbehaving:dead']);
        expect(reply.status).toBe('error');
        expect(reply.response).toEqual({ reason: 'join crashed' });
        expect(ran).toEqual(['misbehaving:live']);
        expect(server.supervisor.crashCount).toBe(crashesBefore + 1);
        // The connection and the process carry on.
        expect(await heartbeat()).toBe('ok');
        expect((await get('/ordered')).response.status).toBe(200);
      },
    );

    it("explains the mistake in the server's crash record, never to the client", async () => {
      const { page, channel } = await open('/broken');

      const reply = await channel.join(joinPayload(page, { url: `${baseUrl}/broken?bad=invalid` }));

      expect(JSON.stringify(reply.response)).not.toContain('cont()');
      expect(server.supervisor.recentCrashes().at(-1)).toMatchObject({
        view: 'broken',
        phase: 'mount',
        message: expect.stringContaining('must return cont() or halt(redirect)'),
      });
    });
  });
});
