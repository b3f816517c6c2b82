// A liveSession groups live routes that may navigate to each other over one socket, and carries
// the `onMount` hooks that guard every view in it. The same hooks run on the dead (HTTP) render
// and again at the live mount: a guard on one path only is a bug (live navigation never passes
// through the HTTP pipeline, so the hooks are its only guard).

import type { Params, Session, ViewSocket } from './live-view.ts';
import type { Plug } from './http/conn.ts';

/** A hook's verdict: carry on (`cont()`), or stop the mount and redirect (`halt(to)`). */
export type HookResult = { readonly kind: 'cont' } | { readonly kind: 'halt'; readonly redirect: string };

const CONT: HookResult = Object.freeze({ kind: 'cont' as const });

/** A hook's verdict: carry on to the next hook and then `mount`. */
export function cont(): HookResult {
  return CONT;
}

/** A hook's verdict: stop the mount and send the browser to `redirect` (required). */
export function halt(redirect: string): HookResult {
  if (typeof redirect !== 'string' || redirect.length === 0) {
    throw new TypeError('halt(redirect): halting without a redirect would leave the page hanging');
  }
  return { kind: 'halt', redirect };
}

export type OnMountHook = (params: Params, session: Session, socket: ViewSocket<HookAssigns>) => HookResult | Promise<HookResult>;

/** Hooks run for every view of a liveSession, so they see the assigns as an open record. */
// biome-ignore lint/suspicious/noExplicitAny: hooks serve every view of a liveSession, whatever its assigns
export type HookAssigns = Record<string, any>;

export interface LiveSessionOptions {
  /** Hooks run in declaration order before `mount`, on HTTP and at the live mount. */
  onMount?: OnMountHook[];
  /** Extra session signed into the view token (string-keyed, public: no secrets). */
  session?: Record<string, string>;
  /** HTTP plugs run (after the router's own) for the dead render of these routes. */
  pipeline?: Plug[];
}

export class LiveSession {
  readonly name: string;
  readonly onMount: readonly OnMountHook[];
  readonly session: Readonly<Record<string, string>>;
  readonly pipeline: readonly Plug[];

  constructor(name: string, options: LiveSessionOptions = {}) {
    if (!name) throw new TypeError('a liveSession needs a name');
    this.name = name;
    this.onMount = Object.freeze([...(options.onMount ?? [])]);
    this.session = Object.freeze({ ...(options.session ?? {}) });
    this.pipeline = Object.freeze([...(options.pipeline ?? [])]);
    for (const [key, value] of Object.entries(this.session)) {
      if (typeof value !== 'string') throw new TypeError(`liveSession ${name}: session.${key} must be a string`);
    }
  }
}
