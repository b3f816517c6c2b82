import { describe, expect, it } from 'vitest';
import { decodeFormParams } from '../../runtime/form-params.ts';

/** Plain-object view of the result (the decoder builds null-prototype objects). */
function decode(encoded: string): unknown {
  return JSON.parse(JSON.stringify(decodeFormParams(encoded)));
}

describe('decodeFormParams', () => {
  it('decodes plain keys', () => {
    expect(decode('name=Ada&age=36')).toEqual({ name: 'Ada', age: '36' });
  });

  it('url-decodes names and values', () => {
    expect(decode('q=hello+world%21&na%6De=x&empty=')).toEqual({ q: 'hello world!', name: 'x', empty: '' });
  });

  it('lets the last of repeated plain keys win', () => {
    expect(decode('a=1&a=2')).toEqual({ a: '2' });
  });

  it('nests bracketed keys', () => {
    expect(decode('user[email]=a%40b.c&user[name]=Ada')).toEqual({ user: { email: 'a@b.c', name: 'Ada' } });
  });

  it('nests several levels deep', () => {
    expect(decode('a[b][c][d]=1&a[b][e]=2')).toEqual({ a: { b: { c: { d: '1' }, e: '2' } } });
  });

  it('collects "a[]" keys into a list in order', () => {
    expect(decode('tags[]=x&tags[]=y&tags[]=z')).toEqual({ tags: ['x', 'y', 'z'] });
  });

  it('collects lists inside nested keys', () => {
    expect(decode('user[roles][]=admin&user[roles][]=dev&user[name]=Ada')).toEqual({
      user: { roles: ['admin', 'dev'], name: 'Ada' },
    });
  });

  it('keeps an empty value in a list', () => {
    expect(decode('tags[]=&tags[]=b')).toEqual({ tags: ['', 'b'] });
  });

  it('treats a name with unbalanced brackets as a plain key', () => {
    expect(decode('a[=1&b]=2&c[d]e=3')).toEqual({ 'a[': '1', 'b]': '2', 'c[d]e': '3' });
  });

  it('ignores a "__proto__" key at the top level', () => {
    const params = decodeFormParams('__proto__[polluted]=1&ok=1');
    expect(decode('__proto__[polluted]=1&ok=1')).toEqual({ ok: '1' });
    expect(Object.keys(params)).toEqual(['ok']);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it('ignores a "__proto__" key inside a nested name', () => {
    decodeFormParams('user[__proto__][polluted]=1');
    expect(decode('user[__proto__][polluted]=1&x=1')).not.toHaveProperty(['user', 'polluted']);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it('ignores "constructor" and "prototype" keys', () => {
    decodeFormParams('constructor[prototype][polluted]=1&a[constructor]=2');
    expect(decode('constructor[prototype][polluted]=1')).toEqual({});
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it('builds objects without a prototype', () => {
    const params = decodeFormParams('a[b]=1');
    expect(Object.getPrototypeOf(params)).toBeNull();
    expect(Object.getPrototypeOf(params.a)).toBeNull();
  });

  it('drops names nested deeper than the limit', () => {
    const deep = 'a' + '[x]'.repeat(20);
    expect(decode(`${deep}=1&ok=1`)).toEqual({ ok: '1' });
  });

  it('returns an empty object for an empty string', () => {
    expect(decode('')).toEqual({});
  });
});
