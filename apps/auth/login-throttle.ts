// Login throttling and lockout, with rate-limiter-flexible (well kept, one API over a memory store
// and a Redis store, atomic counters in Redis so the nodes of a cluster share the counts).
//
// Two counters, after OWASP's guidance on brute force and on not letting a lockout become a denial
// of service against the owner:
// - per (account, client address): the consecutive failed logins of one account from one place.
//   After `freeFailures` each further try must wait a delay that doubles (`firstDelayS`, 2×, 4×, …
//   up to `maxDelayS`); past `failuresPerAccountAndAddress` the pair is locked for
//   `accountAndAddressLockS`. A successful login clears the pair. Keying the lock by the address
//   too is what lets the owner out: an attacker elsewhere locks only their own pair, never the
//   account, so the owner logs in from their own address as usual.
// - per client address, every account: `failuresPerAddress` failed logins in `failureWindowS`
//   lock that address for `addressLockS` (password spraying and credential stuffing from one
//   place, which the per-pair counter does not see).
// An attempt is counted *before* the password is checked (and given back on success), so a burst
// of concurrent tries cannot all slip past the count while their hashes run; a refused attempt
// costs no hash at all.
// Not covered: many addresses guessing one account slowly (each address keeps its own budget). A
// per-account lock would stop it, but would let anyone lock the owner out; device cookies are the
// known answer and a later step.

import type { Redis } from 'ioredis';
import { RateLimiterMemory, RateLimiterRedis, RateLimiterRes, type RateLimiterAbstract } from 'rate-limiter-flexible';

export interface LoginLimits {
  /** Failed logins of one account from one address that cost no wait. */
  freeFailures: number;
  /** Wait (s) after the first failure past `freeFailures`; it doubles with every further one. */
  firstDelayS: number;
  /** Longest wait (s) between two tries of one account from one address before the lock. */
  maxDelayS: number;
  /** Failed logins of one account from one address, within `failureWindowS`, before its lock. */
  failuresPerAccountAndAddress: number;
  /** How long (s) a locked (account, address) pair is refused. */
  accountAndAddressLockS: number;
  /** Failed logins from one address, any account, within `failureWindowS`, before its lock. */
  failuresPerAddress: number;
  /** How long (s) a locked address is refused. */
  addressLockS: number;
  /** Window (s) over which failures are counted; a pair's count also ends at its first success. */
  failureWindowS: number;
}

export const DEFAULT_LOGIN_LIMITS: Readonly<LoginLimits> = Object.freeze({
  freeFailures: 3,
  firstDelayS: 1,
  maxDelayS: 30,
  failuresPerAccountAndAddress: 10,
  accountAndAddressLockS: 15 * 60,
  failuresPerAddress: 100,
  addressLockS: 60 * 60,
  failureWindowS: 60 * 60,
});

/** Why an attempt is refused before its password is checked, and when to come back. */
export interface LoginRefusal {
  reason: 'delay' | 'account_locked' | 'address_locked';
  retryAfterS: number;
}

/** What an allowed attempt must report back once its password was checked. */
export interface LoginAttempt {
  succeeded(): Promise<void>;
  failed(): Promise<void>;
}

export interface LoginThrottleOptions {
  limits?: Partial<LoginLimits>;
  /** An ioredis client: the counts live in Redis, shared by every node (memory when absent). */
  redis?: Redis;
}

/** Emails are case-insensitive (the users table compares with NOCASE), and bounded in a key. */
function accountKey(email: string): string {
  return email.trim().toLowerCase().slice(0, 320);
}

export class LoginThrottle {
  readonly limits: Readonly<LoginLimits>;
  readonly #pairs: RateLimiterAbstract;
  readonly #delays: RateLimiterAbstract;
  readonly #addresses: RateLimiterAbstract;

  constructor(options: LoginThrottleOptions = {}) {
    const limits = { ...DEFAULT_LOGIN_LIMITS, ...options.limits };
    for (const [name, value] of Object.entries(limits)) {
      const least = name === 'freeFailures' ? 0 : 1;
      if (!Number.isInteger(value) || value < least) {
        throw new TypeError(`login limit ${name} must be a whole number ≥ ${least}, got ${String(value)}`);
      }
    }
    this.limits = Object.freeze(limits);
    const redis = options.redis;
    const limiter = (keyPrefix: string, points: number, duration: number, blockDuration = 0): RateLimiterAbstract => {
      const settings = { keyPrefix, points, duration, blockDuration };
      // With Redis, an outage of Redis falls back to counting on this node instead of failing open.
      return redis
        ? new RateLimiterRedis({ ...settings, storeClient: redis, insuranceLimiter: new RateLimiterMemory(settings) })
        : new RateLimiterMemory(settings);
    };
    this.#pairs = limiter(
      'login_fail_account_address',
      limits.failuresPerAccountAndAddress,
      limits.failureWindowS,
      limits.accountAndAddressLockS,
    );
    this.#addresses = limiter('login_fail_address', limits.failuresPerAddress, limits.failureWindowS, limits.addressLockS);
    // Only ever `block`ed: a blocked key is a pair that must wait before its next try.
    this.#delays = limiter('login_delay_account_address', 1, limits.maxDelayS);
  }

  /**
   * Counts an attempt of `email` from `address`: a refusal (nothing else to do, no password
   * check), or the attempt, whose outcome must be reported.
   */
  async attempt(email: string, address: string): Promise<LoginRefusal | LoginAttempt> {
    const pair = `${accountKey(email)}|${address}`;
    const delayed = await this.#delays.get(pair);
    if (delayed && delayed.consumedPoints > 1) return refusal('delay', delayed);
    const byAddress = await consume(this.#addresses, address);
    if (byAddress) return refusal('address_locked', byAddress);
    const byPair = await consume(this.#pairs, pair);
    if (byPair instanceof RateLimiterRes) {
      await this.#addresses.reward(address, 1);
      return refusal('account_locked', byPair);
    }
    return {
      succeeded: async () => {
        await Promise.all([this.#pairs.delete(pair), this.#delays.delete(pair), this.#addresses.reward(address, 1)]);
      },
      failed: async () => {
        const failures = (await this.#pairs.get(pair))?.consumedPoints ?? 0;
        const beyond = failures - this.limits.freeFailures;
        if (beyond <= 0 || failures >= this.limits.failuresPerAccountAndAddress) return;
        await this.#delays.block(pair, Math.min(this.limits.maxDelayS, this.limits.firstDelayS * 2 ** (beyond - 1)));
      },
    };
  }
}

/** Consumes one point: the rejection when over the limit, else null (store errors propagate). */
async function consume(limiter: RateLimiterAbstract, key: string): Promise<RateLimiterRes | null> {
  try {
    await limiter.consume(key, 1);
    return null;
  } catch (rejection) {
    if (rejection instanceof RateLimiterRes) return rejection;
    throw rejection;
  }
}

function refusal(reason: LoginRefusal['reason'], res: RateLimiterRes): LoginRefusal {
  return { reason, retryAfterS: Math.max(1, Math.ceil(res.msBeforeNext / 1000)) };
}

export function isLoginRefusal(outcome: LoginRefusal | LoginAttempt): outcome is LoginRefusal {
  return 'retryAfterS' in outcome;
}
