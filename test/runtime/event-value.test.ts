import { describe, expect, it } from 'vitest';
import { decodeEventValue } from '../../runtime/event-value.ts';

/** Plain-object view (form params are null-prototype objects). */
const plain = (value: unknown): unknown => JSON.parse(JSON.stringify(value));

describe('decodeEventValue', () => {
  it('decodes a form change as Phoenix does: nested params, meta merged, _target as a key path', () => {
    const value = decodeEventValue({
      type: 'form',
      event: 'validate',
      value: 'user%5Bemail%5D=a&user%5B_unused_name%5D=&user%5Bname%5D=',
      meta: { _target: 'user[email]', extra: 'x' },
      uploads: {},
    });
    expect(plain(value)).toEqual({
      user: { email: 'a', _unused_name: '', name: '' },
      extra: 'x',
      _target: ['user', 'email'],
    });
  });

  it('keeps the "undefined" target the client sends when no input started the event, and drops [] from a list target', () => {
    expect(decodeEventValue({ type: 'form', value: 'a=1', meta: { _target: 'undefined' } })._target).toEqual(['undefined']);
    expect(decodeEventValue({ type: 'form', value: 'tags[]=1', meta: { _target: 'tags[]' } })._target).toEqual(['tags']);
    expect(decodeEventValue({ type: 'form', value: '', meta: { _target: 'a[][b]' } })._target).toEqual(['a', 'b']);
  });

  it('drops a _target of the wrong shape rather than failing', () => {
    for (const target of [42, null, { a: 1 }, [1, 2]]) {
      expect(decodeEventValue({ type: 'form', value: 'a=1', meta: { _target: target } })).not.toHaveProperty('_target');
    }
  });

  it('hands a click value over as is, and wraps a scalar value', () => {
    const value = { key: 'info' };
    expect(decodeEventValue({ type: 'click', value })).toBe(value);
    expect(decodeEventValue({ type: 'hook', value: 5 })).toEqual({ value: 5 });
    expect(decodeEventValue({ type: 'click' })).toEqual({});
  });

  it('never lets a __proto__ key from the params or the meta reach a prototype', () => {
    const meta = JSON.parse('{"__proto__": {"polluted": true}, "constructor": {"prototype": {"polluted": true}}, "ok": 1}');
    const form = decodeEventValue({ type: 'form', value: '__proto__[polluted]=1&a[__proto__][polluted]=1&a[b]=2', meta });
    const click = decodeEventValue({ type: 'click', value: { a: 1 }, meta });
    for (const value of [form, click]) {
      expect(Object.getPrototypeOf(value) === null || Object.getPrototypeOf(value) === Object.prototype).toBe(true);
      expect((value as { polluted?: unknown }).polluted).toBeUndefined();
      expect(value.ok).toBe(1);
    }
    expect(({} as { polluted?: unknown }).polluted).toBeUndefined();
    expect(plain(form)).toEqual({ a: { b: '2' }, ok: 1 });
  });

  it('survives values of any shape: nested deep, repeated, huge', () => {
    const deep = 'a' + '[x]'.repeat(100) + '=1';
    const repeated = Array.from({ length: 2000 }, (_, i) => `k[]=${i}&k[${i}]=${i}&k=${i}`).join('&');
    const huge = 'big=' + 'x'.repeat(200_000);
    for (const encoded of [deep, repeated, huge, '%zz=%', '[]=1&[a]=2&a[=3&a]]=4']) {
      expect(() => decodeEventValue({ type: 'form', value: encoded, meta: { _target: encoded } })).not.toThrow();
    }
    expect((decodeEventValue({ type: 'form', value: huge }).big as string).length).toBe(200_000);
  });
});
