// Property-based fuzzing (fast-check) over real sockets: random and mutated HTTP requests and
// upgrades always get an HTTP answer (or a 101), and random and mutated frames on a live socket
// always leave it answering, or closed with a documented code (1009: message too large). A
// boundary leak would surface as an unhandled rejection, which vitest reports as a failure.

import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { fetchLivePage, openLivePage, joinPayload } from '../support/live-client.ts';
import { rawRequest, statusOf } from '../support/raw-http.ts';
import { useDemoServer } from '../support/use-demo-server.ts';

const RUNS = 40;

/** A header value or request target: printable ASCII with the characters URL parsing trips on. */
const fragment = fc.oneof(
  fc.string({ unit: fc.constantFrom(...'abc:/[]@%?#.-_ 0123456789'.split('')), maxLength: 24 }),
  fc.constantFrom('[::1', 'http://[', '//', '%', '*', 'http://a b', '/live/websocket?vsn=2.0.0', 'localhost:1', ''),
);

describe('HTTP requests and upgrades under fuzzing', () => {
  const s = useDemoServer();

  it('always get an HTTP answer, and the server keeps serving', async () => {
    await fc.assert(
      fc.asyncProperty(fragment, fragment, fc.boolean(), fc.option(fragment, { nil: undefined }), async (target, host, upgrade, origin) => {
        const lines = [`GET ${target.replace(/ /g, '') || '/'} HTTP/1.1`, `Host: ${host}`];
        if (upgrade)
          lines.push(
            'Connection: Upgrade',
            'Upgrade: websocket',
            'Sec-WebSocket-Version: 13',
            'Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==',
          );
        else lines.push('Connection: close');
        if (origin !== undefined) lines.push(`Origin: ${origin}`);
        const answer = await rawRequest(Number(new URL(s.baseUrl).port), lines.join('\r\n') + '\r\n\r\n', { timeoutMs: 500 });
        const status = statusOf(answer);
        expect(status, `no answer to ${JSON.stringify(lines)}`).not.toBeNull();
        expect(status! < 500 || status === 503).toBe(true);
      }),
      { numRuns: RUNS },
    );
    expect((await fetch(`${s.baseUrl}/counter`)).status).toBe(200);
  });
});

describe('frames on a live socket under fuzzing', () => {
  const s = useDemoServer();

  it('always leave the socket answering heartbeats (or closed with 1009)', async () => {
    const { page, client } = s.clients.track(await openLivePage(s.baseUrl, '/counter'));
    const view = client.channel(page.topic);
    expect((await view.join(joinPayload(page))).status).toBe('ok');
    const other = await fetchLivePage(s.baseUrl, '/counter', { cookie: page.cookie });

    const event = fc.constantFrom(
      'phx_join',
      'event',
      'heartbeat',
      'phx_leave',
      'live_patch',
      'cids_destroyed',
      'cids_will_destroy',
      'nope',
    );
    const topic = fc.constantFrom(page.topic, other.topic, 'phoenix', 'lv:', 'lv:x', '');
    const payload = fc.oneof(
      fc.dictionary(fc.string({ maxLength: 6 }), fc.jsonValue({ maxDepth: 2 }), { maxKeys: 4 }),
      fc.constant(joinPayload(other)),
      fc.record({
        type: fc.constantFrom('click', 'form', 'keyup'),
        event: fc.constantFrom('increment', 'set', 'nope'),
        value: fc.jsonValue({ maxDepth: 2 }),
      }),
    );
    const frame = fc.tuple(
      fc.option(fc.constantFrom('1', '2', '99'), { nil: null }),
      fc.nat(1000).map((n) => `f${n}`),
      topic,
      event,
      payload,
    );
    // Refs start with `f`, so no fuzzed reply can be taken for the heartbeat's (plain numbers).
    const mutated = fc.oneof(
      frame.map((f) => JSON.stringify(f)),
      fc.tuple(frame, fc.nat(5), fc.jsonValue({ maxDepth: 1 })).map(([f, i, v]) => {
        const list: unknown[] = [...f];
        list[i] = v;
        return JSON.stringify(list);
      }),
      fc.string({ maxLength: 40 }),
    );

    await fc.assert(
      fc.asyncProperty(fc.array(mutated, { minLength: 1, maxLength: 5 }), async (texts) => {
        for (const text of texts) client.sendRaw(text);
        const reply = await client.heartbeat();
        expect(reply.status).toBe('ok');
      }),
      { numRuns: RUNS * 2 },
    );
  });

  it('closes a socket whose message is too large with 1009, the documented close', async () => {
    const { client } = s.clients.track(await openLivePage(s.baseUrl, '/counter'));
    client.sendRaw(JSON.stringify([null, '1', 'phoenix', 'heartbeat', { pad: 'x'.repeat(s.server.limits.maxMessageBytes) }]));
    expect((await client.closed).code).toBe(1009);
  });
});
