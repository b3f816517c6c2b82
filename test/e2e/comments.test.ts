// Comments of /posts/1 in the official client: each row is a stateful component whose delete
// button targets the component itself. Alice comments and bob's open page follows; bob's click on
// alice's delete is refused by the component's policy; alice's own delete removes the row from
// both pages, and bob's client then destroys the component (cids_will_destroy, cids_destroyed).
// `#comments` is a stream: each page's rows follow the stream inserts and deletes, and stay put
// when the rest of the page re-renders.

import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { useBrowserLab } from '../support/browser-lab.ts';
import { UI_TIMEOUT_MS, acceptedJoins, recordFrames, waitForConnected, type RecordedFrame } from '../support/live-page.ts';
import { liveSocketIdFor } from '../../apps/auth/accounts.ts';
import { signIn } from '../support/sign-in.ts';

describe('comments in a browser', () => {
  const lab = useBrowserLab();

  const storedComment = (id: number): unknown => lab.app.db.prepare('SELECT id FROM comments WHERE id = ?').get(id);

  const rowCount = (page: Page, id: number): Promise<number> => page.locator(`#comments-${id}`).count();

  /** The reply the server sent to the frame `sent`. */
  const replyTo = (frames: RecordedFrame[], sent: RecordedFrame): RecordedFrame | undefined =>
    frames.find((f) => f.direction === 'received' && f.event === 'phx_reply' && f.ref === sent.ref && f.topic === sent.topic);

  it("follows alice's comment on bob's page, refuses bob's delete of it, and removes it everywhere when alice deletes it", async () => {
    const alice = await lab.visitor();
    await signIn(alice, lab.baseUrl, 'alice', '/posts/1');
    const bob = await lab.visitor();
    const bobFrames = recordFrames(bob);
    await signIn(bob, lab.baseUrl, 'bob', '/posts/1');

    // Alice comments; the row appears on both pages.
    const text = `From alice ${Date.now()}`;
    await alice.fill('#comment-body', text);
    await alice.click('#add-comment');
    const row = bob.locator('#comments li.comment', { hasText: text });
    await row.waitFor({ timeout: UI_TIMEOUT_MS });
    const id = Number((await row.getAttribute('id'))!.slice('comments-'.length));
    await alice.locator(`#comments-${id}`).waitFor({ timeout: UI_TIMEOUT_MS });
    // The client stamped the component's cid on the row, and the button targets that cid.
    const cid = await bob.getAttribute(`#comments-${id}`, 'data-phx-component');
    expect(await bob.getAttribute(`#delete-comment-${id}`, 'phx-target')).toBe(cid);

    // Bob clicks delete on alice's comment: the event carries the cid and is refused.
    await bob.click(`#delete-comment-${id}`);
    const isDelete = (f: RecordedFrame) =>
      f.direction === 'sent' && f.event === 'event' && (f.payload as { event?: string }).event === 'delete';
    await expect
      .poll(
        () => {
          const sent = bobFrames.find(isDelete);
          return sent && replyTo(bobFrames, sent)?.payload;
        },
        { timeout: UI_TIMEOUT_MS },
      )
      .toEqual({ status: 'error', response: { reason: 'unauthorized', event: 'delete' } });
    expect((bobFrames.find(isDelete)!.payload as { cid?: unknown }).cid).toBe(Number(cid));
    expect(storedComment(id)).toBeDefined();
    expect(await rowCount(bob, id)).toBe(1);
    expect(await rowCount(alice, id)).toBe(1);

    // Alice deletes her own comment: it leaves both pages, and bob's client destroys the cid.
    await alice.click(`#delete-comment-${id}`);
    await alice.locator(`#comments-${id}`).waitFor({ state: 'detached', timeout: UI_TIMEOUT_MS });
    await bob.locator(`#comments-${id}`).waitFor({ state: 'detached', timeout: UI_TIMEOUT_MS });
    expect(storedComment(id)).toBeUndefined();
    await expect
      .poll(
        () => {
          const sent = bobFrames.find((f) => f.direction === 'sent' && f.event === 'cids_destroyed');
          return sent && replyTo(bobFrames, sent)?.payload;
        },
        { timeout: UI_TIMEOUT_MS },
      )
      .toEqual({ status: 'ok', response: { cids: [Number(cid)] } });
    expect(bobFrames.some((f) => f.direction === 'sent' && f.event === 'cids_will_destroy')).toBe(true);
  }, 60_000);

  it("keeps both pages' #comments streams following adds and deletes, rows kept across other renders and a reconnect", async () => {
    const alice = await lab.visitor();
    await signIn(alice, lab.baseUrl, 'alice', '/posts/1');
    const bob = await lab.visitor();
    const bobFrames = recordFrames(bob);
    await signIn(bob, lab.baseUrl, 'bob', '/posts/1');
    const storedIds = (): string[] =>
      (lab.app.db.prepare('SELECT id FROM comments WHERE post_id = 1 ORDER BY id').all() as { id: number }[]).map(
        (r) => `comments-${r.id}`,
      );
    const shownIds = (page: Page): Promise<string[]> => page.locator('#comments > li').evaluateAll((rows) => rows.map((row) => row.id));
    expect(await bob.getAttribute('#comments', 'phx-update')).toBe('stream');

    // Two comments from alice, one from bob: every page lists the stored comments, in order.
    for (const [page, text] of [
      [alice, `first ${Date.now()}`],
      [alice, `second ${Date.now()}`],
      [bob, `bob ${Date.now()}`],
    ] as const) {
      await page.fill('#comment-body', text);
      await page.click('#add-comment');
      for (const viewer of [alice, bob])
        await viewer.locator('#comments li.comment', { hasText: text }).waitFor({ timeout: UI_TIMEOUT_MS });
    }
    await expect.poll(() => shownIds(bob), { timeout: UI_TIMEOUT_MS }).toEqual(storedIds());
    await expect.poll(() => shownIds(alice), { timeout: UI_TIMEOUT_MS }).toEqual(storedIds());
    // The client marked each streamed row with the stream's ref.
    expect(await bob.locator('#comments > li:not([data-phx-stream])').count()).toBe(0);

    // Typing re-renders bob's page (validate_comment); the rows, which the server no longer has, stay.
    await bob.fill('#comment-body', ' ');
    await bob.locator('#comment-error').waitFor({ timeout: UI_TIMEOUT_MS });
    expect(await shownIds(bob)).toEqual(storedIds());

    // Bob deletes his own comment: it leaves both streams, the others stay.
    const bobsId = storedIds().at(-1)!;
    await bob.click(`#delete-${bobsId.replace('comments-', 'comment-')}`);
    for (const viewer of [alice, bob]) await viewer.locator(`#${bobsId}`).waitFor({ state: 'detached', timeout: UI_TIMEOUT_MS });
    expect(storedIds()).not.toContain(bobsId);
    expect(await shownIds(bob)).toEqual(storedIds());
    expect(await shownIds(alice)).toEqual(storedIds());

    // Bob's sockets are dropped; his client rejoins, mount streams the comments again, and the
    // container shows each once (the rows the page held are replaced, not doubled).
    const user = lab.app.accounts.listUsers().find((u) => u.email === 'bob@example.com')!;
    expect((await lab.server.disconnect(liveSocketIdFor(user))).closed).toBeGreaterThan(0);
    await expect.poll(() => acceptedJoins(bobFrames).length, { timeout: UI_TIMEOUT_MS }).toBe(2);
    await waitForConnected(bob);
    expect(await shownIds(bob)).toEqual(storedIds());
  }, 60_000);

  it('shows #comment-error for an empty comment and adds nothing', async () => {
    const bob = await lab.visitor();
    await signIn(bob, lab.baseUrl, 'bob', '/posts/1');
    const before = await bob.locator('#comments li.comment').count();
    await bob.fill('#comment-body', '   ');
    await bob.click('#add-comment');
    await bob.locator('#comment-error').waitFor({ timeout: UI_TIMEOUT_MS });
    expect(await bob.textContent('#comment-error')).toMatch(/must not be blank/);
    expect(await bob.locator('#comments li.comment').count()).toBe(before);
  });
});
