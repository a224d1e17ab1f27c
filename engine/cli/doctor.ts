/** `solrules doctor`: checks each configured service (bus, cache, store) and says precisely what is wrong. */
import { checkBus } from '../infra/bus/index.ts';
import { checkCache } from '../infra/cache/index.ts';
import { checkStore } from '../infra/store/index.ts';
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { fullMessage, loadFiles } from '../config/index.ts';
import { oneOf, parseCommandArgs, withUsage } from './args.ts';

interface Report {
  ok: boolean;
  target: string;
  details: string[];
  problem?: string;
  fix?: string;
}

/** wallets.yaml as `run --live` would find it: inline keys, key files others can read. Reads modes, never key bytes. */
function checkWalletsFile(path: string): Report {
  if (!existsSync(path)) return { ok: true, target: path, details: ['no wallets.yaml: nothing to check (paper trading needs none)'] };
  const project = loadFiles([path], { root: resolve(path, '..') });
  if (!project.diagnostics.length) return { ok: true, target: path, details: [`${project.wallets?.config.wallets.length ?? 0} wallet(s); key files private to their owner`] };
  return {
    ok: false,
    target: path,
    details: project.diagnostics.map((d) => `${d.line}:${d.column} ${d.code} ${fullMessage(d)}`),
    problem: `${project.diagnostics.length} problem(s) in wallets.yaml`,
    fix: project.diagnostics.some((d) => d.code === 'WALLETS_KEY_FILE_MODE') ? 'chmod 600 each key file named above' : 'fix wallets.yaml as described above',
  };
}

export const summary = 'check the configured bus, cache and store (SOLRULES_BUS / _CACHE / _STORE) and say what is wrong';

const USAGE = `usage: solrules doctor [--format text|json] [--bus URL] [--cache URL] [--store URL] [--wallets FILE]

Checks what the engine would use: SOLRULES_BUS (in-process, or nats://…), SOLRULES_CACHE
(in-memory, or redis://…), SOLRULES_STORE (PGlite under .solrules/ by default, postgres://…,
pglite:<dir>, memory), and wallets.yaml (default ./wallets.yaml: no inline keys, key files
mode 0600). The flags override the environment. Changes nothing.
Exit 0 when everything is usable, 1 when something is not, 2 on usage errors.`;

export async function run(argv: string[]): Promise<number> {
  return withUsage(USAGE, async () => {
    const { values } = parseCommandArgs(argv, { format: { type: 'string' }, bus: { type: 'string' }, cache: { type: 'string' }, store: { type: 'string' }, wallets: { type: 'string' }, help: { type: 'boolean', short: 'h' } }, false);
    if (values.help) {
      console.log(USAGE);
      return 0;
    }
    const format = oneOf('format', values.format, ['text', 'json'] as const, 'text');
    const [bus, cache, store] = await Promise.all([
      checkBus(values.bus !== undefined ? { url: values.bus } : {}),
      checkCache(values.cache !== undefined ? { url: values.cache } : {}),
      checkStore(values.store !== undefined ? { url: values.store } : {}),
    ]);
    const wallets = checkWalletsFile(resolve(values.wallets ?? 'wallets.yaml'));
    const reports: Record<string, Report> = { bus, cache, store, wallets };
    if (format === 'json') console.log(JSON.stringify(reports, null, 2));
    else {
      for (const [name, r] of Object.entries(reports)) {
        console.log(`${r.ok ? 'ok  ' : 'FAIL'} ${name.padEnd(5)} ${r.target}`);
        for (const d of r.details) console.log(`       ${d}`);
        if (r.problem) console.log(`       problem: ${r.problem}`);
        if (r.fix) console.log(`       fix: ${r.fix}`);
      }
    }
    return Object.values(reports).every((r) => r.ok) ? 0 : 1;
  });
}
