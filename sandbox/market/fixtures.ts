/** Where the shared real-data fixtures live: SOLRULES_SHARED_FIXTURES, or `shared/fixtures` beside the checkout (a worktree looks one level further up). */
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { join, resolve } from 'node:path';
import { SolrulesError } from '../../engine/errors/index.ts';

/** Absolute path of a file or folder inside the shared fixtures; MARKET_FIXTURES_MISSING when they are not found. */
export function sharedFixturePath(...parts: string[]): string {
  const repoRoot = resolve(fileURLToPath(new URL('../..', import.meta.url)));
  const candidates = [
    process.env.SOLRULES_SHARED_FIXTURES,
    join(repoRoot, '..', 'shared', 'fixtures'),
    join(repoRoot, '..', '..', 'shared', 'fixtures'),
  ].filter((p): p is string => !!p);
  const root = candidates.find((p) => existsSync(join(p, ...parts)));
  if (!root) {
    throw new SolrulesError('MARKET_FIXTURES_MISSING', `shared fixture ${join(...parts)} not found under ${candidates.join(' or ')} (set SOLRULES_SHARED_FIXTURES)`, {
      field: 'path',
      value: join(...parts),
    });
  }
  return join(root, ...parts);
}
