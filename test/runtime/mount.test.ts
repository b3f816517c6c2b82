// The mount sequence on its own (no server, no socket): the liveSession's hooks in declaration
// order, then `mount`, then `handleParams`; a halting hook stops everything after it; a hook's
// result and every redirect are checked; patches from `handleParams` are followed on the route.

import { describe, expect, it } from 'vitest';
import { runMount, type MountOutcome } from '../../runtime/mount.ts';
import { Router } from '../../runtime/router.ts';
import { cont, halt, type OnMountHook } from '../../runtime/live-session.ts';
import { defineView, type ViewDefinition } from '../../runtime/live-view.ts';
import { LiveViewSocket } from '../../runtime/view-socket.ts';
import { LiveError, type LiveErrorCode } from '../../runtime/errors.ts';
import { html } from '../../runtime/template.ts';

const BASE = 'http://localhost';
// biome-ignore lint/suspicious/noExplicitAny: the test views take whatever their hooks and callbacks assign
type AnyAssigns = Record<string, any>;
const MAX_CHAINED_PATCHES = 3;

interface Setup {
  hooks?: OnMountHook[];
  view?: Partial<ViewDefinition<AnyAssigns>>;
  path?: string;
  session?: Record<string, unknown>;
}

/** Routes `/items/:id` (and a sibling `/other`) and runs the mount for `path`, as both render paths do. */
async function mountAt({ hooks = [], view = {}, path = '/items/7?tab=a', session = { user: 'u1' } }: Setup): Promise<{
  outcome: MountOutcome;
  socket: LiveViewSocket<AnyAssigns>;
}> {
  const Item = defineView<AnyAssigns>({ name: 'item', render: () => html`<p></p>`, ...view });
  const router = new Router().liveSession('s', { onMount: hooks }, (s) => {
    s.live('/items/:id', Item);
    s.live('/other', defineView({ name: 'other', render: () => html`` }));
  });
  const url = new URL(path, BASE);
  const match = router.matchLiveUrl(url)!;
  const socket = new LiveViewSocket<AnyAssigns>({ id: 'phx-1', view: Item, connected: true });
  const outcome = await runMount({
    socket,
    route: match.route,
    params: match.params,
    session,
    url,
    router,
    maxChainedPatches: MAX_CHAINED_PATCHES,
  });
  return { outcome, socket };
}

async function failure(setup: Setup): Promise<LiveErrorCode> {
  const error: unknown = await mountAt(setup).then(
    () => null,
    (err: unknown) => err,
  );
  expect(error).toBeInstanceOf(LiveError);
  return (error as LiveError).code;
}

describe('runMount', () => {
  it('runs the hooks in declaration order, then mount, then handleParams, each with params and session', async () => {
    const calls: string[] = [];
    const hook =
      (name: string): OnMountHook =>
      (params, session) => {
        calls.push(`${name} ${params.id} ${String(session.user)}`);
        return cont();
      };
    const { outcome } = await mountAt({
      hooks: [hook('first'), hook('second'), async (...args) => hook('third (async)')(...args)],
      view: {
        mount: (params, session) => void calls.push(`mount ${params.id} ${String(session.user)}`),
        handleParams: (params, url) => void calls.push(`handleParams ${params.tab} ${url.pathname}`),
      },
    });

    expect(outcome).toEqual({ kind: 'mounted', patch: null });
    expect(calls).toEqual(['first 7 u1', 'second 7 u1', 'third (async) 7 u1', 'mount 7 u1', 'handleParams a /items/7']);
  });

  it('lets what a hook assigns reach mount and handleParams', async () => {
    const { socket } = await mountAt({
      hooks: [
        (_p, _s, socket) => {
          socket.assign({ currentUser: 'ada' });
          return cont();
        },
      ],
      view: {
        mount: (_p, _s, socket) => socket.assign({ greeting: `hello ${socket.assigns.currentUser}` }),
        handleParams: (params, _url, socket) => socket.assign({ tab: params.tab }),
      },
    });
    expect(socket.assigns).toMatchObject({ currentUser: 'ada', greeting: 'hello ada', tab: 'a' });
  });

  it('stops at a halting hook: no later hook, no mount, no handleParams, and the redirect', async () => {
    const calls: string[] = [];
    const { outcome } = await mountAt({
      hooks: [
        () => {
          calls.push('first');
          return cont();
        },
        () => {
          calls.push('guard');
          return halt('/login?return_to=%2Fitems%2F7');
        },
        () => {
          calls.push('after');
          return cont();
        },
      ],
      view: { mount: () => void calls.push('mount'), handleParams: () => void calls.push('handleParams') },
    });

    expect(outcome).toEqual({ kind: 'halted', redirect: '/login?return_to=%2Fitems%2F7' });
    expect(calls).toEqual(['first', 'guard']);
  });

  it('refuses a halt to anywhere but a local path', async () => {
    for (const to of ['//evil.example', 'https://evil.example/', '/\\evil.example', 'javascript:alert(1)']) {
      expect(await failure({ hooks: [() => halt(to)] })).toBe('LV_ERR_UNSAFE_REDIRECT');
    }
  });

  it('refuses a hook that returns anything but cont() or halt(redirect), and mounts nothing', async () => {
    const mounted: string[] = [];
    for (const bad of [undefined, true, 'cont', { kind: 'halt' }, { kind: 'halt', redirect: 42 }, { kind: 'continue' }, null]) {
      const code = await failure({
        hooks: [(() => bad) as unknown as OnMountHook],
        view: { mount: () => void mounted.push('mount') },
      });
      expect(code).toBe('LV_ERR_HOOK_RESULT');
    }
    expect(mounted).toEqual([]);
  });

  it('refuses a hook that redirects but returns cont()', async () => {
    const code = await failure({
      hooks: [
        (_p, _s, socket) => {
          socket.redirect('/login');
          return cont();
        },
      ],
      view: {
        mount: () => {
          throw new Error('mount must not run');
        },
      },
    });
    expect(code).toBe('LV_ERR_HOOK_RESULT');
  });

  it('turns a redirect or a navigate from mount into the outcome, skipping handleParams', async () => {
    const handled: string[] = [];
    const handleParams = () => void handled.push('handleParams');

    const redirected = await mountAt({ view: { mount: (_p, _s, socket) => socket.redirect('/elsewhere'), handleParams } });
    const navigated = await mountAt({
      view: { mount: (_p, _s, socket) => socket.pushNavigate('/other', { replace: true }), handleParams },
    });

    expect(redirected.outcome).toEqual({ kind: 'redirect', to: '/elsewhere' });
    expect(navigated.outcome).toEqual({ kind: 'navigate', to: '/other', replace: true });
    expect(handled).toEqual([]);
  });

  it('refuses a pushPatch from mount (patches belong to handleParams)', async () => {
    expect(await failure({ view: { mount: (_p, _s, socket) => socket.pushPatch('/items/8') } })).toBe('LV_ERR_HOOK_RESULT');
  });

  it('follows a pushPatch from handleParams on the same route, with the new params, and reports it', async () => {
    const seen: string[] = [];
    const { outcome, socket } = await mountAt({
      path: '/items/7',
      view: {
        handleParams: (params, url, socket) => {
          seen.push(`${params.id}:${params.page ?? '-'}:${url.search}`);
          if (params.page === undefined) socket.pushPatch('/items/7?page=1', { replace: true });
          else socket.assign({ page: params.page });
        },
      },
    });

    expect(seen).toEqual(['7:-:', '7:1:?page=1']);
    expect(outcome).toEqual({ kind: 'mounted', patch: { to: '/items/7?page=1', kind: 'replace' } });
    expect(socket.assigns).toMatchObject({ page: '1' });
  });

  it('reports the last of chained patches as a push when it did not ask to replace', async () => {
    const { outcome } = await mountAt({
      path: '/items/1',
      view: {
        handleParams: (params, _url, socket) => {
          if (params.id !== '3') socket.pushPatch(`/items/${Number(params.id) + 1}`);
        },
      },
    });
    expect(outcome).toEqual({ kind: 'mounted', patch: { to: '/items/3', kind: 'push' } });
  });

  it('refuses a pushPatch that leaves the route, and patches chained past the limit', async () => {
    const leaving = await failure({ view: { handleParams: (_p, _u, socket) => socket.pushPatch('/other') } });
    let rounds = 0;
    const looping = await failure({
      view: {
        handleParams: (params, _url, socket) => {
          rounds++;
          socket.pushPatch(`/items/${Number(params.id) + 1}`);
        },
      },
    });

    expect(leaving).toBe('LV_ERR_UNSAFE_REDIRECT');
    expect(looping).toBe('LV_ERR_HOOK_RESULT');
    expect(rounds).toBe(MAX_CHAINED_PATCHES + 1);
  });

  it('turns a redirect from handleParams into the outcome', async () => {
    const { outcome } = await mountAt({ view: { handleParams: (_p, _u, socket) => socket.redirect('/login') } });
    expect(outcome).toEqual({ kind: 'redirect', to: '/login' });
  });
});
