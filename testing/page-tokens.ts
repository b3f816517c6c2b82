// What a client reads from a live page to join its view, with where it read it from: the
// repository's raw protocol client and the benchmark's clients join from these.

import { livePageTokens, type LivePageTokens } from './html-query.ts';

/** What a client reads from a live page to join it. */
export interface PageTokens extends LivePageTokens {
  /** Absolute URL of the page (the join's `url`). */
  readonly url: string;
  /** The view's topic, `lv:<id>`. */
  readonly topic: string;
  /** The `Cookie` header value carrying the session cookie. */
  readonly cookie: string;
}

/** Reads the join tokens from a live page's HTML (fetched from `url` for `path`). */
export function readPageTokens(path: string, url: string, html: string, cookie: string): PageTokens {
  const tokens = livePageTokens(html);
  if (!tokens) throw new Error(`GET ${path}: no root container with an id, or no csrf-token meta tag`);
  return { ...tokens, url, topic: `lv:${tokens.id}`, cookie };
}
