import { SignJWT } from 'jose';
import { describe, expect, it } from 'vitest';
import { FlashTokens } from '../../../runtime/security/flash-token.ts';
import { Keyring } from '../../../runtime/security/keyring.ts';
import { ManualClock } from '../../support/manual-clock.ts';

const SECRET = 'a-secret-key-base-that-is-long-enough-for-tests-0123456789';

function setup() {
  const clock = new ManualClock();
  const keyring = new Keyring(SECRET);
  return { clock, keyring, tokens: new FlashTokens(keyring, clock, 60) };
}

describe('FlashTokens', () => {
  it('carries a flash through sign and verify', async () => {
    const { tokens } = setup();
    const token = await tokens.sign({ info: 'Saved' });
    expect(token).toMatch(/^[\w-]+\.[\w-]+\.[\w-]+$/); // cookie-safe
    await expect(tokens.verify(token)).resolves.toEqual({ info: 'Saved' });
  });

  it('reads an expired, forged, foreign or malformed token as no flash', async () => {
    const { tokens, clock, keyring } = setup();
    const token = await tokens.sign({ info: 'Saved' });
    clock.advance(61_000);
    await expect(tokens.verify(token)).resolves.toEqual({});

    const fresh = setup();
    const forged = await new SignJWT({ v: 1, f: { info: 'Forged' } })
      .setProtectedHeader({ alg: 'HS256' })
      .setIssuedAt()
      .sign(new TextEncoder().encode('not-the-key-not-the-key-not-the-key!'));
    const otherPurpose = await new SignJWT({ v: 1, f: { info: 'x' } })
      .setProtectedHeader({ alg: 'HS256' })
      .setIssuedAt()
      .sign(keyring.key('view-session'));
    for (const bad of [forged, otherPurpose, 'x.y.z', '', 42, null, 'a'.repeat(10_000)]) {
      await expect(fresh.tokens.verify(bad)).resolves.toEqual({});
    }
  });

  it('keeps only string messages of a signed flash', async () => {
    const { tokens, keyring, clock } = setup();
    const nowS = Math.floor(clock.now() / 1000);
    const odd = await new SignJWT(JSON.parse('{"v":1,"f":{"info":"ok","n":1,"o":{},"__proto__":"x"}}'))
      .setProtectedHeader({ alg: 'HS256' })
      .setIssuedAt(nowS)
      .setExpirationTime(nowS + 60)
      .sign(keyring.key('flash'));
    const flash = await tokens.verify(odd);
    expect(flash).toEqual({ info: 'ok' });
    expect(Object.getPrototypeOf(flash)).toBe(Object.prototype);
  });
});
