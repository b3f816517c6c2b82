// Waits for a condition the server reaches asynchronously (a socket's server side closing after
// the client saw its close, say): vitest's `expect.poll` against a deadline that fails the test,
// never a sleep whose length is the assertion.

import { expect } from 'vitest';

export async function eventually(condition: () => boolean | Promise<boolean>, what: string, deadlineMs = 5_000): Promise<void> {
  await expect.poll(condition, { timeout: deadlineMs, interval: 5, message: what }).toBe(true);
}
