// The mount sequence, identical on the dead render and at the live mount: the liveSession's
// `onMount` hooks in declaration order, then `mount`, then `handleParams`. A hook that halts stops
// everything after it; a hook must return `cont()` or `halt(redirect)` and nothing else.

import { LiveError } from './errors.ts';
import type { LiveRoute, Router } from './router.ts';
import type { Params, Session } from './live-view.ts';
import type { LiveViewSocket, Navigation } from './view-socket.ts';
import { validateLocalPath } from './local-path.ts';

export type MountOutcome =
  | { kind: 'mounted'; patch: { to: string; kind: 'push' | 'replace' } | null }
  | { kind: 'halted'; redirect: string }
  | { kind: 'redirect'; to: string }
  | { kind: 'navigate'; to: string; replace: boolean };

export interface MountInput {
  socket: LiveViewSocket;
  route: LiveRoute;
  /** Route params merged with the query string. */
  params: Params;
  session: Session;
  url: URL;
  /** To check that a `pushPatch` in `handleParams` stays on this route. */
  router: Router;
  maxChainedPatches: number;
}

export async function runMount(input: MountInput): Promise<MountOutcome> {
  const { socket, route, session } = input;
  let { params, url } = input;
  for (const [index, hook] of route.liveSession.onMount.entries()) {
    const result: unknown = await hook(params, session, socket);
    const label = `onMount hook #${index + 1} of liveSession "${route.liveSession.name}"`;
    if (!isHookResult(result)) {
      throw new LiveError('LV_ERR_HOOK_RESULT', `${label} must return cont() or halt(redirect)`);
    }
    if (result.kind === 'halt') return { kind: 'halted', redirect: validateLocalPath(result.redirect) };
    if (socket.takeNavigation()) {
      throw new LiveError('LV_ERR_HOOK_RESULT', `${label} redirected but returned cont(); return halt(redirect)`);
    }
  }

  await route.view.mount?.(params, session, socket);
  const afterMount = socket.takeNavigation();
  if (afterMount?.kind === 'patch') {
    throw new LiveError('LV_ERR_HOOK_RESULT', `${route.view.name}.mount called pushPatch; use handleParams`);
  }
  if (afterMount) return navigationOutcome(afterMount);

  let patch: { to: string; kind: 'push' | 'replace' } | null = null;
  for (let round = 0; ; round++) {
    await route.view.handleParams?.(params, url, socket);
    const navigation = socket.takeNavigation();
    if (!navigation) return { kind: 'mounted', patch };
    if (navigation.kind !== 'patch') return navigationOutcome(navigation);
    ({ url, params } = followPatch(input.router, route, navigation.to, url, round, input.maxChainedPatches));
    patch = { to: navigation.to, kind: navigation.replace ? 'replace' : 'push' };
  }
}

/**
 * Where the `round`-th pushPatch in a row lands (resolved against `base`), for the mount and for a
 * live view alike; throws when there were too many in a row or the patch would leave the view.
 */
export function followPatch(
  router: Router,
  route: LiveRoute,
  to: string,
  base: URL,
  round: number,
  maxChainedPatches: number,
): { url: URL; params: Params } {
  if (round >= maxChainedPatches) {
    throw new LiveError('LV_ERR_HOOK_RESULT', `${route.view.name}: too many chained pushPatch calls`);
  }
  const url = new URL(to, base);
  const params = router.matchPatch(route, url);
  if (!params) throw new LiveError('LV_ERR_UNSAFE_REDIRECT', `pushPatch to ${to} leaves ${route.view.name}`);
  return { url, params };
}

function navigationOutcome(navigation: Exclude<Navigation, { kind: 'patch' }>): MountOutcome {
  return navigation.kind === 'redirect'
    ? { kind: 'redirect', to: navigation.to }
    : { kind: 'navigate', to: navigation.to, replace: navigation.replace };
}

function isHookResult(value: unknown): value is { kind: 'cont' } | { kind: 'halt'; redirect: string } {
  if (typeof value !== 'object' || value === null) return false;
  const kind = (value as { kind?: unknown }).kind;
  return kind === 'cont' || (kind === 'halt' && typeof (value as { redirect?: unknown }).redirect === 'string');
}
