import { describe, expect, it } from 'vitest';
import { LiveError } from '../../runtime/errors.ts';
import { decodeFrame, encodeFrame, encodeReply, type DecodeResult } from '../../runtime/frame.ts';

/** Narrows to the failure branch, failing the test when the frame decoded. */
function failure(result: DecodeResult): Extract<DecodeResult, { ok: false }> {
  if (result.ok) throw new Error(`expected a malformed frame, got ${JSON.stringify(result.frame)}`);
  return result;
}

describe('decodeFrame', () => {
  it('decodes a join frame', () => {
    const text = '["4","4","lv:phx-ROOT1","phx_join",{"url":"http://x/","params":{}}]';
    expect(decodeFrame(text)).toEqual({
      ok: true,
      frame: {
        joinRef: '4',
        ref: '4',
        topic: 'lv:phx-ROOT1',
        event: 'phx_join',
        payload: { url: 'http://x/', params: {} },
      },
    });
  });

  it('decodes null refs', () => {
    const result = decodeFrame('[null,null,"phoenix","heartbeat",{}]');
    expect(result).toEqual({
      ok: true,
      frame: { joinRef: null, ref: null, topic: 'phoenix', event: 'heartbeat', payload: {} },
    });
  });

  it('keeps refs byte-for-byte', () => {
    const result = decodeFrame('["007"," 8 ","t","e",{}]');
    expect(result.ok && [result.frame.joinRef, result.frame.ref]).toEqual(['007', ' 8 ']);
  });

  it('refuses text that is not JSON', () => {
    const result = failure(decodeFrame('["4","4",'));
    expect(result.error).toBeInstanceOf(LiveError);
    expect(result.error.code).toBe('LV_ERR_MESSAGE_MALFORMED');
    expect(result).toMatchObject({ ref: null, joinRef: null, topic: null });
  });

  it('refuses JSON that is not an array', () => {
    for (const text of ['{"join_ref":"1"}', '"text"', '42', 'null']) {
      const result = failure(decodeFrame(text));
      expect(result.error.code).toBe('LV_ERR_MESSAGE_MALFORMED');
      expect(result).toMatchObject({ ref: null, joinRef: null, topic: null });
    }
  });

  it('refuses an array of four elements and salvages its addressing', () => {
    const result = failure(decodeFrame('["1","2","lv:a","event"]'));
    expect(result.error.code).toBe('LV_ERR_MESSAGE_MALFORMED');
    expect(result).toMatchObject({ joinRef: '1', ref: '2', topic: 'lv:a' });
  });

  it('refuses an array of six elements', () => {
    const result = failure(decodeFrame('["1","2","lv:a","event",{},{}]'));
    expect(result.error.code).toBe('LV_ERR_MESSAGE_MALFORMED');
    expect(result).toMatchObject({ joinRef: '1', ref: '2', topic: 'lv:a' });
  });

  it('refuses an empty array', () => {
    const result = failure(decodeFrame('[]'));
    expect(result).toMatchObject({ joinRef: null, ref: null, topic: null });
  });

  it('refuses a numeric join_ref and keeps the ref and topic', () => {
    const result = failure(decodeFrame('[4,"5","lv:a","event",{}]'));
    expect(result.error.code).toBe('LV_ERR_MESSAGE_MALFORMED');
    expect(result).toMatchObject({ joinRef: null, ref: '5', topic: 'lv:a' });
  });

  it('refuses a numeric ref and keeps the join_ref and topic', () => {
    const result = failure(decodeFrame('["4",5,"lv:a","event",{}]'));
    expect(result.error.code).toBe('LV_ERR_MESSAGE_MALFORMED');
    expect(result).toMatchObject({ joinRef: '4', ref: null, topic: 'lv:a' });
  });

  it('refuses a null topic and keeps the refs', () => {
    const result = failure(decodeFrame('["4","5",null,"event",{}]'));
    expect(result.error.code).toBe('LV_ERR_MESSAGE_MALFORMED');
    expect(result).toMatchObject({ joinRef: '4', ref: '5', topic: null });
  });

  it('refuses a non-string event', () => {
    const result = failure(decodeFrame('["4","5","lv:a",7,{}]'));
    expect(result.error.code).toBe('LV_ERR_MESSAGE_MALFORMED');
    expect(result).toMatchObject({ joinRef: '4', ref: '5', topic: 'lv:a' });
  });

  it('refuses a payload that is an array, a string, a number or null', () => {
    for (const payload of ['[]', '"text"', '1', 'null']) {
      const result = failure(decodeFrame(`["4","5","lv:a","event",${payload}]`));
      expect(result.error.code).toBe('LV_ERR_MESSAGE_MALFORMED');
      expect(result).toMatchObject({ joinRef: '4', ref: '5', topic: 'lv:a' });
    }
  });

  it('gives the client only the generic reason', () => {
    const result = failure(decodeFrame('nope'));
    expect(result.error.reason).toBe('malformed message');
  });
});

describe('encodeFrame', () => {
  it('encodes a five-element array with the payload last', () => {
    const text = encodeFrame('4', null, 'lv:a', 'diff', { 0: 'x' });
    expect(JSON.parse(text)).toEqual(['4', null, 'lv:a', 'diff', { 0: 'x' }]);
  });

  it('round-trips through decodeFrame', () => {
    const text = encodeFrame(null, '9', 'phoenix', 'heartbeat', {});
    expect(decodeFrame(text)).toEqual({
      ok: true,
      frame: { joinRef: null, ref: '9', topic: 'phoenix', event: 'heartbeat', payload: {} },
    });
  });
});

describe('encodeReply', () => {
  it('encodes a phx_reply with status and response', () => {
    const text = encodeReply('4', '7', 'lv:a', 'ok', { diff: { 0: '1' } });
    expect(JSON.parse(text)).toEqual(['4', '7', 'lv:a', 'phx_reply', { status: 'ok', response: { diff: { 0: '1' } } }]);
  });

  it('encodes an error reply', () => {
    const text = encodeReply(null, '3', 'lv:b', 'error', { reason: 'stale' });
    expect(JSON.parse(text)).toEqual([null, '3', 'lv:b', 'phx_reply', { status: 'error', response: { reason: 'stale' } }]);
  });
});
