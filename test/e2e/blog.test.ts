// The demo blog (`apps/blog`) in the official client: who may get in, who may edit, how an edit
// reaches every other viewer over PubSub, and that a reader cannot edit even by forging the event.
// Each user has a browser context of their own, so their cookies are apart.

import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import type { User } from '../../apps/auth/accounts.ts';
import { useBrowserLab } from '../support/browser-lab.ts';
import { DocumentWatch, UI_TIMEOUT_MS, acceptedJoins, recordFrames, waitForConnected, type RecordedFrame } from '../support/live-page.ts';
import { emailOf, signIn, submitLogin, type DemoUser } from '../support/sign-in.ts';

describe('the blog in a browser', () => {
  const lab = useBrowserLab();
  const visitor = (): Promise<Page> => lab.visitor();

  const userNamed = (name: DemoUser): User => {
    const user = lab.app.accounts.listUsers().find((u) => u.email === emailOf(name));
    if (!user) throw new Error(`no seeded user ${name}`);
    return user;
  };

  const storedTitle = (id: number): string | undefined => lab.app.blog.getPostForUser(userNamed('admin'), id)?.title;

  const titleOf = (page: Page): Promise<string | null> => page.textContent('#title');

  it('sends anonymous visitors and unconfirmed users to /login', async () => {
    const anonymous = await visitor();
    await anonymous.goto(`${lab.baseUrl}/posts/1`);
    await anonymous.waitForURL(`${lab.baseUrl}/login`);
    expect(await anonymous.locator('#login-form').count()).toBe(1);

    const carol = await visitor();
    await carol.goto(`${lab.baseUrl}/login`);
    await submitLogin(carol, 'carol');
    await carol.waitForSelector('#login-error');
    expect(carol.url()).toBe(`${lab.baseUrl}/login`);
    expect(await carol.textContent('#login-error')).toMatch(/confirm/i);

    await carol.goto(`${lab.baseUrl}/posts`);
    await carol.waitForURL(`${lab.baseUrl}/login`);
    expect(await carol.locator('[data-phx-main]').count()).toBe(0);
  });

  it('returns alice to the post she asked for and gives her the form, but not bob', async () => {
    const alice = await visitor();
    await signIn(alice, lab.baseUrl, 'alice', '/posts/1');
    expect(alice.url()).toBe(`${lab.baseUrl}/posts/1`);
    expect(await alice.locator('#post-form').count()).toBe(1);
    expect(await alice.textContent('#current-role')).toBe('editor');

    const bob = await visitor();
    await signIn(bob, lab.baseUrl, 'bob');
    expect(bob.url()).toBe(`${lab.baseUrl}/posts`);
    await bob.goto(`${lab.baseUrl}/posts/1`);
    await waitForConnected(bob);
    expect(await titleOf(bob)).toBe(storedTitle(1));
    expect(await bob.locator('#post-form').count()).toBe(0);
    expect(await bob.textContent('#current-role')).toBe('reader');
  });

  it("shows alice's edit on bob's open page without a reload, through PubSub", async () => {
    const alice = await visitor();
    await signIn(alice, lab.baseUrl, 'alice', '/posts/1');
    const bob = await visitor();
    await signIn(bob, lab.baseUrl, 'bob', '/posts/1');
    const watch = await DocumentWatch.start(bob);
    const newTitle = `Edited by alice ${Date.now()}`;

    await alice.fill('#post-title', newTitle);
    await alice.click('#save');

    await alice.waitForSelector('#flash-info');
    await bob.waitForFunction((title) => document.querySelector('#title')?.textContent === title, newTitle);
    // The client puts a new <title> in the animation frame after it patched the DOM.
    await bob.waitForFunction((title) => document.title === title, newTitle);
    expect(await bob.title()).toBe(newTitle);
    expect(await watch.isSameDocument()).toBe(true);
    expect(lab.app.blog.getPostForUser(userNamed('alice'), 1)?.title).toBe(newTitle);
  });

  it('denies bob an update_post he forges in his own page, and changes nothing', async () => {
    const alice = await visitor();
    await signIn(alice, lab.baseUrl, 'alice', '/posts/1');
    const bob = await visitor();
    const frames: RecordedFrame[] = recordFrames(bob);
    await signIn(bob, lab.baseUrl, 'bob', '/posts/1');
    const before = storedTitle(1);
    expect(before).toBeDefined();
    expect(await titleOf(alice)).toBe(before);

    // The form an editor gets, put into bob's view by hand: the client sends the event for him.
    await bob.evaluate(() => {
      const form = document.createElement('form');
      form.id = 'forged-form';
      form.setAttribute('phx-submit', 'update_post');
      form.innerHTML =
        '<input name="title" value="Forged by bob"><input name="body" value="bob was here">' +
        '<button id="forged-save" type="submit">Save</button>';
      document.querySelector('[data-phx-main]')!.appendChild(form);
    });
    await bob.click('#forged-save');

    const isForged = (frame: RecordedFrame): boolean =>
      frame.direction === 'sent' && frame.event === 'event' && (frame.payload as { event?: unknown }).event === 'update_post';
    await expect.poll(() => frames.some(isForged), { timeout: UI_TIMEOUT_MS }).toBe(true);
    const sent = frames.find(isForged)!;
    expect(String((sent.payload as { value?: unknown }).value)).toContain('Forged+by+bob');
    const replyTo = (): RecordedFrame | undefined =>
      frames.find(
        (frame) =>
          frame.direction === 'received' &&
          frame.event === 'phx_reply' &&
          frame.socket === sent.socket &&
          frame.topic === sent.topic &&
          frame.ref === sent.ref,
      );
    await expect.poll(() => replyTo() !== undefined, { timeout: UI_TIMEOUT_MS }).toBe(true);
    expect(replyTo()!.payload).toMatchObject({ status: 'error', response: { reason: 'unauthorized' } });

    expect(storedTitle(1)).toBe(before);
    expect(await titleOf(alice)).toBe(before);
    expect(await titleOf(bob)).toBe(before);
    // Denied, not thrown out: bob's view is still joined on the same socket.
    expect(await bob.locator('[data-phx-main].phx-connected').count()).toBe(1);
    expect(acceptedJoins(frames)).toHaveLength(1);
  });

  it('navigates live between posts, and over HTTP into another liveSession', async () => {
    const bob = await visitor();
    const frames = recordFrames(bob);
    await signIn(bob, lab.baseUrl, 'bob');
    const live = await DocumentWatch.start(bob);

    await bob.click('#post-link-2');
    await bob.waitForURL(`${lab.baseUrl}/posts/2`);
    await bob.waitForFunction((title) => document.querySelector('#title')?.textContent === title, storedTitle(2)!);
    await waitForConnected(bob);
    expect(live.documentRequests).toEqual([]);
    expect(await live.isSameDocument()).toBe(true);
    const joins = acceptedJoins(frames);
    expect(joins).toHaveLength(2);
    expect(joins[1]!.socket).toBe(joins[0]!.socket);
    expect((joins[1]!.payload as { redirect?: unknown }).redirect).toBe(`${lab.baseUrl}/posts/2`);

    await bob.click('#to-posts');
    await bob.waitForURL(`${lab.baseUrl}/posts`);
    await bob.waitForSelector('#to-counter');
    await waitForConnected(bob);
    expect(await live.isSameDocument()).toBe(true);

    const crossing = await DocumentWatch.start(bob);
    await bob.click('#to-counter');
    await bob.waitForURL(`${lab.baseUrl}/counter`);
    await bob.waitForSelector('#count');
    await waitForConnected(bob);
    expect(crossing.documentRequests).toContain(`${lab.baseUrl}/counter`);
    expect(await crossing.isSameDocument()).toBe(false);
  });

  it('opens /inspector for the admin only', async () => {
    const admin = await visitor();
    await signIn(admin, lab.baseUrl, 'admin', '/inspector');
    expect(await admin.textContent('#count-connections')).toMatch(/^\d+$/);
    expect(Number(await admin.textContent('#count-connections'))).toBeGreaterThanOrEqual(1);

    const alice = await visitor();
    await signIn(alice, lab.baseUrl, 'alice');
    await alice.goto(`${lab.baseUrl}/inspector`);
    await alice.waitForURL(`${lab.baseUrl}/login`);
    expect(await alice.locator('#count-connections').count()).toBe(0);
  });
});
