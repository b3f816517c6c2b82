// The Origin check on the WebSocket upgrade (Phoenix's `check_origin`): a page from another site
// must not open a socket that carries our user's cookie. No Origin header (a non-browser client)
// is allowed; an origin without a host (`null`, `file://`) is refused.

/**
 * `'same-host'`: the Origin's host must be the host the request was sent to.
 * A list: each entry `scheme://host[:port]` or `//host[:port]`; `//*.example.com` also matches
 * subdomains at any depth. `false`: no check (then the CSRF check must stay on).
 */
export type OriginPolicy = 'same-host' | false | readonly string[];

export function isOriginAllowed(origin: string | undefined, requestHost: string | undefined, policy: OriginPolicy): boolean {
  if (policy === false || origin === undefined) return true;
  let parsed: URL;
  try {
    parsed = new URL(origin);
  } catch {
    return false;
  }
  if (!parsed.hostname) return false;
  if (policy === 'same-host') {
    if (!requestHost) return false;
    return parsed.hostname.toLowerCase() === hostnameOf(requestHost);
  }
  return policy.some((allowed) => matches(parsed, allowed));
}

function hostnameOf(hostHeader: string): string {
  try {
    return new URL(`http://${hostHeader}`).hostname.toLowerCase();
  } catch {
    return '';
  }
}

const DEFAULT_PORTS: Record<string, string> = { 'http:': '80', 'https:': '443', 'ws:': '80', 'wss:': '443' };

function matches(origin: URL, allowed: string): boolean {
  const withScheme = allowed.startsWith('//') ? `x:${allowed}` : allowed;
  let rule: URL;
  try {
    rule = new URL(withScheme);
  } catch {
    return false;
  }
  if (!allowed.startsWith('//') && rule.protocol !== origin.protocol) return false;
  // URL drops a scheme's default port (`https://a.com:443` has port ''), so compare effective ports.
  if (rule.port && rule.port !== (origin.port || DEFAULT_PORTS[origin.protocol])) return false;
  const host = origin.hostname.toLowerCase();
  const ruleHost = rule.hostname.toLowerCase();
  if (ruleHost.startsWith('*.')) {
    const base = ruleHost.slice(2);
    return host === base || host.endsWith(`.${base}`);
  }
  return host === ruleHost;
}
