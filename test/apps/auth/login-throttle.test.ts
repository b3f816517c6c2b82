// The login throttle's rules, on its memory store with a faked clock (rate-limiter-flexible reads
// Date.now and expires keys with timers): a free allowance, a wait that doubles, a lock, its end,
// a success that clears the count, and locks that never reach another address.

import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { LoginThrottle, isLoginRefusal, type LoginLimits, type LoginRefusal } from '../../../apps/auth/login-throttle.ts';

const LIMITS: LoginLimits = {
  freeFailures: 2,
  firstDelayS: 1,
  maxDelayS: 4,
  failuresPerAccountAndAddress: 7,
  accountAndAddressLockS: 60,
  failuresPerAddress: 100,
  addressLockS: 600,
  failureWindowS: 3_600,
};

const ALICE = 'alice@example.com';
const HOME = '192.0.2.1';
const ATTACKER = '198.51.100.7';

/** One attempt that fails if allowed; the refusal, or null when it was allowed (and failed). */
async function fail(throttle: LoginThrottle, email = ALICE, address = ATTACKER): Promise<LoginRefusal | null> {
  const attempt = await throttle.attempt(email, address);
  if (isLoginRefusal(attempt)) return attempt;
  await attempt.failed();
  return null;
}

async function succeed(throttle: LoginThrottle, email = ALICE, address = HOME): Promise<LoginRefusal | null> {
  const attempt = await throttle.attempt(email, address);
  if (isLoginRefusal(attempt)) return attempt;
  await attempt.succeeded();
  return null;
}

describe('LoginThrottle', () => {
  beforeEach(() => void vi.useFakeTimers({ now: new Date('2026-01-01T00:00:00Z') }));
  afterEach(() => void vi.useRealTimers());

  it('lets the free failures through, then makes each try wait twice as long as the one before, then locks', async () => {
    const throttle = new LoginThrottle({ limits: LIMITS });
    const seen: Array<string> = [];

    for (let i = 0; i < 3; i++) expect(await fail(throttle)).toBeNull(); // 2 free; the 3rd sets a wait
    for (const waitS of [1, 2, 4, 4]) {
      const refused = await fail(throttle);
      seen.push(`${refused?.reason} ${refused?.retryAfterS}`);
      vi.advanceTimersByTime(waitS * 1000);
      expect(await fail(throttle)).toBeNull();
    }
    const locked = await fail(throttle);

    // Waits of 1, 2, 4 s, then capped at maxDelayS; the 7th failure locks the pair instead.
    expect(seen).toEqual(['delay 1', 'delay 2', 'delay 4', 'delay 4']);
    expect(locked).toEqual({ reason: 'account_locked', retryAfterS: 60 });
    vi.advanceTimersByTime(30_000);
    expect(await fail(throttle)).toMatchObject({ reason: 'account_locked', retryAfterS: 30 });
    vi.advanceTimersByTime(30_000);
    expect(await succeed(throttle, ALICE, ATTACKER)).toBeNull();
  });

  it('never locks the account for the owner at another address', async () => {
    const throttle = new LoginThrottle({ limits: { ...LIMITS, freeFailures: 7 } });
    for (let i = 0; i < 7; i++) expect(await fail(throttle)).toBeNull();
    expect(await fail(throttle)).toMatchObject({ reason: 'account_locked' });

    expect(await succeed(throttle, ALICE, HOME)).toBeNull();
    // The lock is the attacker's pair, whatever the case of the email.
    expect(await fail(throttle, 'ALICE@Example.com ', ATTACKER)).toMatchObject({ reason: 'account_locked' });
  });

  it('forgets the failures of a pair at its first success', async () => {
    const throttle = new LoginThrottle({ limits: LIMITS });
    for (let i = 0; i < 2; i++) await fail(throttle, ALICE, HOME);
    expect(await succeed(throttle)).toBeNull();

    for (let i = 0; i < 2; i++) expect(await fail(throttle, ALICE, HOME)).toBeNull();
    expect(await succeed(throttle)).toBeNull();
  });

  it('locks an address that fails across many accounts, and only that address', async () => {
    const throttle = new LoginThrottle({ limits: { ...LIMITS, failuresPerAddress: 3 } });
    for (let i = 0; i < 3; i++) expect(await fail(throttle, `user${i}@example.com`)).toBeNull();

    expect(await fail(throttle, 'someone-else@example.com')).toEqual({ reason: 'address_locked', retryAfterS: 600 });
    expect(await succeed(throttle, ALICE, HOME)).toBeNull();
  });

  it('counts an attempt before its password is checked: a concurrent burst gets only the allowance', async () => {
    const throttle = new LoginThrottle({ limits: { ...LIMITS, freeFailures: 3, failuresPerAccountAndAddress: 3 } });

    const outcomes = await Promise.all(Array.from({ length: 10 }, () => throttle.attempt(ALICE, ATTACKER)));

    expect(outcomes.filter((o) => !isLoginRefusal(o))).toHaveLength(3);
    expect(outcomes.filter(isLoginRefusal).map((r) => r.reason)).toEqual(Array(7).fill('account_locked'));
  });

  it('refuses limits that are not whole numbers, or zero where a count must be positive', () => {
    expect(() => new LoginThrottle({ limits: { failuresPerAddress: 0 } })).toThrow(/failuresPerAddress/);
    expect(() => new LoginThrottle({ limits: { firstDelayS: 0.5 } })).toThrow(/firstDelayS/);
    expect(() => new LoginThrottle({ limits: { freeFailures: 0 } })).not.toThrow();
  });
});
