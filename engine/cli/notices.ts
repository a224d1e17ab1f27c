/**
 * Load-time notices of dependencies that say nothing about the user's work, dropped by exact
 * text so every other warning still reaches the terminal.
 *
 * bigint-buffer (via @solana/spl-token → @solana/buffer-layout-utils) warns when its optional
 * native binding is missing. The binding is not built on purpose: package.json `allowScripts`
 * keeps its node-gyp install script from running (no compiler or Node headers are assumed on a
 * user's machine), and its pure-JS fallback, which is what runs and what the tests exercise,
 * converts the same buffers to the same bigints.
 */
export const DEPENDENCY_NOTICES: readonly string[] = ['bigint: Failed to load bindings, pure JS will be used (try npm run rebuild?)'];

/** Wraps `target.warn` so a call that is exactly one of DEPENDENCY_NOTICES prints nothing; returns the undo. */
export function dropDependencyNotices(target: Pick<Console, 'warn'> = console): () => void {
  const warn = target.warn;
  target.warn = (...args: unknown[]) => {
    if (args.length === 1 && typeof args[0] === 'string' && DEPENDENCY_NOTICES.includes(args[0])) return;
    warn.apply(target, args);
  };
  return () => {
    target.warn = warn;
  };
}
