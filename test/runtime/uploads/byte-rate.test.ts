import { describe, expect, it } from 'vitest';
import { ByteRate } from '../../../runtime/uploads/byte-rate.ts';

describe('ByteRate', () => {
  it("lets a second's worth through at once, then says how long the rest must wait", () => {
    const rate = new ByteRate(1000, 0);
    expect(rate.take(1000, 0)).toBe(0);
    expect(rate.take(500, 0)).toBe(500);
    expect(rate.take(500, 1000)).toBe(0);
    expect(rate.take(100, 500)).toBe(100); // a clock stepping back refills nothing
  });
});
