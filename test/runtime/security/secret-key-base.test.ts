// The development secret: generated once per data dir, and the same for every node sharing it.

import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { loadSecretKeyBase } from '../../../runtime/security/secret-key-base.ts';

const dirs: string[] = [];
const freshDir = (): string => {
  const dir = mkdtempSync(join(tmpdir(), 'liveward-secret-'));
  dirs.push(dir);
  return dir;
};
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

describe('loadSecretKeyBase', () => {
  it('generates the secret once and gives every later caller the same one, leaving no draft behind', () => {
    const dir = freshDir();
    const first = loadSecretKeyBase(dir, {});
    expect(first.length).toBeGreaterThanOrEqual(32);
    expect(loadSecretKeyBase(dir, {})).toBe(first);
    expect(readdirSync(dir)).toEqual(['secret_key_base']);
  });

  it('keeps the secret another node wrote, never replacing it', () => {
    const dir = freshDir();
    const theirs = 'x'.repeat(64);
    writeFileSync(join(dir, 'secret_key_base'), theirs + '\n');
    expect(loadSecretKeyBase(dir, {})).toBe(theirs);
    expect(readFileSync(join(dir, 'secret_key_base'), 'utf8').trim()).toBe(theirs);
  });

  it('refuses a secret file too short to be one, with a clear error', () => {
    const dir = freshDir();
    writeFileSync(join(dir, 'secret_key_base'), 'short\n');
    expect(() => loadSecretKeyBase(dir, {})).toThrow(/holds no valid secret/);
  });

  it('prefers SECRET_KEY_BASE and refuses a short one', () => {
    const dir = freshDir();
    expect(loadSecretKeyBase(dir, { SECRET_KEY_BASE: 'y'.repeat(40) })).toBe('y'.repeat(40));
    expect(() => loadSecretKeyBase(dir, { SECRET_KEY_BASE: 'short' })).toThrow(/at least 32/);
    expect(readdirSync(dir)).toEqual([]);
  });
});
