// live_patch: the URL changes within one view; `handleParams` runs again on the same process and
// only what changed travels. A patch to another view or liveSession is answered `link_redirect`.

import { describe, expect, it } from 'vitest';
import { useDemoServer } from '../support/use-demo-server.ts';
import { joinLivePage } from '../support/live-client.ts';

describe('live_patch', () => {
  const s = useDemoServer();
  const { clients } = s;

  it('runs handleParams with the new query and keeps the state of the mounted view', async () => {
    const { channel } = clients.track(await joinLivePage(s.baseUrl, '/counter'));
    expect((await channel.event('increment')).response).toEqual({ diff: { 0: '1', 1: '1' } });

    const patched = await channel.push('live_patch', { url: `${s.baseUrl}/counter?step=10` });
    expect(patched.status).toBe('ok');
    expect(patched.response).toEqual({ diff: { 2: '10' } }); // only the step changed; the count stays

    expect((await channel.event('increment')).response).toEqual({ diff: { 0: '11', 1: '11' } });
  });

  it('falls back to the default for a step the view does not offer', async () => {
    const { channel } = clients.track(await joinLivePage(s.baseUrl, '/counter?step=100'));
    const patched = await channel.push('live_patch', { url: `${s.baseUrl}/counter?step=7` });
    expect(patched.response).toEqual({ diff: { 2: '1' } });
  });

  it('answers link_redirect for a URL of another view, without calling handleParams', async () => {
    const { channel } = clients.track(await joinLivePage(s.baseUrl, '/counter'));
    const patched = await channel.push('live_patch', { url: `${s.baseUrl}/clock` });
    expect(patched.response).toEqual({ link_redirect: true });
    expect((await channel.event('increment')).response).toEqual({ diff: { 0: '1', 1: '1' } });
  });
});
