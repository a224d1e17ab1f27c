/**
 * `solrules wallets init|status|fund|sweep|explain`: key files per wallets.yaml tier, balances
 * against what our own transfers say they should be, funding from the treasure and sweeping back.
 * Nothing is sent unless `fund` or `sweep` is run with an RPC endpoint; output never holds a key.
 */
import { dirname, resolve } from 'node:path';
import { formatDiagnostics, loadFiles, severityOf, type WalletsConfig } from '../config/index.ts';
import { isSolrulesError, SolrulesError } from '../errors/index.ts';
import { openCache, type Cache } from '../infra/cache/index.ts';
import { RpcPool } from '../executors/index.ts';
import { startTelemetryServer } from '../infra/telemetry/index.ts';
import { WalletManager, formatAtoms, formatStatus, initKeyFiles, SOL, type Plan } from '../wallets/index.ts';
import { oneOf, parseCommandArgs, UsageError, withUsage } from './args.ts';

export const summary = 'create wallet keys, show balances against expected, fund from treasure, sweep back';

const USAGE = `usage: solrules wallets <init|status|fund|sweep|explain> [options]

  init       create a key file (mode 0600) for every wallets.yaml entry whose key is a file;
             prints public keys only; refuses to overwrite an existing file (creates nothing then)
  status     per wallet and asset: actual, expected (from our own confirmed transfers), difference,
             target, tier, what it is reserved for, hold
  fund       top every wallet up to its target from the treasure, creating the token accounts its
             targets need; refused before anything is sent when the treasure cannot cover it;
             idempotent: a second run moves nothing
  sweep      send what each wallet holds above its target back to the treasure
  explain W  accept wallet W's current balances as expected and lift its hold (--reason required)
  watch      run the balance scanner (interval from wallets.yaml, plus account subscriptions):
             prints each discrepancy, puts the wallet on hold, sets the solrules_wallet_* metrics

options:
  --config FILE    wallets.yaml (default ./wallets.yaml)
  --rpc URL        JSON-RPC endpoint (default $SOLRULES_RPC_URL; status, fund and sweep need one)
  --journal FILE   the transfer journal (default .solrules/wallets-journal.jsonl beside wallets.yaml)
  --dry-run        fund/sweep: print the plan, send nothing
  --reason TEXT    explain: why the balance differs (recorded in the journal)
  --ws URL         watch: WebSocket endpoint for subscriptions (default: the RPC URL's port + 1)
  --no-subscribe   watch: the interval alone
  --metrics-port N watch: serve /metrics on 127.0.0.1:N (0 = any free port)
  --for SECONDS    watch: stop after this long (default: until Ctrl+C)
  --format F       text (default) or json

Expected balances are mirrored into the cache ($SOLRULES_CACHE: Redis when set) for other processes.`;

function loadWallets(file: string, format: string): WalletsConfig {
  const project = loadFiles([file]);
  const errors = project.diagnostics.filter((d) => severityOf(d) === 'error');
  if (errors.length) {
    // text: the positioned diagnostics first; json: they travel in the error's context
    if (format !== 'json') console.error(formatDiagnostics(errors, 'text'));
    throw new SolrulesError('WALLETS_INVALID', `${file} has ${errors.length} problem(s); fix them first`, { file, diagnostics: errors.map((d) => ({ file: d.file, line: d.line, column: d.column, code: d.code, message: d.message })) });
  }
  if (!project.wallets) throw new CliFailure(`${file} is not a wallets file (name it wallets.yaml or add the wallets schema comment)`);
  return project.wallets.config;
}

class CliFailure extends Error {}

function planLines(plan: Plan, m: WalletManager): string[] {
  const name = (mint: string) => m.mints.find((x) => x.address === mint)!;
  return plan.steps.map((s) => {
    const parts: string[] = [];
    if (s.lamports > 0n) parts.push(`${formatAtoms(s.lamports.toString(), 9)} SOL`);
    for (const [mint, v] of s.tokens) parts.push(`${formatAtoms(v.toString(), name(mint).decimals)} ${name(mint).name}`);
    for (const mint of s.createAccounts) parts.push(`create ${name(mint).name} account${plan.op === 'sweep' ? ' (treasure)' : ''}`);
    return `  ${plan.op === 'fund' ? 'treasure → ' + s.wallet.name : s.wallet.name + ' → treasure'}: ${parts.join(', ')}`;
  });
}

function wsFor(rpcUrl: string): string {
  const u = new URL(rpcUrl);
  u.protocol = u.protocol === 'https:' ? 'wss:' : 'ws:';
  if (u.port) u.port = String(Number(u.port) + 1);
  return u.toString().replace(/\/$/, '');
}

async function watch(m: WalletManager, rpcUrl: string, values: { ws?: string; 'no-subscribe'?: boolean; 'metrics-port'?: string; for?: string }, format: 'text' | 'json'): Promise<number> {
  const seconds = values.for === undefined ? undefined : Number(values.for);
  if (seconds !== undefined && !(seconds > 0)) throw new UsageError(`--for must be a positive number of seconds; got '${values.for}'`);
  const port = values['metrics-port'] === undefined ? undefined : Number(values['metrics-port']);
  if (port !== undefined && !(Number.isInteger(port) && port >= 0 && port <= 65535)) throw new UsageError(`--metrics-port must be a port number; got '${values['metrics-port']}'`);
  const server = port === undefined ? undefined : await startTelemetryServer({ port, host: '127.0.0.1' });
  if (server) console.error(`metrics at ${server.url}/metrics`);
  const scanner = m.scanner({
    ...(values['no-subscribe'] ? {} : { wsUrl: values.ws ?? wsFor(rpcUrl) }),
    onDiscrepancy: (d) => console.log(format === 'json' ? JSON.stringify(d) : `${d.detectedAt} ${d.wallet} (${d.tier}) ${d.asset}: expected ${d.expected}, found ${d.actual} (difference ${d.difference}; seen by ${d.trigger}) — ON HOLD`),
  });
  await scanner.start();
  await new Promise<void>((resolveStop) => {
    const stop = () => {
      process.off('SIGINT', stop);
      process.off('SIGTERM', stop);
      if (timer) clearTimeout(timer);
      resolveStop();
    };
    const timer = seconds === undefined ? undefined : setTimeout(stop, seconds * 1000);
    process.on('SIGINT', stop);
    process.on('SIGTERM', stop);
  });
  await scanner.stop();
  await server?.close();
  const ms = scanner.scans.map((x) => x.ms).sort((a, b) => a - b);
  const holds = m.ledger.holds();
  const summary = { scans: ms.length, accounts: scanner.scans[0]?.accounts ?? 0, medianScanMs: Math.round((ms[Math.floor(ms.length / 2)] ?? 0) * 10) / 10, holds: holds.map((h) => h.wallet) };
  console.error(format === 'json' ? JSON.stringify(summary) : `${summary.scans} scans of ${summary.accounts} accounts, median ${summary.medianScanMs} ms; on hold: ${summary.holds.join(', ') || 'none'}`);
  return holds.length ? 3 : 0;
}

function needsJson(plan: Plan): Record<string, string> {
  return Object.fromEntries([...plan.treasureNeeds].map(([a, v]) => [a === SOL ? 'SOL' : a, v.toString()]));
}

export async function run(argv: string[]): Promise<number> {
  return withUsage(USAGE, async () => {
    const { values, positionals } = parseCommandArgs(argv, {
      config: { type: 'string' },
      rpc: { type: 'string' },
      journal: { type: 'string' },
      'dry-run': { type: 'boolean' },
      reason: { type: 'string' },
      ws: { type: 'string' },
      'no-subscribe': { type: 'boolean' },
      'metrics-port': { type: 'string' },
      for: { type: 'string' },
      format: { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    });
    if (values.help) {
      console.log(USAGE);
      return 0;
    }
    const format = oneOf('format', values.format, ['text', 'json'] as const, 'text');
    const [action, ...rest] = positionals;
    if (!action) throw new UsageError('an action is required');
    if (!['init', 'status', 'fund', 'sweep', 'explain', 'watch'].includes(action)) throw new UsageError(`unknown action '${action}' (expected init, status, fund, sweep, explain or watch)`);
    if (action === 'explain' ? rest.length !== 1 : rest.length !== 0) throw new UsageError(action === 'explain' ? 'explain takes one wallet name' : `unexpected arguments: ${rest.join(' ')}`);
    const file = resolve(values.config ?? 'wallets.yaml');
    const out = (text: string, json: unknown) => console.log(format === 'json' ? JSON.stringify(json, null, 2) : text);
    let cache: Cache | undefined;
    try {
      const cfg = loadWallets(file, format);
      const baseDir = dirname(file);
      if (action === 'init') {
        const r = initKeyFiles(cfg, baseDir);
        const lines = r.created.map((c) => `created ${c.wallet.padEnd(14)} ${c.tier.padEnd(10)} ${c.publicKey}  ${c.file} (mode 0600)`);
        for (const e of r.external) lines.push(`skipped ${e.wallet.padEnd(14)} ${e.tier.padEnd(10)} key from ${e.source} ${e.detail}: provide it where you keep keys`);
        out(lines.join('\n') || 'no wallet has a key file to create', r);
        return 0;
      }
      const rpcUrl = values.rpc ?? process.env.SOLRULES_RPC_URL;
      if (!rpcUrl) throw new UsageError(`${action} reads the chain: give --rpc URL or set SOLRULES_RPC_URL`);
      cache = await openCache();
      const m = await WalletManager.open({ cfg, baseDir, rpc: new RpcPool([rpcUrl]), cache, ...(values.journal ? { journalPath: resolve(values.journal) } : {}) });
      if (action === 'status') {
        const rows = await m.status();
        const pending = m.ledger.pending().length;
        const holds = m.ledger.holds();
        const notes = [pending ? `${pending} transfer(s) sent but not settled in the journal: the next fund or sweep settles them` : '', ...holds.map((h) => `${h.wallet} ON HOLD since ${h.since}: ${h.asset === SOL ? 'SOL' : h.asset} expected ${h.expected}, found ${h.actual} (difference ${h.difference}); run 'solrules wallets explain ${h.wallet} --reason …' once understood`)].filter(Boolean);
        out([formatStatus(rows), ...notes].join('\n'), { wallets: rows, pending, holds, journal: m.ledger.journalPath });
        return holds.length ? 3 : 0;
      }
      if (action === 'explain') {
        const changed = await m.explain(rest[0]!, values.reason ?? '');
        out(changed.length ? changed.map((c) => `${rest[0]} ${c.asset}: expected ${c.expected} → ${c.actual} (explained)`).join('\n') : `${rest[0]}: nothing differs, nothing to explain`, { wallet: rest[0], explained: changed });
        return 0;
      }
      if (action === 'watch') return await watch(m, rpcUrl, values, format);
      const op = action as 'fund' | 'sweep';
      if (values['dry-run']) {
        const { plan } = await m.plan(op);
        out(plan.steps.length ? [`${op} plan (dry run, nothing sent):`, ...planLines(plan, m)].join('\n') : `${op}: nothing to move`, { op, dryRun: true, steps: plan.steps.length, treasureNeeds: needsJson(plan) });
        return 0;
      }
      const r = await m.run(op);
      const lines = r.plan.steps.length ? [`${op}: ${r.results.length} transaction(s) confirmed in ${Math.round(r.ms)} ms`, ...planLines(r.plan, m), ...r.results.map((x) => `  ${x.wallet}: ${x.signature}`)] : [`${op}: nothing to move (every wallet is at its target)`];
      if (r.settled.confirmed + r.settled.failed) lines.unshift(`settled from an earlier run: ${r.settled.confirmed} confirmed, ${r.settled.failed} failed`);
      out(lines.join('\n'), { op, transfers: r.results, treasureNeeds: needsJson(r.plan), settled: r.settled, baselined: r.baselined, ms: Math.round(r.ms), journal: m.ledger.journalPath });
      return 0;
    } catch (err) {
      if (isSolrulesError(err)) {
        if (format === 'json') console.log(JSON.stringify({ error: err.toJSON() }, null, 2));
        else console.error(`error: ${err.message} [${err.code}]`);
        return 1;
      }
      if (err instanceof CliFailure) {
        console.error(`error: ${err.message}`);
        return 1;
      }
      throw err;
    } finally {
      await cache?.close();
    }
  });
}
