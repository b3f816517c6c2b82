// The demo's `/profile` over a raw socket: the avatar upload end to end (stored under the user's
// id, served with its real type and nosniff), and every upload frame behind the signed-in policy:
// once the login session is gone, the preflight, progress and the form's events are refused.

import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { liveSocketIdFor } from '../../apps/auth/accounts.ts';
import { eventually } from '../support/eventually.ts';
import { useDemoServer } from '../support/use-demo-server.ts';
import { connectSocket, fetchLivePage, joinPayload, type LiveChannel } from '../support/live-client.ts';
import { logInSeeded } from '../support/login.ts';
import { makePng } from '../support/images.ts';
import { RenderedTree } from '../../testing/rendered.ts';

// A directory of this file's own (the server makes it owner-only), to count temporary files in.
const uploadDir = join(mkdtempSync(join(tmpdir(), 'profile-upload-')), 'uploads');
afterAll(() => rmSync(dirname(uploadDir), { recursive: true, force: true }));

describe('/profile', () => {
  const s = useDemoServer({ uploadDir });

  async function openProfile(cookie: string) {
    const page = await fetchLivePage(s.baseUrl, '/profile', { cookie });
    const client = s.clients.track(await connectSocket(s.baseUrl, { cookie: page.cookie, csrfToken: page.csrfToken }));
    const channel = client.channel(page.topic);
    const joined = await channel.join(joinPayload(page));
    expect(joined.status).toBe('ok');
    const tree = new RenderedTree();
    tree.reset(joined.response.rendered as Record<string, unknown>);
    const uploadRef = /data-phx-upload-ref="([^"]+)"/.exec(tree.toHtml())![1]!;
    return { page, client, channel, uploadRef };
  }

  const entry = (size: number) => ({
    path: 'avatar',
    ref: '0',
    last_modified: 1,
    name: 'me.png',
    relative_path: '',
    type: 'image/png',
    size,
  });

  async function form(channel: LiveChannel, event: string, uploads?: Record<string, unknown>) {
    return channel.push('event', { type: 'form', event, value: '', meta: { _target: 'avatar' }, ...(uploads ? { uploads } : {}) });
  }

  it('uploads an avatar and serves it with its real type, to signed-in users only', async () => {
    const [{ user: alice, cookie }] = await logInSeeded(s, 'alice');
    const { client, channel, uploadRef } = await openProfile(cookie);
    const picture = makePng(16, 16);
    expect((await form(channel, 'validate_avatar', { [uploadRef]: [entry(picture.length)] })).status).toBe('ok');
    const preflight = await channel.push('allow_upload', { ref: uploadRef, entries: [entry(picture.length)] });
    expect(preflight.response).toMatchObject({ config: { max_file_size: 2_000_000, max_entries: 1 } });
    const lvu = client.channel('lvu:0');
    expect((await lvu.join({ token: (preflight.response.entries as Record<string, string>)['0'] })).status).toBe('ok');
    expect((await lvu.pushBinary('chunk', picture)).status).toBe('ok');
    expect((await channel.push('progress', { event: null, ref: uploadRef, entry_ref: '0', progress: 100 })).status).toBe('ok');
    const saved = await form(channel, 'save_avatar');
    expect(JSON.stringify(saved.response.diff)).toContain(`/avatars/${alice.id}?v=`);

    const served = await fetch(new URL(`/avatars/${alice.id}`, s.baseUrl), { headers: { cookie } });
    expect(served.status).toBe(200);
    expect(served.headers.get('content-type')).toBe('image/png');
    expect(served.headers.get('x-content-type-options')).toBe('nosniff');
    expect(Buffer.from(await served.arrayBuffer()).equals(picture)).toBe(true);

    const anonymous = await fetch(new URL(`/avatars/${alice.id}`, s.baseUrl), { redirect: 'manual' });
    expect(anonymous.status).toBe(302);
    await anonymous.text();
    expect((await fetch(new URL('/avatars/..%2f..%2fdemo.db', s.baseUrl), { headers: { cookie } })).status).toBe(404);
  });

  it('a disconnect of the user (logout, an operator) removes the partial upload', async () => {
    const [{ user: alice, cookie }] = await logInSeeded(s, 'alice');
    const { client, channel, uploadRef } = await openProfile(cookie);
    expect((await form(channel, 'validate_avatar', { [uploadRef]: [entry(5_000)] })).status).toBe('ok');
    const preflight = await channel.push('allow_upload', { ref: uploadRef, entries: [entry(5_000)] });
    const lvu = client.channel('lvu:0');
    expect((await lvu.join({ token: (preflight.response.entries as Record<string, string>)['0'] })).status).toBe('ok');
    expect((await lvu.pushBinary('chunk', makePng(4, 4))).status).toBe('ok');
    expect(readdirSync(uploadDir)).toHaveLength(1);
    await s.server.disconnect(liveSocketIdFor(alice));
    await client.closed;
    await eventually(() => readdirSync(uploadDir).length === 0, 'the partial upload removed');
  });

  it('refuses the preflight, progress and the form events once the login session is gone', async () => {
    const [{ user: bob, cookie }] = await logInSeeded(s, 'bob');
    const { channel, uploadRef } = await openProfile(cookie);
    s.app.db.prepare('DELETE FROM user_tokens WHERE user_id = ?').run(bob.id);
    expect((await form(channel, 'validate_avatar', { [uploadRef]: [entry(100)] })).response).toEqual({
      reason: 'unauthorized',
      event: 'validate_avatar',
    });
    expect((await channel.push('allow_upload', { ref: uploadRef, entries: [entry(100)] })).response).toEqual({
      reason: 'unauthorized',
      event: 'allow_upload',
    });
    expect((await channel.push('progress', { event: null, ref: uploadRef, entry_ref: '0', progress: 100 })).response).toEqual({
      reason: 'unauthorized',
      event: 'progress',
    });
  });
});
