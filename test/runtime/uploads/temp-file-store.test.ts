import { mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { TempFileStore } from '../../../runtime/uploads/temp-file-store.ts';

const made: string[] = [];
afterEach(() => {
  for (const dir of made.splice(0)) rmSync(dir, { recursive: true, force: true });
});

describe('TempFileStore', () => {
  it('makes owner-only files with random names in an owner-only directory, and removes them', async () => {
    const parent = mkdtempSync(join(tmpdir(), 'tfs-'));
    made.push(parent);
    const store = new TempFileStore(join(parent, 'up'));
    expect(statSync(store.dir).mode & 0o777).toBe(0o700);
    const a = await store.create();
    const b = await store.create();
    await a.write(Buffer.from('hello'));
    expect(statSync(a.path).mode & 0o777).toBe(0o600);
    expect(a.path).not.toBe(b.path);
    expect(store.count).toBe(2);
    await a.remove();
    await a.remove();
    expect(readdirSync(store.dir)).toHaveLength(1);
    store.removeAll();
    expect(readdirSync(store.dir)).toEqual([]);
    expect(store.count).toBe(0);
  });
});
