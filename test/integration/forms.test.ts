// The post form over a real socket, with the frames the official client sends: a change carries
// `_target` and `_unused_` markers, a submit carries neither. Errors show only for used fields,
// an invalid submit saves nothing, a valid one saves and flashes, and `lv:clear-flash` clears it.

import { beforeAll, describe, expect, it } from 'vitest';
import { useDemoServer } from '../support/use-demo-server.ts';
import { connectSocket, fetchLivePage, joinLivePage, joinPayload, type LiveChannel, type Reply } from '../support/live-client.ts';
import { logIn } from '../support/login.ts';

describe('the post form', () => {
  const s = useDemoServer();
  let aliceCookie: string;
  let bobCookie: string;

  beforeAll(async () => {
    [aliceCookie, bobCookie] = await Promise.all([
      logIn(s.baseUrl, 'alice@example.com', 'alice-password'),
      logIn(s.baseUrl, 'bob@example.com', 'bob-password'),
    ]);
  });

  const storedTitle = (id: number): string => (s.app.db.prepare('SELECT title FROM posts WHERE id = ?').get(id) as { title: string }).title;

  async function open(cookie: string, id: number): Promise<LiveChannel> {
    const page = await fetchLivePage(s.baseUrl, `/posts/${id}`, { cookie });
    const client = s.clients.track(await connectSocket(s.baseUrl, { cookie: page.cookie, csrfToken: page.csrfToken }));
    const channel = client.channel(page.topic);
    expect((await channel.join(joinPayload(page))).status).toBe('ok');
    return channel;
  }

  /** A `phx-change` as the client sends it: the url-encoded form, `_target` in meta. */
  const change = (channel: LiveChannel, encoded: string, target: string): Promise<Reply> =>
    channel.push('event', { type: 'form', event: 'validate_post', value: encoded, meta: { _target: target }, uploads: {} });
  const submit = (channel: LiveChannel, fields: Record<string, string>): Promise<Reply> =>
    channel.push('event', { type: 'form', event: 'update_post', value: new URLSearchParams(fields).toString(), meta: {} });
  const text = (reply: Reply): string => JSON.stringify(reply.response);

  it('shows the title error while typing once the title was used, never for an untouched one', async () => {
    const channel = await open(aliceCookie, 1);

    // The body changed; the title was never focused, so the client marks it unused.
    const untouched = await change(channel, 'title=&_unused_title=&body=new+body', 'body');
    expect(untouched.status).toBe('ok');
    expect(text(untouched)).not.toContain('title-error');

    const used = await change(channel, 'title=&body=new+body', 'title');
    expect(text(used)).toContain('id=\\"title-error\\"');
    expect(text(used)).toContain('Title must not be blank.');

    const tooLong = await change(channel, `title=${'x'.repeat(201)}&body=b`, 'title');
    expect(text(tooLong)).toContain('at most 200 characters');

    const fixed = await change(channel, 'title=Fine&body=b', 'title');
    expect(text(fixed)).not.toContain('at most 200');
    expect(fixed.response).toHaveProperty('diff');
  });

  it('saves nothing on an invalid submit and shows the error', async () => {
    const channel = await open(aliceCookie, 2);
    const before = storedTitle(2);

    const reply = await submit(channel, { title: '   ', body: 'x' });

    expect(reply.status).toBe('ok');
    expect(text(reply)).toContain('Title must not be blank.');
    expect(text(reply)).not.toContain('Post saved');
    expect(storedTitle(2)).toBe(before);
  });

  it('saves a valid submit with a "Post saved" flash, which lv:clear-flash clears', async () => {
    const channel = await open(aliceCookie, 3);

    const saved = await submit(channel, { title: 'Saved by the form', body: 'body' });
    expect(text(saved)).toContain('id=\\"flash-info\\"');
    expect(text(saved)).toContain('Post saved');
    expect(storedTitle(3)).toBe('Saved by the form');

    const cleared = await channel.push('event', { type: 'click', event: 'lv:clear-flash', value: { key: 'info' } });
    expect(cleared.status).toBe('ok');
    expect(cleared.response).toHaveProperty('diff');
    expect(text(cleared)).not.toContain('Post saved');
    // Nothing left to clear: nothing changes.
    const again = await channel.push('event', { type: 'click', event: 'lv:clear-flash', value: { key: 'info' } });
    expect(again.response).toEqual({});
  });

  it('denies the form events to a reader, as every undeclared lv: event', async () => {
    const channel = await open(bobCookie, 1);

    const reply = await change(channel, 'title=&body=', 'title');
    expect(reply).toMatchObject({ status: 'error', response: { reason: 'unauthorized', event: 'validate_post' } });
    const other = await channel.event('lv:something-else');
    expect(other).toMatchObject({ status: 'error', response: { reason: 'unauthorized' } });
    // lv:clear-flash needs no policy: it only clears the reader's own flash.
    expect((await channel.event('lv:clear-flash')).status).toBe('ok');
  });

  it('survives form values of any shape and keeps the socket up', async () => {
    const channel = await open(aliceCookie, 1);
    const before = storedTitle(1);
    for (const encoded of ['title[a][b]=1&body[]=2', '__proto__[x]=1&title=ok', 'title=' + 'é'.repeat(5000), '%%%=&&&=']) {
      const reply = await channel.push('event', {
        type: 'form',
        event: 'update_post',
        value: encoded,
        meta: { _target: { odd: true }, __proto__: { x: 1 } },
      });
      expect(reply.status).toBe('ok');
    }
    expect(({} as { x?: unknown }).x).toBeUndefined();
    // The last valid one ("title=ok") is the only one saved.
    expect(storedTitle(1)).not.toBe(before);
    expect(storedTitle(1)).toBe('ok');
    expect((await change(channel, 'title=x&body=y', 'title')).status).toBe('ok');
  });
});

describe('hook replies', () => {
  const s = useDemoServer();

  it("answers a hook's pushEvent with the handler's reply as the diff's r", async () => {
    const { channel } = s.clients.track(await joinLivePage(s.baseUrl, '/counter'));

    const first = await channel.push('event', { type: 'hook', event: 'parity', value: {} });
    expect(first).toMatchObject({ status: 'ok', response: { diff: { r: { count: 0, parity: 'even' } } } });

    await channel.event('increment');
    const second = await channel.push('event', { type: 'hook', event: 'parity', value: {} });
    expect((second.response.diff as { r: unknown }).r).toEqual({ count: 1, parity: 'odd' });
    // Only the reply: nothing else changed.
    expect(Object.keys(second.response.diff as object)).toEqual(['r']);
  });

  it('answers a hook event whose handler gives no reply without r, and an undeclared one with an error', async () => {
    const { channel } = s.clients.track(await joinLivePage(s.baseUrl, '/counter'));

    const noReply = await channel.push('event', { type: 'hook', event: 'increment', value: {} });
    expect(noReply.status).toBe('ok');
    expect(noReply.response.diff).not.toHaveProperty('r');
    const undeclared = await channel.push('event', { type: 'hook', event: 'no_such_question', value: {} });
    expect(undeclared).toMatchObject({ status: 'error', response: { reason: 'unauthorized' } });
  });
});
