// "alice has three tabs on /posts/1; logging out in a fourth sends all three to /login within a
// second, without a manual reload." Logout and the registry's `disconnect` close every socket of
// one user (and only theirs); each client reconnects, mounts again under the session as it is now,
// and is sent to /login or rendered with its current rights.

import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import type { User } from '../../apps/auth/accounts.ts';
import { useBrowserLab } from '../support/browser-lab.ts';
import { eventually } from '../support/eventually.ts';
import {
  DocumentWatch,
  UI_TIMEOUT_MS,
  acceptedJoins,
  recordCloseCodes,
  recordCspViolations,
  recordFrames,
  waitForConnected,
} from '../support/live-page.ts';
import { emailOf, signIn, type DemoUser } from '../support/sign-in.ts';

/** A generous bound on "within a second": that second, plus room for a loaded machine. */
const LOGOUT_BOUND_MS = 3_000;

describe('logout and disconnect in a browser', () => {
  const lab = useBrowserLab();
  const newUserContext = () => lab.newContext();

  const userNamed = (name: DemoUser): User => {
    const user = lab.app.accounts.listUsers().find((u) => u.email === emailOf(name));
    if (!user) throw new Error(`no seeded user ${name}`);
    return user;
  };

  const socketIdOf = (name: DemoUser): string => `users_socket:${userNamed(name).id}`;

  /** Connections the registry holds for a user's live socket id, right now. */
  const connectionsOf = (name: DemoUser): number =>
    lab.server.registry.describe().filter((c) => c.liveSocketId === socketIdOf(name)).length;

  it('sends all three of alice’s tabs to /login when she logs out in a fourth, and leaves bob alone', async () => {
    const alice = await newUserContext();
    const tabs: Page[] = [];
    for (let i = 0; i < 3; i++) tabs.push(await alice.newPage());
    // The login form, the posts pages and the logout form all work under the pages' CSP.
    const cspViolations = await Promise.all(tabs.map((tab) => recordCspViolations(tab)));
    await signIn(tabs[0]!, lab.baseUrl, 'alice', '/posts/1');
    for (const tab of tabs.slice(1)) {
      await tab.goto(`${lab.baseUrl}/posts/1`);
      await waitForConnected(tab);
    }
    const fourth = await alice.newPage();
    cspViolations.push(await recordCspViolations(fourth));
    await fourth.goto(`${lab.baseUrl}/posts`);
    await waitForConnected(fourth);
    await eventually(() => connectionsOf('alice') === 4, 'alice has four live connections', UI_TIMEOUT_MS);

    const bobContext = await newUserContext();
    const bob = await bobContext.newPage();
    const bobFrames = recordFrames(bob);
    await signIn(bob, lab.baseUrl, 'bob', '/posts/1');
    const bobDocument = await DocumentWatch.start(bob);
    const bobCloses = await recordCloseCodes(bob);
    const tabDocuments = await Promise.all(tabs.map((tab) => DocumentWatch.start(tab)));

    const started = Date.now();
    await fourth.click('#logout');
    // "Reaches /login" is the navigation committing; the login page's own assets load afterwards.
    await Promise.all(tabs.map((tab) => tab.waitForURL(/\/login$/, { timeout: LOGOUT_BOUND_MS, waitUntil: 'commit' })));
    const elapsed = Date.now() - started;
    await fourth.waitForURL(`${lab.baseUrl}/login`);

    expect(elapsed, `all three tabs reached /login ${elapsed} ms after the click`).toBeLessThan(LOGOUT_BOUND_MS);
    for (const [i, tab] of tabs.entries()) {
      // The client went by itself: straight to /login on a `redirect` join error (it reconnected
      // before the logout response cleared the cookie), or by reloading /posts/1 on `stale` (the
      // cookie session was gone), which the HTTP pipeline redirects to /login.
      const documents = tabDocuments[i]!.documentRequests;
      expect(documents.at(-1), `tab ${i}`).toBe(`${lab.baseUrl}/login`);
      expect(
        documents.every((url) => url === `${lab.baseUrl}/login` || url === `${lab.baseUrl}/posts/1`),
        `tab ${i}`,
      ).toBe(true);
      await tab.waitForSelector('#login-form');
    }
    await eventually(() => connectionsOf('alice') === 0, 'no connection of alice is left in the registry', UI_TIMEOUT_MS);
    expect(lab.server.counts().liveSocketIds).toBe(1);
    expect(cspViolations.flatMap((violations) => violations())).toEqual([]);

    // Bob was not touched: same socket, same document, still joined, and still live.
    expect(bob.url()).toBe(`${lab.baseUrl}/posts/1`);
    expect(await bob.locator('[data-phx-main].phx-connected').count()).toBe(1);
    expect(await bobCloses()).toEqual([]);
    expect(acceptedJoins(bobFrames)).toHaveLength(1);
    expect(connectionsOf('bob')).toBe(1);
    // An edit by an editor over the server's API (alice's login is gone, her role is not).
    const editor = userNamed('alice');
    const update = lab.app.blog.updatePost(editor, lab.app.blog.getPostForUser(editor, 1)!, {
      title: 'Still live for bob',
      body: 'Changed while alice logged out.',
    });
    expect(update).toMatchObject({ ok: true });
    await bob.waitForFunction(() => document.querySelector('#title')?.textContent === 'Still live for bob');
    expect(await bobDocument.isSameDocument()).toBe(true);
  }, 60_000);

  it('sends bob to /login when an operator revokes his logins and disconnects him', async () => {
    const context = await newUserContext();
    const bob = await context.newPage();
    await signIn(bob, lab.baseUrl, 'bob', '/posts/1');
    const watch = await DocumentWatch.start(bob);
    // Earlier tests' pages may still be closing: start from exactly this page's connection.
    await eventually(() => connectionsOf('bob') === 1, 'bob has one live connection', UI_TIMEOUT_MS);

    lab.app.accounts.deleteAllSessionTokens(userNamed('bob').id);
    expect((await lab.server.registry.disconnect(socketIdOf('bob'))).closed).toBe(1);

    await bob.waitForURL(`${lab.baseUrl}/login`);
    expect(watch.documentRequests).toEqual([`${lab.baseUrl}/login`]);
    expect(await bob.locator('#login-form').count()).toBe(1);
    await eventually(() => connectionsOf('bob') === 0, 'no connection of bob is left in the registry', UI_TIMEOUT_MS);
  });

  it('remounts alice without the form after she is demoted and disconnected, in the same page', async () => {
    const context = await newUserContext();
    const alice = await context.newPage();
    const frames = recordFrames(alice);
    await signIn(alice, lab.baseUrl, 'alice', '/posts/1');
    expect(await alice.locator('#post-form').count()).toBe(1);
    const watch = await DocumentWatch.start(alice);
    await eventually(() => connectionsOf('alice') === 1, 'alice has one live connection', UI_TIMEOUT_MS);
    const aliceId = userNamed('alice').id;

    try {
      lab.app.accounts.setRole(aliceId, 'reader');
      expect((await lab.server.registry.disconnect(socketIdOf('alice'))).closed).toBe(1);

      await expect.poll(() => acceptedJoins(frames).length, { timeout: UI_TIMEOUT_MS }).toBe(2);
      await alice.waitForSelector('#post-form', { state: 'detached' });
      await waitForConnected(alice);
      expect(await alice.textContent('#current-role')).toBe('reader');
      expect(alice.url()).toBe(`${lab.baseUrl}/posts/1`);
      expect(await watch.isSameDocument()).toBe(true);
      const [first, second] = acceptedJoins(frames);
      expect(second!.socket).toBe(first!.socket + 1);
      expect(second!.topic).toBe(first!.topic);
      await eventually(() => connectionsOf('alice') === 1, 'alice is connected again, once', UI_TIMEOUT_MS);
    } finally {
      lab.app.accounts.setRole(aliceId, 'editor');
    }
  });
});
