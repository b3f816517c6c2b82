// Property-based fuzzing (fast-check) of what decodes untrusted input without a socket: the frame
// decoder, the form decoder and the router. Random and mutated input must never throw, and what
// comes back must hold the documented bounds. Run counts are modest to keep the suite fast; a
// failure prints the seed that replays it.

import fc from 'fast-check';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { buildApp } from '../../apps/app.ts';
import { decodeFormParams } from '../../runtime/form-params.ts';
import { decodeFrame } from '../../runtime/frame.ts';
import { DEFAULT_LIMITS } from '../../runtime/limits.ts';

const RUNS = 300;
const MAX = DEFAULT_LIMITS.maxFrameFieldChars;

/** A valid client frame, as the official client sends them. */
const validFrame = fc.tuple(
  fc.option(fc.nat().map(String), { nil: null }),
  fc.option(fc.nat().map(String), { nil: null }),
  fc.oneof(
    fc.constant('phoenix'),
    fc.string().map((s) => `lv:${s}`),
  ),
  fc.constantFrom('phx_join', 'event', 'heartbeat', 'phx_leave', 'live_patch', 'cids_destroyed'),
  fc.dictionary(fc.string(), fc.jsonValue()),
);

/** A valid frame with one element replaced by anything JSON can carry, or one added or removed. */
const mutatedFrame = fc
  .tuple(validFrame, fc.nat(6), fc.jsonValue(), fc.constantFrom('replace', 'insert', 'delete', 'long'))
  .map(([frame, at, value, how]) => {
    const list: unknown[] = [...frame];
    const i = at % (list.length + 1);
    if (how === 'replace') list[i] = value;
    else if (how === 'insert') list.splice(i, 0, value);
    else if (how === 'delete') list.splice(i, 1);
    else list[i % 4] = 'x'.repeat(MAX + 1 + at);
    return JSON.stringify(list);
  });

/** Text cut at random from a valid frame: truncated JSON, as a reset mid-frame would leave. */
const truncatedFrame = fc.tuple(validFrame, fc.nat()).map(([frame, cut]) => {
  const text = JSON.stringify(frame);
  return text.slice(0, cut % (text.length + 1));
});

describe('the frame decoder under fuzzing', () => {
  it('never throws, and a refusal salvages only fields within maxFrameFieldChars', () => {
    fc.assert(
      fc.property(fc.oneof(fc.string(), fc.json(), mutatedFrame, truncatedFrame), (text) => {
        const result = decodeFrame(text);
        if (result.ok) {
          const { joinRef, ref, topic, event, payload } = result.frame;
          for (const field of [joinRef, ref, topic, event]) expect(field === null || field.length <= MAX).toBe(true);
          expect(typeof payload === 'object' && payload !== null && !Array.isArray(payload)).toBe(true);
        } else {
          expect(result.error.code).toMatch(/^LV_ERR_(MESSAGE_MALFORMED|FIELD_TOO_LONG)$/);
          for (const field of [result.ref, result.joinRef, result.topic]) expect(field === null || field.length <= MAX).toBe(true);
        }
      }),
      { numRuns: RUNS },
    );
  });

  it('accepts every valid frame unchanged', () => {
    fc.assert(
      fc.property(validFrame, (frame) => {
        const result = decodeFrame(JSON.stringify(frame));
        expect(result.ok).toBe(true);
      }),
      { numRuns: RUNS },
    );
  });
});

/** Form names with brackets, the forbidden keys and percent-encoding, so nesting paths are reached. */
const formName = fc
  .array(fc.oneof(fc.string({ maxLength: 6 }), fc.constantFrom('__proto__', 'constructor', 'prototype', '', '[', ']', '%5B', '%')), {
    maxLength: 6,
  })
  .map(
    (parts) =>
      parts[0] +
      parts
        .slice(1)
        .map((p) => `[${p}]`)
        .join(''),
  );
const formBody = fc.oneof(
  fc.string(),
  fc.array(fc.tuple(formName, fc.string({ maxLength: 8 })), { maxLength: 8 }).map((pairs) => pairs.map(([k, v]) => `${k}=${v}`).join('&')),
);

describe('the form decoder under fuzzing', () => {
  it('never throws and never reaches a prototype', () => {
    fc.assert(
      fc.property(formBody, (body) => {
        const params = decodeFormParams(body);
        expect(Object.getPrototypeOf(params)).toBeNull();
        expect(({} as Record<string, unknown>).polluted).toBeUndefined();
        expect(Object.prototype).not.toHaveProperty('0');
      }),
      { numRuns: RUNS },
    );
  });
});

describe('the router under fuzzing', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'liveward-fuzz-'));
  const app = buildApp({ dataDir });
  afterAll(() => {
    app.close();
    rmSync(dataDir, { recursive: true, force: true });
  });

  const segment = fc.oneof(
    fc.string({ maxLength: 8 }),
    fc.constantFrom('posts', 'counter', 'login', '7', '%', '%E0%A4%A', '%00', '..', '__proto__'),
  );
  const path = fc.array(segment, { maxLength: 5 }).map((parts) => `/${parts.join('/')}`);
  const query = fc.array(fc.tuple(fc.string({ maxLength: 6 }), fc.string({ maxLength: 6 })), { maxLength: 4 });

  it('answers every path and method with a match or null, never a throw', () => {
    fc.assert(
      fc.property(path, query, fc.constantFrom('GET', 'POST', 'HEAD', 'DELETE', 'BREW'), (pathname, pairs, method) => {
        let url: URL;
        try {
          url = new URL(pathname, 'http://localhost');
        } catch {
          return; // the HTTP boundary answers 400 before the router sees it
        }
        for (const [k, v] of pairs) url.searchParams.append(k, v);
        app.router.matchLiveUrl(url);
        app.router.matchHttp(method, url.pathname);
        app.router.hasPath(url.pathname);
      }),
      { numRuns: RUNS },
    );
  });
});
