// View tokens (`data-phx-session`, `data-phx-static`): jose JWS, HS256 only, versioned, bound to
// the view id (= topic id), with a max age. They are signed, not encrypted: anyone holding the page
// can read them, so they carry ids and the liveSession's extra session, never the cookie session,
// a password or a secret (as Phoenix's `Phoenix.Token`s, which are signed, not encrypted).

import { errors as joseErrors } from 'jose';
import { LiveError } from '../errors.ts';
import type { Clock } from '../clock.ts';
import { HmacJws, type MintedToken } from './hmac-jws.ts';
import type { Keyring } from './keyring.ts';
import type { Flash } from '../live-view.ts';
import { toFlash } from './flash-token.ts';
import { VerifiedCache } from './verified-cache.ts';

/** Bump when the claims change shape: older tokens are then refused as outdated (`stale`). */
export const VIEW_TOKEN_VERSION = 1;

export interface SessionClaims {
  /** View id: the join topic must be `lv:<id>`. */
  id: string;
  /** Name of the view the token was rendered for. */
  view: string;
  /** Name of the liveSession the page belongs to: live navigation may not leave it. */
  liveSession: string;
  /** The liveSession's extra session (string-keyed, never cookie data). */
  session: Record<string, unknown>;
  /**
   * The flash the page was rendered with, for the first live mount of that page (messages meant
   * for the user's own eyes; the page shows them anyway).
   */
  flash?: Flash;
}

export interface StaticClaims {
  id: string;
  /** Assign keys the dead render already loaded (informational, as Phoenix's `assign_new`). */
  assignNew: readonly string[];
}

export class ViewTokens {
  readonly #jws: HmacJws;

  /**
   * With `mintedTokens` (`maxMintedViewTokens`), the tokens signed here and not yet presented are
   * remembered, so the join that follows a page on this node skips their HMAC (see `HmacJws`).
   */
  constructor(keyring: Keyring, clock: Clock, maxAgeS: number, mintedTokens = 0) {
    this.#jws = new HmacJws(keyring, clock, maxAgeS, mintedTokens > 0 ? new VerifiedCache<MintedToken>(mintedTokens) : null);
  }

  signSession(claims: SessionClaims): Promise<string> {
    return this.#jws.sign('view-session', {
      v: VIEW_TOKEN_VERSION,
      sid: claims.id,
      view: claims.view,
      ls: claims.liveSession,
      ext: claims.session,
      ...(claims.flash && Object.keys(claims.flash).length > 0 ? { fl: claims.flash } : {}),
    });
  }

  signStatic(claims: StaticClaims): Promise<string> {
    return this.#jws.sign('view-static', { v: VIEW_TOKEN_VERSION, sid: claims.id, an: claims.assignNew });
  }

  /** Verifies a session token; throws `LiveError` (`stale` for the client) on any problem. */
  async verifySession(token: unknown): Promise<SessionClaims> {
    const payload = await this.#verify('view-session', token);
    const { sid, view, ls, ext, fl } = payload;
    if (typeof sid !== 'string' || typeof view !== 'string' || typeof ls !== 'string' || !isPlainObject(ext)) {
      throw new LiveError('LV_ERR_SESSION_INVALID', 'session token claims have the wrong shape');
    }
    const claims: SessionClaims = { id: sid, view, liveSession: ls, session: ext };
    if (fl !== undefined) claims.flash = toFlash(fl);
    return claims;
  }

  async verifyStatic(token: unknown): Promise<StaticClaims> {
    const payload = await this.#verify('view-static', token);
    const { sid, an } = payload;
    if (typeof sid !== 'string' || !Array.isArray(an)) {
      throw new LiveError('LV_ERR_SESSION_INVALID', 'static token claims have the wrong shape');
    }
    return { id: sid, assignNew: an.filter((k): k is string => typeof k === 'string') };
  }

  async #verify(purpose: 'view-session' | 'view-static', token: unknown): Promise<Record<string, unknown>> {
    if (typeof token !== 'string' || token.length === 0) {
      throw new LiveError('LV_ERR_SESSION_MISSING', `${purpose} token missing`);
    }
    let payload: Record<string, unknown>;
    try {
      payload = await this.#jws.verify(purpose, token);
    } catch (err) {
      throw wrapJoseError(purpose, err);
    }
    if (payload.v !== VIEW_TOKEN_VERSION) {
      throw new LiveError('LV_ERR_SESSION_OUTDATED', `${purpose} token version ${String(payload.v)}`);
    }
    return payload;
  }
}

// jose's error types stay behind this boundary; callers see our codes only.
function wrapJoseError(purpose: string, err: unknown): LiveError {
  if (err instanceof joseErrors.JWTExpired) {
    return new LiveError('LV_ERR_SESSION_EXPIRED', `${purpose} token expired`);
  }
  const code = err instanceof joseErrors.JOSEError ? err.code : 'ERR_UNKNOWN';
  return new LiveError('LV_ERR_SESSION_INVALID', `${purpose} token rejected (${code})`);
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
