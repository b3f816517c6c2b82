import { describe, expect, it } from 'vitest';
import { useDemoServer } from '../support/use-demo-server.ts';
import { joinLivePage, type JoinedPage, type Reply } from '../support/live-client.ts';

/** The dynamic slot of the counter's `<span id="count">`, read from the join's statics. */
function countSlot(joined: JoinedPage): string {
  const statics = (joined.reply.response.rendered as { s: string[] }).s;
  const index = statics.findIndex((text) => text.endsWith('<span id="count">'));
  expect(index).toBeGreaterThanOrEqual(0);
  return String(index);
}

function diffOf(reply: Reply): Record<string, unknown> {
  expect(reply.status).toBe('ok');
  return reply.response.diff as Record<string, unknown>;
}

describe('client events on a joined view', () => {
  const s = useDemoServer();
  const { clients } = s;

  it('answers increment with a diff of the changed dynamics only, without statics', async () => {
    const joined = clients.track(await joinLivePage(s.baseUrl, '/counter'));

    const reply = await joined.channel.event('increment');

    expect(Object.keys(reply.response)).toEqual(['diff']);
    const diff = diffOf(reply);
    expect(diff[countSlot(joined)]).toBe('1');
    expect(JSON.stringify(diff)).not.toContain('"s"');
    // Only dynamics that changed: both slots render the count.
    expect(diff).toEqual({ '0': '1', '1': '1' });
  });

  it('answers an event that changes nothing with an empty response', async () => {
    const joined = clients.track(await joinLivePage(s.baseUrl, '/counter'));

    const reply = await joined.channel.event('set', { n: '0' });

    expect(reply.status).toBe('ok');
    expect(reply.response).toEqual({});
  });

  it('sets the count from the event value', async () => {
    const joined = clients.track(await joinLivePage(s.baseUrl, '/counter'));

    const set = await joined.channel.event('set', { n: '7' });
    const increment = await joined.channel.event('increment');

    expect(diffOf(set)[countSlot(joined)]).toBe('7');
    expect(diffOf(increment)[countSlot(joined)]).toBe('8');
  });

  it('decodes a form submit of set from its url-encoded value', async () => {
    const joined = clients.track(await joinLivePage(s.baseUrl, '/counter'));

    const reply = await joined.channel.push('event', { type: 'form', event: 'set', value: 'n=12', meta: {} });

    expect(diffOf(reply)[countSlot(joined)]).toBe('12');
  });

  // A form value is whatever the client sends: a nested key (`n[a]=1` decodes to an object), a
  // list, a fraction or text must leave the count alone, with no crash and the view still live.
  it.each(['n[a]=1', 'n[]=1&n[]=2', 'n=1.5', 'n=abc', 'n=1e3', 'n=99999999999999999999', 'n=', 'm=4'])(
    'ignores a set form whose n is not an integer (%s), and the view stays live',
    async (value) => {
      const joined = clients.track(await joinLivePage(s.baseUrl, '/counter'));
      await joined.channel.event('set', { n: '5' });

      const reply = await joined.channel.push('event', { type: 'form', event: 'set', value, meta: {} });
      const increment = await joined.channel.event('increment');

      expect(reply.status).toBe('ok');
      expect(reply.response).toEqual({});
      expect(diffOf(increment)[countSlot(joined)]).toBe('6');
      expect(joined.client.takeUnread().map((frame) => frame.event)).not.toContain('phx_error');
    },
  );

  it('answers 50 pipelined increments in ref order and applies every one', async () => {
    const joined = clients.track(await joinLivePage(s.baseUrl, '/counter'));

    const pending: Promise<Reply>[] = [];
    for (let i = 0; i < 50; i++) pending.push(joined.channel.event('increment'));
    const replies = await Promise.all(pending);

    const arrival = replies.map((r) => r.frame.seq);
    expect(arrival).toEqual([...arrival].sort((a, b) => a - b));
    const counts = replies.map((r) => diffOf(r)[countSlot(joined)]);
    expect(counts).toEqual(Array.from({ length: 50 }, (_, i) => String(i + 1)));
    expect(counts.at(-1)).toBe('50');
  });

  // The client matches a reply to its push by ref alone, so each reply must carry the ref of the
  // frame it answers. Every push here sets a different count: a reply under another push's ref
  // shows that push's value.
  it('answers each of 50 pipelined events under its own ref, with its own result', async () => {
    const joined = clients.track(await joinLivePage(s.baseUrl, '/counter'));
    const values = Array.from({ length: 50 }, (_, i) => String(100 + ((i * 37) % 50)));

    const replies = await Promise.all(values.map((n) => joined.channel.event('set', { n })));

    expect(replies.map((r) => diffOf(r)[countSlot(joined)])).toEqual(values);
  });
});
