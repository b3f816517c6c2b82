import { describe, expect, it } from 'vitest';
import { decodeChunkFrame, encodeChunkFrame } from '../../../runtime/uploads/chunk-frame.ts';

describe('decodeChunkFrame', () => {
  it('reads the frame the official client encodes (kind, four lengths, four fields, bytes)', () => {
    // What phoenix/serializer.js binaryEncode produces for join_ref "12", ref "34", topic "lvu:0", event "chunk".
    const header = [0, 2, 2, 5, 5, ...Buffer.from('1234lvu:0chunk')];
    const decoded = decodeChunkFrame(Buffer.from([...header, 1, 2, 3]));
    expect(decoded).toEqual({
      ok: true,
      frame: { joinRef: '12', ref: '34', topic: 'lvu:0', event: 'chunk', payload: Buffer.from([1, 2, 3]) },
    });
    expect(encodeChunkFrame('12', '34', 'lvu:0', 'chunk', Buffer.from([1, 2, 3]))).toEqual(Buffer.from([...header, 1, 2, 3]));
  });

  it('refuses frames shorter than their header or fields, and kinds other than push', () => {
    expect(decodeChunkFrame(Buffer.from([0, 1]))).toMatchObject({ ok: false });
    expect(decodeChunkFrame(Buffer.from([0, 9, 0, 0, 0, 1]))).toMatchObject({ ok: false, detail: expect.stringContaining('declared') });
    expect(decodeChunkFrame(Buffer.from([1, 0, 0, 0, 0]))).toMatchObject({ ok: false, detail: expect.stringContaining('not a push') });
  });

  it('takes an empty payload', () => {
    expect(decodeChunkFrame(encodeChunkFrame('1', '2', 'lvu:1', 'chunk', new Uint8Array()))).toMatchObject({
      ok: true,
      frame: { payload: Buffer.alloc(0) },
    });
  });
});
