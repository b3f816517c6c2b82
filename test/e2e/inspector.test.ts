// The inspector in a browser: an admin watches the actor system live while other browsers use the
// demo — a counter view appears in the supervision tree, its state chart shows `live`, a forged
// event appears as denied, the timeline narrows to one user, and the two actions (disconnect,
// terminate an account) act and say what they did. Readers and anonymous visitors never see it.

import { mkdirSync } from 'node:fs';
import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import type { User } from '../../apps/auth/accounts.ts';
import { useBrowserLab } from '../support/browser-lab.ts';
import { UI_TIMEOUT_MS, waitForConnected } from '../support/live-page.ts';
import { emailOf, signIn, type DemoUser } from '../support/sign-in.ts';

const ARTIFACTS = 'test-results';

describe('the inspector in a browser', () => {
  const lab = useBrowserLab();

  const userNamed = (name: DemoUser): User => {
    const user = lab.app.accounts.listUsers().find((u) => u.email === emailOf(name));
    if (!user) throw new Error(`no seeded user ${name}`);
    return user;
  };

  async function screenshot(page: Page, name: string): Promise<void> {
    mkdirSync(ARTIFACTS, { recursive: true });
    await page.screenshot({ path: `${ARTIFACTS}/inspector-${name}.png`, fullPage: true });
  }

  /** The topic of the root view a page runs (`lv:` + its container id). */
  const topicOf = async (page: Page): Promise<string> => `lv:${await page.getAttribute('[data-phx-main]', 'id')}`;

  async function openInspector(): Promise<Page> {
    const admin = await lab.visitor();
    // Every action asks for a confirmation first; the operator says yes.
    admin.on('dialog', (dialog) => void dialog.accept());
    await signIn(admin, lab.baseUrl, 'admin', '/inspector');
    await admin.waitForSelector('#supervision-tree [data-node-id]');
    return admin;
  }

  it('draws a counter view opened elsewhere, and its state chart with `live` as the current state', async () => {
    const admin = await openInspector();

    const visitor = await lab.visitor();
    await visitor.goto(`${lab.baseUrl}/counter`);
    await waitForConnected(visitor);
    const topic = await topicOf(visitor);

    const node = admin.locator(`#supervision-tree [data-connection-id] [data-view-topic="${topic}"]`);
    await node.waitFor();
    expect(await node.locator('.view-name').textContent()).toBe('counter');
    expect(await node.locator('.view-state').textContent()).toBe('live');
    expect(await node.locator('.view-user').textContent()).toBe('anonymous');

    await node.click();
    const live = admin.locator('#state-chart svg [data-state="live"]');
    await expect.poll(() => live.getAttribute('aria-current'), { timeout: UI_TIMEOUT_MS }).toBe('true');
    expect(
      await admin.locator('#state-chart svg [data-state]').evaluateAll((states) => states.map((s) => s.getAttribute('data-state'))),
    ).toEqual(['mount', 'live', 'terminated']);
    expect(await admin.locator('#state-chart svg [aria-current="true"]').count()).toBe(1);

    // The view's own work shows up in its detail, pushed: the trace of an event and its render.
    await visitor.click('#increment');
    await admin.locator('#callback-trace [data-callback="handleEvent"]').first().waitFor();
    await admin.locator('#callback-trace [data-callback="render"]').first().waitFor();
    await expect.poll(() => admin.textContent('#assigns'), { timeout: UI_TIMEOUT_MS }).toContain('1');
    // …and the transition it took lights up in the chart: the allowed event, inside `live`.
    await expect
      .poll(() => admin.locator('#state-chart svg .detail.lit').textContent(), { timeout: UI_TIMEOUT_MS })
      .toBe('client.event [isAllowed] / runEvent');
    await screenshot(admin, 'state-chart');

    // The view ends: the chart follows it into `terminated`.
    await visitor.close();
    await expect
      .poll(() => admin.locator('#state-chart svg [data-state="terminated"]').getAttribute('aria-current'), { timeout: UI_TIMEOUT_MS })
      .toBe('true');
  }, 60_000);

  it('shows bob’s forged update_post as denied, narrows the timeline to bob, disconnects alice and terminates bob', async () => {
    const admin = await openInspector();
    const bob = await lab.visitor();
    await signIn(bob, lab.baseUrl, 'bob', '/posts/1');
    const bobId = String(userNamed('bob').id);

    // The form an editor gets, put into bob's page by hand: the client sends the event for him.
    await bob.evaluate(() => {
      const form = document.createElement('form');
      form.setAttribute('phx-submit', 'update_post');
      form.innerHTML = '<input name="title" value="Forged"><button id="forged-save" type="submit">Save</button>';
      document.querySelector('[data-phx-main]')!.appendChild(form);
    });
    await bob.click('#forged-save');

    const denied = admin.locator('#timeline [data-kind="event.denied"]', { hasText: 'update_post' });
    await denied.first().waitFor();
    expect(await denied.first().textContent()).toContain('bob@example.com');
    expect(await denied.first().textContent()).toContain('policy editorsOnly');

    // Filter by bob: every entry left is bob's, and his denial is among them.
    const alice = await lab.visitor();
    await signIn(alice, lab.baseUrl, 'alice', '/posts/1');
    await admin.locator('#timeline [data-kind="view.mounted"]', { hasText: 'alice@example.com' }).first().waitFor();
    await admin.selectOption('#timeline-filter select[name="user"]', bobId);
    const users = () => admin.locator('#timeline [data-kind]').evaluateAll((entries) => entries.map((e) => e.getAttribute('data-user')));
    await expect.poll(async () => [...new Set(await users())], { timeout: UI_TIMEOUT_MS }).toEqual([bobId]);
    expect(await denied.count()).toBeGreaterThan(0);
    await screenshot(admin, 'timeline-bob');
    await admin.selectOption('#timeline-filter select[name="user"]', '');

    // Disconnect alice: one connection, on this one node.
    const aliceSocket = `users_socket:${userNamed('alice').id}`;
    await admin.click(`[data-disconnect="${aliceSocket}"]`);
    await expect
      .poll(() => admin.textContent('#disconnect-result'), { timeout: UI_TIMEOUT_MS })
      .toBe(`${aliceSocket}: closed 1 connection(s) on 1 node(s)`);
    await admin.locator('#timeline [data-kind="socket.disconnected"]', { hasText: aliceSocket }).first().waitFor();

    // Terminate bob's account: his logins are revoked and his open page ends on /login.
    await admin.click(`[data-terminate-account="${bobId}"]`);
    await bob.waitForURL(`${lab.baseUrl}/login`);
    await admin.locator('#timeline [data-kind="account.terminated"]', { hasText: 'bob@example.com' }).first().waitFor();
    expect(await admin.textContent('#disconnect-result')).toContain('bob@example.com: logins revoked, closed 1 connection(s) on 1 node(s)');
    await screenshot(admin, 'actions');
  }, 60_000);

  it('is refused to a reader, an editor and an anonymous visitor, who end on /login', async () => {
    for (const name of ['bob', 'alice', null] as const) {
      const page = await lab.visitor();
      if (name) await signIn(page, lab.baseUrl, name);
      await page.goto(`${lab.baseUrl}/inspector`);
      await page.waitForURL(`${lab.baseUrl}/login`);
      expect(await page.locator('#supervision-tree').count()).toBe(0);
    }
  }, 60_000);
});
