/** How a chain-fed fact source waits while the market runs: until `stop()`, or for a set time, reporting progress. */

/**
 * Resolves once the returned stopper is called or `durationMs` has passed; calls `onProgress`
 * every `progressMs` (default 1000) meanwhile. `register` receives the stopper (a source's `stop()` calls it).
 */
export function untilStopped(opts: { durationMs?: number; onProgress?: () => void; progressMs?: number }, register: (stop: () => void) => void): Promise<void> {
  return new Promise<void>((resolve) => {
    const timers: NodeJS.Timeout[] = [];
    const done = () => {
      for (const t of timers) clearTimeout(t), clearInterval(t);
      resolve();
    };
    register(done);
    if (opts.durationMs !== undefined) timers.push(setTimeout(done, opts.durationMs));
    if (opts.onProgress) timers.push(setInterval(opts.onProgress, opts.progressMs ?? 1000));
  });
}
