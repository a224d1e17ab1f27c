/** Paths tests use: the repo root and the shared fixtures beside it (`<root>/shared/fixtures`). */
import { fileURLToPath } from 'node:url';
import { join, resolve } from 'node:path';
import { existsSync } from 'node:fs';

/** Absolute path of the repository root. */
export const REPO_ROOT = resolve(fileURLToPath(new URL('../..', import.meta.url)));

function findSharedFixtures(): string {
  const candidates = [
    process.env.SOLRULES_SHARED_FIXTURES,
    join(REPO_ROOT, '..', 'shared', 'fixtures'),
    '/work/shared/fixtures',
  ].filter((p): p is string => !!p);
  return candidates.find((p) => existsSync(p)) ?? candidates[0]!;
}

/** Absolute path of `../shared/fixtures` (real public data for tests). */
export const SHARED_FIXTURES = findSharedFixtures();

// CLI subprocesses started by tests find the fixtures the same way, wherever the checkout is.
process.env.SOLRULES_SHARED_FIXTURES ??= SHARED_FIXTURES;

/** Path inside the shared fixtures. */
export function sharedFixture(...parts: string[]): string {
  return join(SHARED_FIXTURES, ...parts);
}

/** Path inside this repo's own test fixtures. */
export function testFixture(...parts: string[]): string {
  return join(REPO_ROOT, 'test', 'fixtures', ...parts);
}
