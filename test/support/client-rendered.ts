// The official client's `Rendered` (the diff merge of phoenix_live_view), for tests that check what
// the browser makes of our diffs. It ships as source in the npm package. Vitest hands
// node_modules `.js` files to Node, which cannot follow the file's extension-less imports of its
// `.ts` siblings; the `?inline` query makes vitest transform it like project code instead.

import { afterAll, beforeAll, vi } from 'vitest';

export interface ClientRendered {
  mergeDiff(diff: unknown): void;
  toString(): { buffer: string };
  get(): Record<string, unknown>;
  pruneCIDs(cids: number[]): void;
}
type ClientRenderedClass = new (viewId: string, rendered: unknown) => ClientRendered;

const CLIENT_RENDERED = '../../node_modules/phoenix_live_view/assets/js/phoenix_live_view/rendered.js?inline';

/**
 * Loads the client's `Rendered` before the tests of the enclosing `describe` and returns its
 * constructor as a function, usable inside those tests.
 */
export function useClientRendered(): (viewId: string, rendered: unknown) => ClientRendered {
  let Client: ClientRenderedClass | undefined;

  beforeAll(async () => {
    // The client reads `window.structuredClone`; Node has the function but no `window`.
    vi.stubGlobal('window', globalThis);
    const mod = (await import(/* @vite-ignore */ CLIENT_RENDERED)) as { default: ClientRenderedClass };
    Client = mod.default;
  });

  afterAll(() => {
    vi.unstubAllGlobals();
  });

  return (viewId, rendered) => new Client!(viewId, rendered);
}

/** A deterministic PRNG (mulberry32), so a failing sequence can be replayed. */
export function prng(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
