import { describe, expect, it } from 'vitest';
import { LiveError } from '../../runtime/errors.ts';
import { validateLocalPath } from '../../runtime/local-path.ts';

/** The error `validateLocalPath(to)` throws, or fails the test. */
function refusal(to: unknown): LiveError {
  try {
    validateLocalPath(to as string);
  } catch (err) {
    expect(err).toBeInstanceOf(LiveError);
    return err as LiveError;
  }
  throw new Error(`expected ${JSON.stringify(to)} to be refused`);
}

describe('validateLocalPath', () => {
  it('returns a local path unchanged', () => {
    expect(validateLocalPath('/ok')).toBe('/ok');
  });

  it('allows the root, query strings, fragments and encoded characters', () => {
    for (const to of ['/', '/users/7?tab=posts&x=%2F#top', '/a/b/../c', '/search?q=a%20b']) {
      expect(validateLocalPath(to)).toBe(to);
    }
  });

  it('refuses a protocol-relative url', () => {
    expect(refusal('//evil.com').code).toBe('LV_ERR_UNSAFE_REDIRECT');
    expect(refusal('///evil.com').code).toBe('LV_ERR_UNSAFE_REDIRECT');
  });

  it('refuses absolute urls', () => {
    for (const to of ['http://x', 'https://evil.com/ok', 'javascript:alert(1)', 'data:text/html,x']) {
      expect(refusal(to).code).toBe('LV_ERR_UNSAFE_REDIRECT');
    }
  });

  it('refuses relative paths and the empty string', () => {
    for (const to of ['ok', './ok', '', ' /ok']) expect(refusal(to).code).toBe('LV_ERR_UNSAFE_REDIRECT');
  });

  it('refuses a backslash, which browsers read as a slash', () => {
    expect(refusal('/\\evil.com').code).toBe('LV_ERR_UNSAFE_REDIRECT');
    expect(refusal('/ok\\..\\x').code).toBe('LV_ERR_UNSAFE_REDIRECT');
  });

  it('refuses an encoded tab after the slash', () => {
    expect(refusal('/%09/evil.com').code).toBe('LV_ERR_UNSAFE_REDIRECT');
  });

  it('refuses newlines and tabs anywhere', () => {
    for (const to of ['/ok\n/evil', '/ok\r\nSet-Cookie: x=1', '/\t/evil.com', '/ok\t']) {
      expect(refusal(to).code).toBe('LV_ERR_UNSAFE_REDIRECT');
    }
  });

  it('refuses a value that is not a string', () => {
    for (const to of [undefined, null, 42, { toString: () => '/ok' }]) {
      expect(refusal(to).code).toBe('LV_ERR_UNSAFE_REDIRECT');
    }
  });

  it('keeps the refused value out of the client reason', () => {
    const err = refusal('//evil.com/secret');
    expect(err.reason).not.toContain('evil');
    expect(err.message).toContain('//evil.com');
  });
});
