import { describe, expect, it } from 'vitest';
import { isOriginAllowed, type OriginPolicy } from '../../runtime/origin.ts';

/** The origins among `origins` that `policy` allows. */
function allowed(policy: OriginPolicy, origins: string[], host = 'example.com'): string[] {
  return origins.filter((origin) => isOriginAllowed(origin, host, policy));
}

describe('isOriginAllowed', () => {
  describe('with any policy', () => {
    it('allows a request without an Origin header', () => {
      expect(isOriginAllowed(undefined, 'example.com', 'same-host')).toBe(true);
      expect(isOriginAllowed(undefined, 'example.com', ['https://other.com'])).toBe(true);
      expect(isOriginAllowed(undefined, undefined, [])).toBe(true);
    });

    it('refuses an origin without a host', () => {
      for (const policy of ['same-host', ['//*.example.com', 'https://example.com']] as OriginPolicy[]) {
        for (const origin of ['null', 'file://', '', 'not a url', 'https://']) {
          expect(isOriginAllowed(origin, 'example.com', policy), `${origin} under ${String(policy)}`).toBe(false);
        }
      }
    });
  });

  describe("with 'same-host'", () => {
    it('allows an origin on the host the request was sent to', () => {
      expect(isOriginAllowed('https://example.com', 'example.com', 'same-host')).toBe(true);
    });

    it('compares neither scheme nor port', () => {
      expect(
        allowed('same-host', ['http://example.com', 'https://example.com:8443', 'http://example.com:4000'], 'example.com:4000'),
      ).toEqual(['http://example.com', 'https://example.com:8443', 'http://example.com:4000']);
    });

    it('compares hosts case-insensitively', () => {
      expect(isOriginAllowed('https://EXAMPLE.com', 'Example.COM:443', 'same-host')).toBe(true);
    });

    it('refuses other hosts, subdomains and look-alikes', () => {
      expect(
        allowed('same-host', [
          'https://evil.com',
          'https://sub.example.com',
          'https://example.com.evil.com',
          'https://prefix-example.com',
          'https://example.co',
        ]),
      ).toEqual([]);
    });

    it('refuses every origin when the request has no Host header', () => {
      expect(isOriginAllowed('https://example.com', undefined, 'same-host')).toBe(false);
      expect(isOriginAllowed('https://example.com', '', 'same-host')).toBe(false);
    });

    it('handles IPv6 hosts', () => {
      expect(isOriginAllowed('http://[::1]:4000', '[::1]:4000', 'same-host')).toBe(true);
      expect(isOriginAllowed('http://[::2]:4000', '[::1]:4000', 'same-host')).toBe(false);
    });
  });

  describe('with a list', () => {
    it('pins the scheme of an entry that has one', () => {
      expect(allowed(['https://example.com'], ['https://example.com', 'http://example.com'])).toEqual(['https://example.com']);
    });

    it('does not match subdomains of an entry without a wildcard', () => {
      expect(allowed(['https://example.com', '//other.com'], ['https://www.example.com', 'https://a.other.com'])).toEqual([]);
    });

    it('matches any scheme for a "//host" entry', () => {
      expect(allowed(['//another.com'], ['http://another.com', 'https://another.com:8443', 'https://other.com'])).toEqual([
        'http://another.com',
        'https://another.com:8443',
      ]);
    });

    it('pins the port of a "//host:port" entry', () => {
      expect(
        allowed(
          ['//another.com:888'],
          ['http://another.com:888', 'https://another.com:888', 'https://another.com', 'https://another.com:889'],
        ),
      ).toEqual(['http://another.com:888', 'https://another.com:888']);
    });

    it('matches a pinned default port against an origin that leaves it implicit', () => {
      expect(allowed(['//example.com:443'], ['https://example.com', 'http://example.com', 'https://example.com:8443'])).toEqual([
        'https://example.com',
      ]);
      expect(allowed(['//example.com:80'], ['http://example.com', 'https://example.com'])).toEqual(['http://example.com']);
    });

    it('pins the port of an entry with a scheme and a port', () => {
      expect(allowed(['http://localhost:4000'], ['http://localhost:4000', 'http://localhost:4001'])).toEqual(['http://localhost:4000']);
    });

    it('matches the bare domain and subdomains of any depth for a "//*." entry', () => {
      expect(
        allowed(
          ['//*.example.com'],
          [
            'https://example.com',
            'https://www.example.com',
            'http://a.b.c.example.com:8080',
            'https://prefix-example.com',
            'https://example.com.evil.com',
            'https://evilexample.com',
            'https://example.org',
          ],
        ),
      ).toEqual(['https://example.com', 'https://www.example.com', 'http://a.b.c.example.com:8080']);
    });

    it('combines a wildcard with a scheme and a port', () => {
      expect(allowed(['https://*.example.com'], ['https://a.example.com', 'http://a.example.com'])).toEqual(['https://a.example.com']);
      expect(allowed(['//*.example.com:8443'], ['https://a.example.com:8443', 'https://a.example.com'])).toEqual([
        'https://a.example.com:8443',
      ]);
    });

    it('compares hosts case-insensitively', () => {
      expect(allowed(['//*.Example.COM', 'https://Other.COM'], ['https://A.EXAMPLE.com', 'https://other.com'])).toEqual([
        'https://A.EXAMPLE.com',
        'https://other.com',
      ]);
    });

    it('allows an origin that matches any entry', () => {
      expect(
        allowed(['https://a.com', '//b.com', '//*.c.com'], ['https://a.com', 'http://b.com', 'https://x.c.com', 'https://d.com']),
      ).toEqual(['https://a.com', 'http://b.com', 'https://x.c.com']);
    });

    it('ignores the request host', () => {
      expect(isOriginAllowed('https://example.com', 'example.com', ['https://other.com'])).toBe(false);
    });

    it('refuses everything when the list is empty', () => {
      expect(allowed([], ['https://example.com'])).toEqual([]);
    });

    it('ignores entries that do not parse', () => {
      expect(allowed(['//', 'http://', '::'], ['https://example.com'])).toEqual([]);
    });
  });

  describe('with false', () => {
    it('allows every origin, even one without a host', () => {
      expect(allowed(false, ['https://evil.com', 'null', 'file://', ''], undefined)).toEqual(['https://evil.com', 'null', 'file://', '']);
    });
  });
});
