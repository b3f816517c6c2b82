// Logging in to the demo app the way a person does: the HTTP login form, with the
// password `<name>-password`, in the page's own browser context (so each user has their cookies).

import type { Page } from 'playwright-core';
import { waitForConnected } from './live-page.ts';

export type DemoUser = 'alice' | 'bob' | 'carol' | 'admin';

export const emailOf = (name: DemoUser): string => `${name}@example.com`;
const passwordOf = (name: DemoUser): string => `${name}-password`;

/** Fills `#email` and `#password` on the login page the browser is on and clicks `#login`. */
export async function submitLogin(page: Page, name: DemoUser): Promise<void> {
  await page.fill('#email', emailOf(name));
  await page.fill('#password', passwordOf(name));
  await page.click('#login');
}

/**
 * Logs `name` in and waits until the live view they land on has joined. With `from`, the page
 * first asks for that path anonymously, is sent to `/login`, and comes back to it after the login
 * (`return_to`); without it, it starts on `/login` and lands on `/posts`.
 */
export async function signIn(page: Page, baseUrl: string, name: DemoUser, from?: string): Promise<void> {
  await page.goto(`${baseUrl}${from ?? '/login'}`);
  await page.waitForURL(`${baseUrl}/login`);
  await submitLogin(page, name);
  await page.waitForURL(`${baseUrl}${from ?? '/posts'}`);
  await waitForConnected(page);
}
