import { describe, expect, it } from 'vitest';
import { flatString } from '../../runtime/flat-string.ts';

describe('flatString', () => {
  it('keeps every code unit of the text, lone surrogates and quotes included', () => {
    const built = ['lv:phx-', 'F', 'x'.repeat(20), '#', '\uD800', '"', '\\', 'é'].join('');
    expect(flatString(built)).toBe(built);
    expect(flatString('')).toBe('');
  });
});
