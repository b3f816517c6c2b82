// A micro-benchmark of the cryptography one join does, in-process and without sockets: the page
// GET signs the two view tokens (HS256 JWS) and writes the session cookie (JWE, AES-256-GCM), the
// upgrade reads the cookie, the join verifies the two tokens; then the same reads with the caches
// warm (a cookie this node wrote, tokens it signed: `maxCachedCookieSessions`,
// `maxMintedViewTokens`), as the join that follows a page on the same node does; and, for
// comparison, jose's own `SignJWT` and `EncryptJWT`, which the server signed and encrypted with
// before `compact-token.ts`. Each operation runs `ops` times with
// `concurrency` in flight (as a ramp overlaps joins); it prints the process CPU time (every thread:
// WebCrypto works on libuv's pool) and the wall time per operation, median of 5 rounds.
// `npx tsx --conditions=liveward-source bench/join-crypto.ts [ops] [concurrency]`. Compare runs on
// the same machine only.

import { EncryptJWT, SignJWT } from 'jose';
import { systemClock } from '../runtime/clock.ts';
import { CookieSessionStore } from '../runtime/security/cookie-session.ts';
import { Keyring } from '../runtime/security/keyring.ts';
import { ViewTokens } from '../runtime/security/view-token.ts';

const ops = Number(process.argv[2] ?? 2000);
const concurrency = Number(process.argv[3] ?? 50);

const keyring = new Keyring('bench-secret-key-base-that-is-long-enough-0123456789');
const tokens = new ViewTokens(keyring, systemClock, 1_209_600);
const cookieOptions = { name: '_liveward_session', maxAgeS: 2_592_000, secure: false };
const cookies = new CookieSessionStore(keyring, systemClock, cookieOptions);
const cachedCookies = new CookieSessionStore(keyring, systemClock, { ...cookieOptions, cachedSessions: 1_000 });
const cachedTokens = new ViewTokens(keyring, systemClock, 1_209_600, 2 * ops);
const session = { _csrf_token: 'aGVsbG8td29ybGQtY3NyZi1zZWNyZXQ' };
const claims = { id: 'phx-rT8P5GMxns73WiCk', view: 'Counter', liveSession: 'default', session: {} };

const sessionToken = await tokens.signSession(claims);
const staticToken = await tokens.signStatic({ id: claims.id, assignNew: [] });
const cookieValueOf = (setCookie: string): string => setCookie.split(';')[0]!.split('=')[1]!;
const cookie = cookieValueOf(await cookies.write(session));
const cachedCookie = cookieValueOf(await cachedCookies.write(session));
/** Tokens signed by `cachedTokens`, each verified once by a round (signed again before each round). */
let minted: { session: string; static: string }[] = [];
const mint = async (): Promise<void> => {
  minted = [];
  for (let i = 0; i < ops; i++)
    minted.push({
      // One id per page, as the dead render's: equal claims in the same second make equal tokens.
      session: await cachedTokens.signSession({ ...claims, id: `phx-${String(i).padStart(16, '0')}` }),
      static: await cachedTokens.signStatic({ id: `phx-${String(i).padStart(16, '0')}`, assignNew: [] }),
    });
};

const operations: Record<string, (i: number) => Promise<unknown>> = {
  'sign session token (GET)': () => tokens.signSession(claims),
  'sign static token (GET)': () => tokens.signStatic({ id: claims.id, assignNew: [] }),
  'write cookie (GET, new session)': () => cookies.write(session),
  'read cookie (upgrade)': () => cookies.read(cookie),
  'verify session token (join)': () => tokens.verifySession(sessionToken),
  'verify static token (join)': () => tokens.verifyStatic(staticToken),
  'jose SignJWT, HS256 (before)': async () => {
    const nowS = Math.floor(Date.now() / 1000);
    return new SignJWT({ v: 1, sid: claims.id, view: claims.view, ls: claims.liveSession, ext: {} })
      .setProtectedHeader({ alg: 'HS256' })
      .setIssuedAt(nowS)
      .setExpirationTime(nowS + 1_209_600)
      .sign(await keyring.hmacKey('view-session'));
  },
  'jose EncryptJWT, A256GCM (before)': async () => {
    const nowS = Math.floor(Date.now() / 1000);
    return new EncryptJWT({ s: session })
      .setProtectedHeader({ alg: 'dir', enc: 'A256GCM' })
      .setIssuedAt(nowS)
      .setExpirationTime(nowS + 2_592_000)
      .encrypt(await keyring.aesKey('cookie-session'));
  },
  'read cookie, cache warm (upgrade)': () => cachedCookies.read(cachedCookie),
  'verify session token, minted here': (i) => cachedTokens.verifySession(minted[i]!.session),
  'verify static token, minted here': (i) => cachedTokens.verifyStatic(minted[i]!.static),
};

async function round(name: string, op: (i: number) => Promise<unknown>): Promise<{ cpu: number; wall: number }> {
  if (name.includes('minted here')) await mint();
  let next = 0;
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < ops) await op(next++);
    }),
  );
  const wall = ((performance.now() - t0) * 1000) / ops;
  const { user, system } = process.cpuUsage(cpu0);
  return { cpu: (user + system) / ops, wall };
}

const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const cpuOf: Record<string, number> = {};
for (const [name, op] of Object.entries(operations)) {
  await round(name, op); // warm-up
  const rounds = [];
  for (let i = 0; i < 5; i++) rounds.push(await round(name, op));
  const cpu = median(rounds.map((r) => r.cpu));
  cpuOf[name] = cpu;
  process.stdout.write(
    `${name.padEnd(34)} ${cpu.toFixed(1).padStart(6)} µs CPU  ${median(rounds.map((r) => r.wall))
      .toFixed(1)
      .padStart(6)} µs wall\n`,
  );
}
const sum = (names: string[]): string =>
  names
    .reduce((total, name) => total + cpuOf[name]!, 0)
    .toFixed(1)
    .padStart(6);
const names = Object.keys(operations);
process.stdout.write(`${'one join, no cache'.padEnd(34)} ${sum(names.slice(0, 6))} µs CPU\n`);
process.stdout.write(`${'one join, caches warm'.padEnd(34)} ${sum([...names.slice(0, 3), ...names.slice(8)])} µs CPU\n`);
process.stdout.write(
  `${'one join, jose signing, no cache'.padEnd(34)} ${sum([names[6]!, names[6]!, names[7]!, ...names.slice(3, 6)])} µs CPU\n`,
);
