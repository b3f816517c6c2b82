// The caps of runtime/limits.ts that stop one user or one socket from holding the node: each is
// set low here so a handful of frames reaches it, and each refusal is the documented one.

import { afterEach, describe, expect, it, vi } from 'vitest';
import { eventually } from '../support/eventually.ts';
import { connectSocket, fetchLivePage, joinPayload, UpgradeRefusedError, type LiveClient } from '../support/live-client.ts';
import { useDemoServer } from '../support/use-demo-server.ts';
import { systemClock } from '../../server/index.ts';

describe('sockets per session (maxSocketsPerSession)', () => {
  const s = useDemoServer({ limits: { maxSocketsPerSession: 3 } });

  it('refuses the upgrade past the cap with 429, and frees a place when a socket closes', async () => {
    const page = await fetchLivePage(s.baseUrl, '/counter');
    const open = () => connectSocket(s.baseUrl, { cookie: page.cookie, csrfToken: page.csrfToken });
    const sockets: LiveClient[] = [];
    for (let i = 0; i < 3; i++) sockets.push(s.clients.track(await open()));

    const refused = await open().then(
      () => null,
      (err: unknown) => err,
    );
    expect(refused).toBeInstanceOf(UpgradeRefusedError);
    expect((refused as UpgradeRefusedError).status).toBe(429);
    // Another session is not affected.
    const stranger = await fetchLivePage(s.baseUrl, '/counter');
    s.clients.track(await connectSocket(s.baseUrl, { cookie: stranger.cookie, csrfToken: stranger.csrfToken }));

    await sockets[0]!.close();
    await eventually(() => s.server.counts().connections === 3, 'the closed socket forgotten');
    s.clients.track(await open());
  });
});

describe('views per session (maxViewsPerSession)', () => {
  const s = useDemoServer({ limits: { maxViewsPerSession: 2 } });

  it('refuses a join past the cap across the sockets of one session', async () => {
    const first = await fetchLivePage(s.baseUrl, '/counter');
    const pages = [first, ...(await Promise.all([1, 2].map(() => fetchLivePage(s.baseUrl, '/counter', { cookie: first.cookie }))))];
    const open = () => connectSocket(s.baseUrl, { cookie: first.cookie, csrfToken: first.csrfToken });
    const a = s.clients.track(await open());
    const b = s.clients.track(await open());

    expect((await a.channel(pages[0]!.topic).join(joinPayload(pages[0]!))).status).toBe('ok');
    expect((await b.channel(pages[1]!.topic).join(joinPayload(pages[1]!))).status).toBe('ok');
    const refused = await b.channel(pages[2]!.topic).join(joinPayload(pages[2]!));

    expect(refused.status).toBe('error');
    expect(refused.response).toEqual({ reason: 'too many channels joined' });
    expect((await b.heartbeat()).status).toBe('ok');
  });
});

describe('joins per second per socket (maxJoinsPerSecond)', () => {
  const s = useDemoServer({ limits: { maxJoinsPerSecond: 3 } });

  it('refuses joins beyond the rate with overloaded', async () => {
    const page = await fetchLivePage(s.baseUrl, '/counter');
    const client = s.clients.track(await connectSocket(s.baseUrl, { cookie: page.cookie, csrfToken: page.csrfToken }));

    // Sent at once: far less than a second passes, so at most 3 plus a refill of a few.
    const replies = await Promise.all(Array.from({ length: 12 }, (_, i) => client.channel(`lv:phx-flood-${i}`).join(joinPayload(page))));
    const overloaded = replies.filter((r) => r.status === 'error' && r.response.reason === 'overloaded');

    expect(overloaded.length).toBeGreaterThanOrEqual(6);
    expect((await client.heartbeat()).status).toBe('ok');
  });
});

describe('frame fields (maxFrameFieldChars) and log lines (maxLogLinesPerSecond)', () => {
  const s = useDemoServer();
  afterEach(() => {
    vi.restoreAllMocks();
    delete process.env.LOG_LEVEL;
  });

  it('refuses a 60 KB topic without echoing it', async () => {
    const client = s.clients.track(await connectSocket(s.baseUrl));
    const topic = `lv:${'x'.repeat(60_000)}`;
    const texts: string[] = [];
    client.socket.on('message', (data) => texts.push(data.toString()));

    const reply = client.waitFor((f) => f.ref === '2', { what: 'the refusal' });
    client.sendRaw(JSON.stringify(['1', '2', topic, 'event', {}]));
    const frame = await reply;

    expect(frame.topic).toBe('phoenix');
    expect(frame.payload).toMatchObject({ status: 'error', response: { reason: 'malformed message' } });
    expect(Math.max(...texts.map((t) => t.length))).toBeLessThan(300);
  });

  it('writes a flood of malformed frames as a few lines and one summary, not a line each', async () => {
    const lines = captureWarnings();
    const client = await connectSocket(s.baseUrl);
    const limit = s.server.limits.maxLogLinesPerSecond;

    for (let i = 0; i < 500; i++) client.sendRaw('not json');
    expect((await client.heartbeat()).status).toBe('ok');
    await client.close();
    await eventually(() => lines.some((l) => l.includes('"log.suppressed"')), 'the summary line');

    const rejected = lines.filter((l) => l.includes('"frame.rejected"'));
    const summaries = lines.filter((l) => l.includes('"log.suppressed"')).map((l) => JSON.parse(l) as { suppressed: number });
    // Within one second: `limit` lines; a flood that straddles a second may write twice as many.
    expect(rejected.length).toBeLessThanOrEqual(2 * limit);
    expect(rejected.length + summaries.reduce((n, l) => n + l.suppressed, 0)).toBe(500);
  });
});

describe('refused upgrades (maxLogLinesPerSecond, server-wide)', () => {
  // The clock stands still, so the whole flood falls in one second of the log budget.
  const stillNow = Date.now();
  const s = useDemoServer({ clock: { now: () => stillNow, setTimeout: systemClock.setTimeout, clearTimeout: systemClock.clearTimeout } });
  afterEach(() => {
    vi.restoreAllMocks();
    delete process.env.LOG_LEVEL;
  });

  it('writes a flood of upgrades refused for their Origin as the budget allows, not a line each', async () => {
    const lines = captureWarnings();

    for (let i = 0; i < 100; i++) {
      await expect(connectSocket(s.baseUrl, { origin: 'https://evil.example' })).rejects.toBeInstanceOf(UpgradeRefusedError);
    }

    expect(lines.filter((l) => l.includes('"socket.origin_refused"'))).toHaveLength(s.server.limits.maxLogLinesPerSecond);
  });
});

/** The log lines written from now on at `warn` (restored by each describe's afterEach). */
function captureWarnings(): string[] {
  process.env.LOG_LEVEL = 'warn';
  const lines: string[] = [];
  vi.spyOn(process.stderr, 'write').mockImplementation((chunk: string | Uint8Array) => {
    lines.push(String(chunk));
    return true;
  });
  return lines;
}
