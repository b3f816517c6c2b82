import { EncryptJWT, SignJWT, base64url, jwtDecrypt, jwtVerify } from 'jose';
import { describe, expect, it } from 'vitest';
import { encryptCompactA256Gcm, signCompactHs256 } from '../../../runtime/security/compact-token.ts';
import { Keyring } from '../../../runtime/security/keyring.ts';

const keyring = new Keyring('compact-token-test-secret-key-base-0123456789');
const NOW_S = Math.floor(Date.UTC(2025, 0, 15, 12) / 1000);
const claims = { v: 1, sid: 'phx-F1a2b3', view: 'Counter', ext: { locale: 'en', n: [1, 'ü'] } };

describe('signCompactHs256', () => {
  it("writes exactly the token jose's SignJWT writes", async () => {
    const ours = signCompactHs256({ ...claims, iat: NOW_S, exp: NOW_S + 60 }, keyring.secretKey('view-session'));
    const jose = await new SignJWT(claims)
      .setProtectedHeader({ alg: 'HS256' })
      .setIssuedAt(NOW_S)
      .setExpirationTime(NOW_S + 60)
      .sign(keyring.key('view-session'));
    expect(ours).toBe(jose);
  });

  it('is verified by jose, and refused by jose under another purpose’s key', async () => {
    const token = signCompactHs256({ ...claims, iat: NOW_S, exp: NOW_S + 60 }, keyring.secretKey('view-session'));
    const { payload } = await jwtVerify(token, keyring.key('view-session'), { algorithms: ['HS256'], currentDate: new Date(NOW_S * 1000) });
    expect(payload).toEqual({ ...claims, iat: NOW_S, exp: NOW_S + 60 });
    await expect(jwtVerify(token, keyring.key('view-static'), { currentDate: new Date(NOW_S * 1000) })).rejects.toThrow();
  });
});

describe('encryptCompactA256Gcm', () => {
  const key = keyring.secretKey('cookie-session');
  const decrypt = (jwe: string) =>
    jwtDecrypt(jwe, keyring.key('cookie-session'), {
      keyManagementAlgorithms: ['dir'],
      contentEncryptionAlgorithms: ['A256GCM'],
      currentDate: new Date(NOW_S * 1000),
    });

  it("is decrypted by jose to the claims, with jose's header", async () => {
    const jwe = encryptCompactA256Gcm({ s: claims, iat: NOW_S, exp: NOW_S + 60 }, key);
    const { payload, protectedHeader } = await decrypt(jwe);
    expect(payload).toEqual({ s: claims, iat: NOW_S, exp: NOW_S + 60 });
    expect(protectedHeader).toEqual({ alg: 'dir', enc: 'A256GCM' });
    const joseHeader = (
      await new EncryptJWT({}).setProtectedHeader({ alg: 'dir', enc: 'A256GCM' }).encrypt(keyring.key('cookie-session'))
    ).split('.')[0];
    expect(jwe.split('.')[0]).toBe(joseHeader);
  });

  it('uses a fresh 96-bit IV for every encryption', () => {
    const ivs = new Set(Array.from({ length: 50 }, () => encryptCompactA256Gcm({ a: 1 }, key).split('.')[2]!));
    expect(ivs.size).toBe(50);
    for (const iv of ivs) expect(base64url.decode(iv)).toHaveLength(12);
  });

  it('is refused by jose once any part was changed (the header is authenticated too)', async () => {
    const jwe = encryptCompactA256Gcm({ s: { user: 1 }, iat: NOW_S, exp: NOW_S + 60 }, key);
    const parts = jwe.split('.');
    const flip = (part: string): string => (part[0] === 'A' ? 'B' : 'A') + part.slice(1);
    for (const i of [2, 3, 4]) {
      const changed = [...parts];
      changed[i] = flip(changed[i]!);
      await expect(decrypt(changed.join('.'))).rejects.toThrow();
    }
    const header = base64url.encode(JSON.stringify({ enc: 'A256GCM', alg: 'dir' }));
    await expect(decrypt([header, ...parts.slice(1)].join('.'))).rejects.toThrow();
  });
});
