// Decides whether a `phx_join` may mount anything, in the order of Phoenix's `session.ex` and
// `channel.ex` (`verify_session`, then `authorize_session`):
// token present and valid → bound to this topic → static token bound to the same id → the socket
// has a (CSRF-checked) cookie session → the URL routes to the view and liveSession signed in the
// token. Identity is decided later, by the liveSession's hooks, from the cookie session.

import { LiveError } from './errors.ts';
import type { LiveRoute, Router } from './router.ts';
import type { Params, Session } from './live-view.ts';
import type { CookieSession } from './security/cookie-session.ts';
import type { SessionClaims, ViewTokens } from './security/view-token.ts';

const MAX_HOST_BYTES = 253;

export interface AuthorizedJoin {
  claims: SessionClaims;
  route: LiveRoute;
  params: Params;
  url: URL;
  /** Cookie session merged with the token's extra session (the token wins, as in Phoenix). */
  session: Session;
  /** True for a live navigation (`redirect` join). */
  navigation: boolean;
}

export async function authorizeJoin(
  topic: string,
  payload: Record<string, unknown>,
  cookieSession: CookieSession | null,
  tokens: ViewTokens,
  router: Router,
): Promise<AuthorizedJoin> {
  if (!('session' in payload)) throw new LiveError('LV_ERR_SESSION_MISSING', 'join payload has no session');
  const claims = await tokens.verifySession(payload.session);
  if (topic !== `lv:${claims.id}`) {
    throw new LiveError('LV_ERR_SESSION_TOPIC_MISMATCH', `token for lv:${claims.id} used on ${topic}`);
  }
  if (payload.static !== null && payload.static !== undefined) {
    const staticClaims = await tokens.verifyStatic(payload.static);
    if (staticClaims.id !== claims.id) {
      throw new LiveError('LV_ERR_STATIC_MISMATCH', `static token for ${staticClaims.id} joined with ${claims.id}`);
    }
  }
  if (cookieSession === null) {
    throw new LiveError('LV_ERR_NO_COOKIE_SESSION', 'socket has no session (missing cookie or failed CSRF check)');
  }

  const navigation = typeof payload.redirect === 'string';
  const target = navigation ? payload.redirect : payload.url;
  if (typeof target !== 'string') {
    throw new LiveError('LV_ERR_ROUTE_MISMATCH', 'join has neither url nor redirect (only router views are served)');
  }
  const url = parseAbsoluteUrl(target);
  const match = router.matchLiveUrl(url);
  if (!match) throw new LiveError('LV_ERR_ROUTE_MISMATCH', `${url.pathname} is not a live route`);
  const { route } = match;
  if (route.liveSession.name !== claims.liveSession) {
    throw new LiveError(
      navigation ? 'LV_ERR_CROSS_LIVE_SESSION' : 'LV_ERR_ROUTE_MISMATCH',
      `${url.pathname} is in liveSession "${route.liveSession.name}", token is for "${claims.liveSession}"`,
    );
  }
  // A plain (non-navigation) join must still route to the very view it was rendered for: this
  // catches tampered URLs and routes changed by a deploy.
  if (!navigation && route.view.name !== claims.view) {
    throw new LiveError('LV_ERR_ROUTE_MISMATCH', `${url.pathname} routes to ${route.view.name}, token is for ${claims.view}`);
  }
  return {
    claims,
    route,
    params: match.params,
    url,
    session: { ...cookieSession, ...claims.session },
    navigation,
  };
}

function parseAbsoluteUrl(value: string): URL {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new LiveError('LV_ERR_ROUTE_MISMATCH', 'join url is not an absolute URL');
  }
  if ((url.protocol !== 'http:' && url.protocol !== 'https:') || url.host.length === 0) {
    throw new LiveError('LV_ERR_ROUTE_MISMATCH', 'join url must be http(s) with a host');
  }
  if (Buffer.byteLength(url.hostname) > MAX_HOST_BYTES) {
    throw new LiveError('LV_ERR_ROUTE_MISMATCH', 'join url host is too long');
  }
  return url;
}
