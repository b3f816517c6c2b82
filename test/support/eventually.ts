// Waits for a condition the server reaches asynchronously (a socket's server side closing after
// the client saw its close, say). Polls against a deadline that fails the test: never a sleep
// whose length is the assertion.

export async function eventually(condition: () => boolean, what: string, deadlineMs = 5_000): Promise<void> {
  const deadline = Date.now() + deadlineMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`still not true after ${deadlineMs} ms: ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}
