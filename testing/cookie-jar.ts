// The `Cookie` header a browser would send next, kept as one string: liveward/testing's pages,
// the repository's raw protocol client and the benchmark's clients all carry their session this way.

/** Adds `Set-Cookie` headers to a `Cookie` header value, as a browser's jar would (an empty value or `Max-Age=0` deletes). */
export function mergeCookies(cookie: string, setCookies: string[]): string {
  const jar = new Map<string, string>();
  for (const pair of cookie.split(';')) {
    const at = pair.indexOf('=');
    if (at > 0) jar.set(pair.slice(0, at).trim(), pair.slice(at + 1).trim());
  }
  for (const header of setCookies) {
    const pair = header.split(';')[0] ?? '';
    const at = pair.indexOf('=');
    if (at <= 0) continue;
    const name = pair.slice(0, at).trim();
    const value = pair.slice(at + 1).trim();
    if (value === '' || /max-age=0/i.test(header)) jar.delete(name);
    else jar.set(name, value);
  }
  return [...jar].map(([name, value]) => `${name}=${value}`).join('; ');
}
