// The upload protocol over real sockets, as the official client speaks it: a change event with
// `uploads`, the `allow_upload` preflight, an `lvu:` channel joined with the entry token, binary
// chunk frames, `progress`, and the submit that consumes. Every bad input of the protocol gets
// its documented error, and every way out leaves no temporary file behind.

import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { statSync } from 'node:fs';
import { join } from 'node:path';
import { connectSocket, joinPayload, type LiveChannel } from '../support/live-client.ts';
import { ManualClock } from '../support/manual-clock.ts';
import { eventually } from '../support/eventually.ts';
import {
  LAB_UPLOAD,
  PNG_1X1,
  clientEntry,
  inputAttribute,
  openUploadPage,
  preflight,
  progress,
  selectFiles,
  sendChunks,
  startUploadLab,
  type UploadLab,
  type UploadPage,
} from '../support/upload-lab.ts';

const PNG = Buffer.concat([PNG_1X1, Buffer.alloc(100, 7)]); // 168 bytes: two chunks of 100
const TEXT = Buffer.from('just some text, not a picture at all; '.repeat(3));

let lab: UploadLab;
const open: UploadPage[] = [];

beforeAll(async () => {
  lab = await startUploadLab();
});
// Every test ends with its sockets closed, and closing them must leave no temporary file.
afterEach(async () => {
  for (const page of open.splice(0)) await page.client.close();
  await eventually(() => lab.tempFiles().length === 0, 'no temporary file left');
});
afterAll(async () => {
  await lab.stop();
});

async function page(): Promise<UploadPage> {
  const p = await openUploadPage(lab.baseUrl);
  open.push(p);
  return p;
}

/** Selects, preflights and joins the upload channel of one entry; returns the channel. */
async function startUpload(p: UploadPage, ref: string, name: string, size: number, type = 'image/png'): Promise<LiveChannel> {
  const entry = clientEntry(ref, name, size, type);
  expect((await selectFiles(p, [entry])).status).toBe('ok');
  const reply = await preflight(p, [entry]);
  const token = (reply.response.entries as Record<string, string>)[ref];
  expect(token, JSON.stringify(reply.response)).toBeTypeOf('string');
  const channel = p.client.channel(`lvu:${ref}`);
  const joined = await channel.join({ token });
  expect(joined.status, JSON.stringify(joined.response)).toBe('ok');
  return channel;
}

describe('the whole protocol', () => {
  it('registers, preflights, uploads in chunks, reports progress, and hands the file to the view on submit', async () => {
    const p = await page();
    expect(inputAttribute(p, 'data-phx-hook')).toBe('Phoenix.LiveFileUpload');
    expect(inputAttribute(p, 'accept')).toBe('.png,image/png');
    expect(p.html()).toContain(' multiple');

    await selectFiles(p, [clientEntry('0', 'me.png', PNG.length)]);
    expect(inputAttribute(p, 'data-phx-active-refs')).toBe('0');
    expect(inputAttribute(p, 'data-phx-preflighted-refs')).toBe('');

    const reply = await preflight(p, [clientEntry('0', 'me.png', PNG.length)]);
    expect(reply.status).toBe('ok');
    expect(reply.response).toMatchObject({
      ref: p.uploadRef,
      config: { max_file_size: 200, max_entries: 2, chunk_size: 100, chunk_timeout: 5000 },
      errors: {},
    });
    expect(inputAttribute(p, 'data-phx-preflighted-refs')).toBe('0');

    const channel = p.client.channel('lvu:0');
    expect((await channel.join({ token: (reply.response.entries as Record<string, string>)['0'] })).status).toBe('ok');
    expect(lab.tempFiles()).toHaveLength(1);
    const file = join(lab.uploadDir, lab.tempFiles()[0]!);
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(statSync(lab.uploadDir).mode & 0o777).toBe(0o700);
    expect(lab.tempFiles()[0]).not.toContain('me');

    expect((await sendChunks(channel, PNG, 100)).status).toBe('ok');
    await progress(p, '0', 59);
    expect(inputAttribute(p, 'data-phx-done-refs')).toBe('');
    await progress(p, '0', 100);
    // The client submits only once the done refs equal the preflighted refs.
    expect(inputAttribute(p, 'data-phx-done-refs')).toBe('0');

    const saved = p.apply(await p.channel.push('event', { type: 'form', event: 'save', value: '', meta: {} }));
    expect(saved.status).toBe('ok');
    expect(p.html()).toContain(`<li>me.png|image/png|${PNG.length}|${PNG.toString('hex')}</li>`);
    expect(inputAttribute(p, 'data-phx-active-refs')).toBe('');
    expect(lab.tempFiles()).toEqual([]);
    // consume closed the upload channel, as Phoenix's does
    await p.client.waitFor((f) => f.topic === 'lvu:0' && f.event === 'phx_close');
  });

  it('progress 100 from a client that did not send every byte does not make the entry done', async () => {
    const p = await page();
    const channel = await startUpload(p, '0', 'me.png', PNG.length);
    await channel.pushBinary('chunk', PNG.subarray(0, 100));
    await progress(p, '0', 100);
    expect(inputAttribute(p, 'data-phx-done-refs')).toBe('');
    await p.channel.push('event', { type: 'form', event: 'save', value: '', meta: {} });
    expect(p.html()).not.toContain('me.png|');
  });
});

describe('what the client declares is checked', () => {
  it('too_large, not_accepted and too_many_files show as errors, and the preflight refuses them', async () => {
    const p = await page();
    await selectFiles(p, [clientEntry('0', 'big.png', 500), clientEntry('1', 'notes.txt', 10, 'text/plain')]);
    expect(p.html()).toContain('<li>0:too_large</li>');
    expect(p.html()).toContain('<li>1:not_accepted</li>');
    expect(inputAttribute(p, 'data-phx-error-refs')).toBe('0,1');
    const refused = await preflight(p, [clientEntry('0', 'big.png', 500), clientEntry('1', 'notes.txt', 10, 'text/plain')]);
    expect(refused.status).toBe('ok');
    expect(refused.response).toMatchObject({
      ref: p.uploadRef,
      error: [
        ['0', 'too_large'],
        ['1', 'not_accepted'],
      ],
    });
    expect(refused.response.entries).toBeUndefined();

    const q = await page();
    const three = ['0', '1', '2'].map((ref) => clientEntry(ref, `${ref}.png`, 10));
    await selectFiles(q, three);
    expect(q.html()).toContain(`<li>${q.uploadRef}:too_many_files</li>`);
    // never more entries held than allowed
    expect(inputAttribute(q, 'data-phx-active-refs')).toBe('0,1');
    const tooMany = await preflight(q, three);
    expect(tooMany.response.error).toEqual([[q.uploadRef, 'too_many_files']]);
  });

  it('a preflight for an upload the view never allowed is refused', async () => {
    const p = await page();
    const reply = await p.channel.push('allow_upload', { ref: 'phx-forged', entries: [clientEntry('0', 'a.png', 10)] });
    expect(reply).toMatchObject({ status: 'error', response: { reason: 'unknown upload' } });
  });
});

describe('what the bytes are is checked', () => {
  it('a file larger than declared ends with file_size_limit_exceeded, and its partial file is removed', async () => {
    const p = await page();
    const channel = await startUpload(p, '0', 'small.png', 50);
    const reply = await channel.pushBinary('chunk', PNG.subarray(0, 100));
    expect(reply).toMatchObject({ status: 'error', response: { reason: 'file_size_limit_exceeded', limit: 50 } });
    await p.client.waitFor((f) => f.topic === 'lvu:0' && f.event === 'phx_close');
    expect(lab.tempFiles()).toEqual([]);
    await progress(p, '0', { error: 'file_size_limit_exceeded' });
    expect(p.html()).toContain('<li>0:too_large</li>');
  });

  it('a PNG name on a text file is not_accepted by its content, and nothing is kept', async () => {
    const p = await page();
    const channel = await startUpload(p, '0', 'holiday.png', TEXT.length);
    const reply = await sendChunks(channel, TEXT, 100);
    expect(reply).toMatchObject({ status: 'error', response: { reason: 'not_accepted' } });
    expect(lab.tempFiles()).toEqual([]);
    await progress(p, '0', { error: 'not_accepted' });
    expect(p.html()).toContain('<li>0:not_accepted</li>');
    await p.channel.push('event', { type: 'form', event: 'save', value: '', meta: {} });
    expect(p.html()).not.toContain('holiday.png|');
  });
});

describe('chunks that have no upload to go to', () => {
  it('a chunk for an entry never joined, a finished entry, or after cancel is refused', async () => {
    const p = await page();
    const stranger = p.client.channel('lvu:77');
    stranger.joinRef = '999';
    expect((await stranger.pushBinary('chunk', Buffer.from('x'))).response).toMatchObject({ reason: 'unmatched topic' });

    const done = await startUpload(p, '0', 'a.png', PNG_1X1.length);
    expect((await done.pushBinary('chunk', PNG_1X1)).status).toBe('ok');
    expect((await done.pushBinary('chunk', Buffer.from('more'))).response).toMatchObject({ reason: 'disallowed' });

    const cancelled = await startUpload(p, '1', 'b.png', PNG.length);
    expect((await cancelled.pushBinary('chunk', PNG.subarray(0, 100))).status).toBe('ok');
    expect(lab.tempFiles()).toHaveLength(2);
    p.apply(await p.channel.event('cancel', { ref: '1' }));
    expect(inputAttribute(p, 'data-phx-active-refs')).toBe('0');
    await p.client.waitFor((f) => f.topic === 'lvu:1' && f.event === 'phx_close');
    expect((await cancelled.pushBinary('chunk', PNG.subarray(100))).response).toMatchObject({ reason: 'unmatched topic' });
    expect(lab.tempFiles()).toHaveLength(1); // entry 0's complete file, until consumed or the view ends
  });

  it('a binary frame on a view topic or on a socket with no upload is refused, and the socket stays up', async () => {
    const p = await page();
    const onView = await p.channel.pushBinary('chunk', Buffer.from('x'));
    expect(onView.response).toMatchObject({ reason: 'malformed message', detail: expect.stringContaining('lvu:') });
    p.client.sendRaw(Buffer.from([9, 9, 9]));
    const error = await p.client.waitFor((f) => f.topic === 'phoenix' && f.event === 'phx_error');
    expect(error.payload.reason).toBe('malformed message');
    expect((await p.client.heartbeat()).status).toBe('ok');
    expect((await p.channel.event('validate')).status).toBe('ok');
  });
});

describe('entry tokens', () => {
  it('a forged token is invalid_token; a token joins one channel once; a foreign socket or entry is disallowed', async () => {
    const p = await page();
    const entry = clientEntry('0', 'a.png', PNG.length);
    await selectFiles(p, [entry]);
    const token = ((await preflight(p, [entry])).response.entries as Record<string, string>)['0']!;
    const forged = token.slice(0, -3) + (token.endsWith('AAA') ? 'BBB' : 'AAA');
    expect((await p.client.channel('lvu:0').join({ token: forged })).response).toEqual({ reason: 'invalid_token' });
    expect((await p.client.channel('lvu:0').join({})).response).toEqual({ reason: 'invalid_token' });
    // another entry's topic
    expect((await p.client.channel('lvu:5').join({ token })).response).toEqual({ reason: 'disallowed' });
    // another socket (same page, same cookie)
    const other = await connectSocket(lab.baseUrl, { cookie: p.page.cookie, csrfToken: p.page.csrfToken });
    try {
      expect((await other.channel('lvu:0').join({ token })).response).toEqual({ reason: 'disallowed' });
    } finally {
      await other.close();
    }
    expect((await p.client.channel('lvu:0').join({ token })).status).toBe('ok');
    expect((await p.client.channel('lvu:0').join({ token })).response).toEqual({ reason: 'already_registered' });
  });

  it('a token outlives neither its view nor its mount', async () => {
    const p = await page();
    const entry = clientEntry('0', 'a.png', PNG.length);
    await selectFiles(p, [entry]);
    const token = ((await preflight(p, [entry])).response.entries as Record<string, string>)['0']!;
    await p.channel.leave();
    expect((await p.client.channel('lvu:0').join({ token })).response).toEqual({ reason: 'disallowed' });
    // the same page mounted again is another view instance
    expect((await p.channel.join(joinPayload(p.page))).status).toBe('ok');
    expect((await p.client.channel('lvu:0').join({ token })).response).toEqual({ reason: 'disallowed' });
  });
});

describe('clean-up on every way out', () => {
  async function partial(p: UploadPage, ref: string): Promise<LiveChannel> {
    const channel = await startUpload(p, ref, `${ref}.png`, PNG.length);
    expect((await channel.pushBinary('chunk', PNG.subarray(0, 100))).status).toBe('ok');
    return channel;
  }

  it('leaving the upload channel mid-file drops the entry and its file', async () => {
    const p = await page();
    const channel = await partial(p, '0');
    expect(lab.tempFiles()).toHaveLength(1);
    await channel.leave();
    expect(lab.tempFiles()).toEqual([]);
    p.apply(await p.channel.event('validate'));
    expect(inputAttribute(p, 'data-phx-active-refs')).toBe('');
  });

  it('the view leaving, the view crashing and the socket closing each remove every file', async () => {
    const a = await page();
    await partial(a, '0');
    const done = await startUpload(a, '1', '1.png', PNG_1X1.length);
    await done.pushBinary('chunk', PNG_1X1); // complete, not consumed
    expect(lab.tempFiles()).toHaveLength(2);
    await a.channel.leave();
    expect(lab.tempFiles()).toEqual([]);

    const b = await page();
    await partial(b, '0');
    b.client.send([b.channel.joinRef, b.client.makeRef(), b.channel.topic, 'event', { type: 'click', event: 'explode', value: {} }]);
    await b.client.waitFor((f) => f.topic === b.channel.topic && f.event === 'phx_error');
    await eventually(() => lab.tempFiles().length === 0, 'files of the crashed view removed');

    const c = await page();
    await partial(c, '0');
    await c.client.close();
    await eventually(() => lab.tempFiles().length === 0, 'files of the closed socket removed');
  });

  it('a client that starts 100 uploads and finishes none is held to the in-flight limit', async () => {
    const wide = await startUploadLab({}, { ...LAB_UPLOAD, maxEntries: 100 });
    try {
      const p = await openUploadPage(wide.baseUrl);
      const entries = Array.from({ length: 100 }, (_, i) => clientEntry(String(i), `${i}.png`, PNG.length));
      await selectFiles(p, entries);
      const tokens = (await preflight(p, entries)).response.entries as Record<string, string>;
      expect(Object.keys(tokens)).toHaveLength(100);
      const replies = await Promise.all(entries.map((_, i) => p.client.channel(`lvu:${i}`).join({ token: tokens[String(i)] })));
      const accepted = replies.filter((r) => r.status === 'ok');
      expect(accepted).toHaveLength(10); // maxUploadsInFlightPerSocket
      expect(replies.filter((r) => r.status === 'error').map((r) => r.response)).toEqual(Array(90).fill({ reason: 'too many uploads' }));
      expect(wide.tempFiles()).toHaveLength(10);
      expect((await p.client.heartbeat()).status).toBe('ok');
      await p.client.close();
      await eventually(() => wide.tempFiles().length === 0 && wide.server.counts().views === 0, 'every file and view gone');
    } finally {
      await wide.stop();
    }
  });
});

describe('timeouts, shutdown, another node', () => {
  it('a stalled upload is dropped after its chunk timeout; a token is refused after its max age', async () => {
    const clock = new ManualClock(Date.now());
    // no heartbeats here: the socket must outlive the clock's jumps
    const timed = await startUploadLab({ clock, limits: { heartbeatTimeoutMs: 10 * 60 * 60 * 1000 } });
    try {
      const p = await openUploadPage(timed.baseUrl);
      const entry = clientEntry('0', 'a.png', PNG.length);
      await selectFiles(p, [entry]);
      const tokens = (await preflight(p, [entry, clientEntry('1', 'b.png', PNG.length)])).response.entries as Record<string, string>;
      await selectFiles(p, [entry, clientEntry('1', 'b.png', PNG.length)]);
      const channel = p.client.channel('lvu:0');
      expect((await channel.join({ token: tokens['0'] })).status).toBe('ok');
      await channel.pushBinary('chunk', PNG.subarray(0, 100));
      expect(timed.tempFiles()).toHaveLength(1);
      clock.advance(5_001);
      await p.client.waitFor((f) => f.topic === 'lvu:0' && f.event === 'phx_close');
      expect(timed.tempFiles()).toEqual([]);

      const late = await preflight(p, [clientEntry('1', 'b.png', PNG.length)]);
      const token = (late.response.entries as Record<string, string>)['1'];
      clock.advance(301_000);
      expect((await p.client.channel('lvu:1').join({ token })).response).toEqual({ reason: 'invalid_token' });
      await p.client.close();
    } finally {
      await timed.stop();
    }
  });

  it('bytes past maxUploadBytesPerSecond delay the chunk reply until the bucket refills', async () => {
    const clock = new ManualClock(Date.now());
    const slow = await startUploadLab({ clock, limits: { heartbeatTimeoutMs: 10 * 60 * 60 * 1000, maxUploadBytesPerSecond: 100 } });
    try {
      const p = await openUploadPage(slow.baseUrl);
      const entry = clientEntry('0', 'a.png', PNG.length);
      await selectFiles(p, [entry]);
      const token = ((await preflight(p, [entry])).response.entries as Record<string, string>)['0'];
      const channel = p.client.channel('lvu:0');
      await channel.join({ token });
      expect((await channel.pushBinary('chunk', PNG.subarray(0, 100))).status).toBe('ok'); // the first second's worth
      const timers = clock.pending;
      let replied = false;
      const second = channel.pushBinary('chunk', PNG.subarray(100)).then((reply) => {
        replied = true;
        return reply;
      });
      await p.client.heartbeat(); // answered after the chunk was read
      expect(replied).toBe(false);
      expect(clock.pending).toBe(timers + 1); // the chunk waits on the clock, not on the disk
      clock.advance(680); // 68 bytes at 100 bytes a second
      expect((await second).status).toBe('ok');
      await p.client.close();
    } finally {
      await slow.stop();
    }
  });

  it('chunks sent without waiting for their replies are held up to maxQueuedChunksPerUpload, then refused', async () => {
    const clock = new ManualClock(Date.now());
    const slow = await startUploadLab({ clock, limits: { heartbeatTimeoutMs: 10 * 60 * 60 * 1000, maxUploadBytesPerSecond: 1 } });
    try {
      const p = await openUploadPage(slow.baseUrl);
      const entry = clientEntry('0', 'a.png', 10);
      await selectFiles(p, [entry]);
      const token = ((await preflight(p, [entry])).response.entries as Record<string, string>)['0'];
      const channel = p.client.channel('lvu:0');
      await channel.join({ token });
      const replies = Array.from({ length: 6 }, () => channel.pushBinary('chunk', Buffer.from([1])));
      // the first byte passes at once; the next ones wait on the clock, four at most
      expect((await replies[5]!).response).toEqual({ reason: 'overloaded' });
      expect((await replies[0]!).status).toBe('ok');
      // one byte a second: each queued chunk is written in its second (and re-arms the chunk timeout)
      for (const reply of replies.slice(1, 4)) {
        clock.advance(1_000);
        expect((await reply).status).toBe('ok');
      }
      // the fifth was held when the first had been written already, refused when it had not
      clock.advance(1_000);
      expect(['ok', 'error']).toContain((await replies[4]!).status);
      await p.client.close();
    } finally {
      await slow.stop();
    }
  });

  it('shutdown removes every temporary file', async () => {
    const other = await startUploadLab();
    const p = await openUploadPage(other.baseUrl);
    const channel = await (async () => {
      const entry = clientEntry('0', 'a.png', PNG.length);
      await selectFiles(p, [entry]);
      const token = ((await preflight(p, [entry])).response.entries as Record<string, string>)['0'];
      const c = p.client.channel('lvu:0');
      await c.join({ token });
      return c;
    })();
    await channel.pushBinary('chunk', PNG.subarray(0, 100));
    expect(other.tempFiles()).toHaveLength(1);
    await other.server.close();
    expect(other.tempFiles()).toEqual([]);
    await other.stop();
  });

  it('an upload channel reaching a node that does not hold the view is refused, saying why', async () => {
    const nodeB = await startUploadLab();
    try {
      const p = await page();
      const entry = clientEntry('0', 'a.png', PNG.length);
      await selectFiles(p, [entry]);
      const token = ((await preflight(p, [entry])).response.entries as Record<string, string>)['0'];
      const q = await openUploadPage(nodeB.baseUrl);
      const reply = await q.client.channel('lvu:0').join({ token });
      expect(reply.response).toMatchObject({ reason: 'disallowed', detail: expect.stringContaining('another node') });
      await q.client.close();
    } finally {
      await nodeB.stop();
    }
  });
});
