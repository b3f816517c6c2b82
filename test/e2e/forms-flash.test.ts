// Forms, flash and hook replies in the official client: the post form's error appears only once
// the title was used, a save flashes "Post saved", a click clears a flash, login and logout greet
// the user, and a hook's pushEvent gets the server's answer.

import { describe, expect, it } from 'vitest';
import { useBrowserLab } from '../support/browser-lab.ts';
import { UI_TIMEOUT_MS, acceptedJoins, recordFrames, waitForConnected } from '../support/live-page.ts';
import { liveSocketIdFor } from '../../apps/auth/accounts.ts';
import { signIn } from '../support/sign-in.ts';

describe('forms, flash and hooks in a browser', () => {
  const lab = useBrowserLab();

  it('greets alice with "Welcome back", which a click clears, and says "Logged out" after logout', async () => {
    const alice = await lab.visitor();
    await signIn(alice, lab.baseUrl, 'alice');
    expect(await alice.textContent('#flash-info')).toBe('Welcome back');

    await alice.click('#flash-info');
    await alice.waitForSelector('#flash-info', { state: 'detached' });

    await alice.click('#logout');
    await alice.waitForURL(`${lab.baseUrl}/login`);
    expect(await alice.textContent('#flash-info')).toBe('Logged out');
    await alice.click('#flash-info');
    await alice.waitForSelector('#flash-info', { state: 'detached' });
  });

  it('shows the title error while typing only once the title was used, then saves with a flash', async () => {
    const alice = await lab.visitor();
    await signIn(alice, lab.baseUrl, 'alice', '/posts/1');
    const before = lab.app.db.prepare('SELECT title FROM posts WHERE id = 1').get() as { title: string };

    // The title emptied without the user touching it (never focused): typing in the body sends
    // it marked unused, so no error shows.
    await alice.evaluate(() => void ((document.querySelector('#post-title') as HTMLInputElement).value = ''));
    await alice.fill('#post-body', 'A new body');
    await alice.waitForFunction(() => !document.querySelector('#post-form.phx-change-loading'));
    expect(await alice.locator('#title-error').count()).toBe(0);

    // Now the user types in the title: the error appears while typing.
    await alice.fill('#post-title', 'a');
    await alice.press('#post-title', 'Backspace');
    await alice.waitForSelector('#title-error');
    expect(await alice.textContent('#title-error')).toMatch(/blank/);
    await alice.fill('#post-title', 'x'.repeat(201));
    await alice.waitForFunction(() => /200/.test(document.querySelector('#title-error')?.textContent ?? ''));

    // Saving with the error saves nothing.
    await alice.click('#save');
    await alice.waitForFunction(() => /200/.test(document.querySelector('#title-error')?.textContent ?? ''));
    expect((lab.app.db.prepare('SELECT title FROM posts WHERE id = 1').get() as { title: string }).title).toBe(before.title);

    await alice.fill('#post-title', 'Typed in the browser');
    await alice.waitForSelector('#title-error', { state: 'detached' });
    await alice.click('#save');
    await alice.waitForSelector('#flash-info');
    expect(await alice.textContent('#flash-info')).toBe('Post saved');
    expect(await alice.textContent('#title')).toBe('Typed in the browser');

    await alice.click('#flash-info');
    await alice.waitForSelector('#flash-info', { state: 'detached' });
  });

  it('restores what alice typed after a reconnect: the client re-sends the form change on rejoin', async () => {
    const alice = await lab.visitor();
    const frames = recordFrames(alice);
    await signIn(alice, lab.baseUrl, 'alice', '/posts/2');
    await alice.fill('#post-title', 'Typed before the reconnect');
    await alice.fill('#post-body', '');
    await alice.waitForFunction(() => !document.querySelector('#post-form.phx-change-loading'));

    const user = lab.app.accounts.listUsers().find((u) => u.email === 'alice@example.com')!;
    expect((await lab.server.disconnect(liveSocketIdFor(user))).closed).toBeGreaterThan(0);
    await expect.poll(() => acceptedJoins(frames).length, { timeout: UI_TIMEOUT_MS }).toBe(2);
    await waitForConnected(alice);

    // The recovery is a validate_post sent after the second join, before its render is applied.
    const recovery = frames.find(
      (f) =>
        f.direction === 'sent' &&
        f.event === 'event' &&
        (f.payload as { event?: unknown }).event === 'validate_post' &&
        f.socket === acceptedJoins(frames)[1]!.socket,
    );
    expect(recovery).toBeDefined();
    expect(await alice.inputValue('#post-title')).toBe('Typed before the reconnect');
    // The body was emptied by the user: recovered as typed, not from the database.
    expect(await alice.inputValue('#post-body')).toBe('');
  });

  it("gives a hook's pushEvent the server's reply", async () => {
    const page = await lab.visitor();
    await page.goto(`${lab.baseUrl}/counter`);
    await waitForConnected(page);

    await page.click('#ask-parity');
    await page.waitForFunction(() => document.querySelector('#parity-answer')?.textContent === '0 is even');
    await page.click('#increment');
    await page.waitForFunction(() => document.querySelector('#count')?.textContent === '1');
    await page.click('#ask-parity');
    await page.waitForFunction(() => document.querySelector('#parity-answer')?.textContent === '1 is odd');
  });
});
