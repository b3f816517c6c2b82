import { describe, expect, it } from 'vitest';
import { TokenBucket } from '../../actors/token-bucket.ts';

describe('TokenBucket', () => {
  it('passes a burst of one second worth of tokens, then refuses until time refills it', () => {
    const bucket = new TokenBucket(3, 0);
    expect([bucket.take(0), bucket.take(0), bucket.take(0), bucket.take(0)]).toEqual([true, true, true, false]);
    expect(bucket.take(340)).toBe(true);
    expect(bucket.take(340)).toBe(false);
  });

  it('is not drained by a clock that steps back', () => {
    const bucket = new TokenBucket(2, 1_000_000);
    bucket.take(1_000_000);
    // A clock moved back by a day must not leave the bucket owing a day's worth of tokens.
    expect(bucket.take(1_000_000 - 86_400_000)).toBe(true);
    expect(bucket.take(1_000_000 + 1_000)).toBe(true);
  });
});
