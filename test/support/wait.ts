/** Polling waits for tests. */

/** Resolves once `check` holds; rejects naming `what` after `timeoutMs`. */
export async function waitUntil(check: () => boolean | Promise<boolean>, opts: { what?: string; timeoutMs?: number; intervalMs?: number } = {}): Promise<void> {
  const { what = 'condition', timeoutMs = 5_000, intervalMs = 10 } = opts;
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, intervalMs));
  }
}
