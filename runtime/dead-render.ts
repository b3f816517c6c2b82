// The dead (HTTP) render of a live route: the liveSession's hooks, `mount`, `handleParams`, then
// the page with the root container the official client joins (as Phoenix's `static.ex`). The hooks here
// are the same ones the live mount runs again.

import { randomBytes } from 'node:crypto';
import type { Conn } from './http/conn.ts';
import type { Layout } from './layout.ts';
import type { LiveRoute, RouteMatch, Router } from './router.ts';
import { runMount } from './mount.ts';
import { LiveViewSocket } from './view-socket.ts';
import type { ViewTokens } from './security/view-token.ts';
import { CSRF_SESSION_KEY, maskCsrfToken } from './security/csrf.ts';
import { escapeHtml } from './template.ts';

/** `phx-` + 16 URL-safe characters, unique per render (the topic is `lv:<id>`). */
export function newViewId(): string {
  return 'phx-' + randomBytes(12).toString('base64url');
}

export interface DeadRenderServices {
  tokens: ViewTokens;
  layout: Layout;
  defaultTitle: string;
  router: Router;
  maxChainedPatches: number;
}

/** `match` comes from `router.matchLiveUrl`: its params include the query string. */
export async function renderLiveRoute(conn: Conn, match: RouteMatch<LiveRoute>, services: DeadRenderServices): Promise<void> {
  const { route } = match;
  const id = newViewId();
  const socket = new LiveViewSocket({ id, view: route.view, connected: false, parentAssigns: conn.assigns, flash: conn.flash });
  const session = { ...(conn.session ?? {}), ...route.liveSession.session };
  const outcome = await runMount({
    socket,
    route,
    params: match.params,
    session,
    url: conn.url,
    router: services.router,
    maxChainedPatches: services.maxChainedPatches,
  });
  // Whatever the flash is now goes to the next page on a redirect, or into the view token.
  conn.flash = socket.flash;
  switch (outcome.kind) {
    case 'halted':
      conn.redirect(outcome.redirect);
      return;
    case 'redirect':
    case 'navigate':
      conn.redirect(outcome.to);
      return;
    case 'mounted':
      if (outcome.patch) {
        conn.redirect(outcome.patch.to);
        return;
      }
  }
  const [sessionToken, staticToken] = await Promise.all([
    services.tokens.signSession({
      id,
      view: route.view.name,
      liveSession: route.liveSession.name,
      session: { ...route.liveSession.session },
      flash: socket.flash,
    }),
    services.tokens.signStatic({ id, assignNew: socket.assignedFromParent }),
  ]);
  const container =
    `<div id="${id}" data-phx-main data-phx-session="${escapeHtml(sessionToken)}" ` +
    `data-phx-static="${escapeHtml(staticToken)}">${socket.renderHtml()}</div>`;
  conn.html(
    200,
    services.layout({
      title: socket.pageTitle ?? services.defaultTitle,
      csrfToken: maskCsrfToken(String(conn.getSession(CSRF_SESSION_KEY))),
      content: container,
    }),
  );
}
