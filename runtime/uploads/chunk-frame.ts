// The Phoenix channel binary push frame (the official client's `serializer.js` `binaryEncode`):
// one byte of kind (0 = push), four one-byte lengths (join_ref, ref, topic, event), those four
// UTF-8 strings, then the payload bytes. Upload chunks are the only binary frames a client sends.

/** A decoded binary push: the addressing fields and the raw payload (a view of the frame, not a copy). */
export interface ChunkFrame {
  joinRef: string;
  ref: string;
  topic: string;
  event: string;
  payload: Buffer;
}

export type ChunkDecodeResult = { ok: true; frame: ChunkFrame } | { ok: false; detail: string };

const KIND_PUSH = 0;
const HEADER_BYTES = 5;

/** Decodes one binary frame. Never throws: a short or non-push frame comes back as `{ ok: false }`. */
export function decodeChunkFrame(data: Buffer): ChunkDecodeResult {
  if (data.length < HEADER_BYTES) return { ok: false, detail: 'binary frame shorter than its header' };
  if (data[0] !== KIND_PUSH) return { ok: false, detail: `binary frame kind ${data[0]} is not a push` };
  const lengths = [data[1]!, data[2]!, data[3]!, data[4]!];
  const metaEnd = HEADER_BYTES + lengths[0]! + lengths[1]! + lengths[2]! + lengths[3]!;
  if (data.length < metaEnd) return { ok: false, detail: 'binary frame shorter than its declared fields' };
  const fields: string[] = [];
  let offset = HEADER_BYTES;
  for (const length of lengths) {
    fields.push(data.toString('utf8', offset, offset + length));
    offset += length;
  }
  const [joinRef, ref, topic, event] = fields as [string, string, string, string];
  return { ok: true, frame: { joinRef, ref, topic, event, payload: data.subarray(metaEnd) } };
}

/** Encodes a binary push as the official client does (for tests and tools). */
export function encodeChunkFrame(joinRef: string, ref: string, topic: string, event: string, payload: Uint8Array): Buffer {
  const parts = [joinRef, ref, topic, event].map((field) => Buffer.from(field, 'utf8'));
  for (const part of parts) if (part.length > 255) throw new RangeError('binary frame fields are at most 255 bytes');
  const header = Buffer.from([KIND_PUSH, ...parts.map((part) => part.length)]);
  return Buffer.concat([header, ...parts, payload]);
}
