// The `/profile` avatar upload in Chromium with the official client: a valid picture uploads
// (progress, then the new picture served with its real type), a file over 2 MB and a text file
// named `.png` are refused with the errors in words.

import { readdirSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { useBrowserLab } from '../support/browser-lab.ts';
import { makePng } from '../support/images.ts';
import { signIn } from '../support/sign-in.ts';

describe('the avatar upload in a browser', () => {
  const lab = useBrowserLab();

  it('uploads a PNG and shows it, served as image/png with nosniff from an owner-only file', async () => {
    const alice = await lab.visitor();
    await signIn(alice, lab.baseUrl, 'alice', '/profile');
    expect(await alice.locator('#avatar img').count()).toBe(0);
    const picture = makePng(64, 64);
    await alice.setInputFiles('#avatar-form input[type=file]', { name: 'me.png', mimeType: 'image/png', buffer: picture });
    await alice.waitForSelector('#avatar-progress progress');
    await alice.click('#save-avatar');
    await alice.waitForFunction(() => ((document.querySelector('#avatar img') as HTMLImageElement | null)?.naturalWidth ?? 0) === 64);
    expect(await alice.textContent('#flash-info')).toBe('Avatar saved');
    expect(await alice.locator('#avatar-error').count()).toBe(0);

    const src = await alice.getAttribute('#avatar img', 'src');
    const response = await alice.request.get(`${lab.baseUrl}${src}`);
    expect(response.status()).toBe(200);
    expect(response.headers()['content-type']).toBe('image/png');
    expect(response.headers()['x-content-type-options']).toBe('nosniff');
    expect(Buffer.from(await response.body()).equals(picture)).toBe(true);

    // kept in the data dir, owner-only, under the user's id (not the client's file name)
    const dir = join(dirname(lab.app.db.name), 'avatars');
    expect(statSync(dir).mode & 0o777).toBe(0o700);
    const [stored] = readdirSync(dir);
    expect(stored).toMatch(/^\d+\.png$/);
    expect(statSync(join(dir, stored!)).mode & 0o777).toBe(0o600);
  });

  it('refuses a file over 2 MB and a text file named .png, saying why', async () => {
    const bob = await lab.visitor();
    await signIn(bob, lab.baseUrl, 'bob', '/profile');
    const big = Buffer.concat([makePng(2, 2), Buffer.alloc(2_100_000)]);
    await bob.setInputFiles('#avatar-form input[type=file]', { name: 'big.png', mimeType: 'image/png', buffer: big });
    await bob.waitForSelector('#avatar-error');
    expect(await bob.textContent('#avatar-error')).toBe('The file is too large.');

    await bob.setInputFiles('#avatar-form input[type=file]', {
      name: 'fake.png',
      mimeType: 'image/png',
      buffer: Buffer.from('I am not a picture, only text.\n'.repeat(20)),
    });
    // a new choice replaces the refused one
    await bob.waitForSelector('#avatar-error', { state: 'detached' });
    await bob.click('#save-avatar');
    await bob.waitForFunction(() => document.querySelector('#avatar-error')?.textContent === 'This type of file is not accepted.');
    expect(await bob.locator('#avatar img').count()).toBe(0);
  });
});
