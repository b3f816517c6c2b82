// The headers every response carries, whatever answers it (a page, an asset, a redirect, a 404,
// an error): set on the conn before anything else runs, so no path can forget them.

/**
 * The pages' Content-Security-Policy. The official client needs nothing more: its bundles and the
 * stylesheet come from this origin, it connects its WebSocket to this origin (`'self'` covers
 * `ws:`/`wss:` of the same host), it runs no inline script and sets styles through the DOM only.
 * Anything injected into a page (an inline `<script>`, a `style` attribute, a plugin, a `<base>`,
 * a form posting elsewhere, a frame around the page) is refused by the browser.
 */
export const DEFAULT_CONTENT_SECURITY_POLICY = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self'",
  "connect-src 'self'",
  "object-src 'none'",
  "base-uri 'self'",
  "frame-ancestors 'none'",
  "form-action 'self'",
].join('; ');

/** A year: the usual `max-age` once HTTPS is there to stay. */
export const DEFAULT_HSTS_MAX_AGE_S = 31_536_000;

export interface SecurityHeaderOptions {
  /** The `Content-Security-Policy` (default `DEFAULT_CONTENT_SECURITY_POLICY`); `false` sends none. */
  contentSecurityPolicy?: string | false;
  /**
   * `Strict-Transport-Security`, only for a server reached over HTTPS (a TLS proxy in front):
   * `true` for `DEFAULT_HSTS_MAX_AGE_S`, or the `max-age` in seconds. Off by default: a browser
   * told once keeps refusing plain HTTP for that long.
   */
  hsts?: boolean | number;
}

/** The headers that need no option (also what the `putSecureBrowserHeaders` plug sets). */
export const BROWSER_HEADERS: ReadonlyArray<readonly [string, string]> = [
  ['x-content-type-options', 'nosniff'],
  ['x-frame-options', 'DENY'],
  ['referrer-policy', 'strict-origin-when-cross-origin'],
];

/** The header list for these options, computed once per server. */
export function securityHeaders(options: SecurityHeaderOptions = {}): ReadonlyArray<readonly [string, string]> {
  const headers: Array<readonly [string, string]> = [...BROWSER_HEADERS];
  const csp = options.contentSecurityPolicy ?? DEFAULT_CONTENT_SECURITY_POLICY;
  if (csp !== false) headers.push(['content-security-policy', csp]);
  if (options.hsts) {
    const maxAgeS = options.hsts === true ? DEFAULT_HSTS_MAX_AGE_S : options.hsts;
    if (!Number.isInteger(maxAgeS) || maxAgeS <= 0)
      throw new TypeError(`hsts must be true or a max-age in seconds, got ${String(options.hsts)}`);
    headers.push(['strict-transport-security', `max-age=${maxAgeS}`]);
  }
  return headers;
}
