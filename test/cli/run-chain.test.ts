/**
 * `solrules run --rpc URL` as a user runs it: against a sandbox holding the market, from the
 * examples/live project, in DRY RUN (says so, sends nothing); its options are checked.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync, copyFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startSandbox } from '../../sandbox/index.ts';
import { createMarket } from '../../sandbox/market/index.ts';
import { engineWallets } from '../../sandbox/demo/live-context.ts';
import { REPO_ROOT } from '../support/paths.ts';
import { requireService, SERVICES } from '../support/services.ts';
import { deleteNamespace, testNamespace } from '../infra/bus/nats/support.ts';

const CLI = join(REPO_ROOT, 'bin', 'solrules.js');
const PROJECT = join(REPO_ROOT, 'examples/live');

/** Runs `solrules <args>` in `cwd` to its end: exit code, standard output and standard error. */
async function runCli(args: string[], cwd: string, env: NodeJS.ProcessEnv): Promise<{ code: number | null; out: string; err: string }> {
  const child = spawn(process.execPath, [CLI, ...args], { cwd, env });
  let out = '';
  let err = '';
  child.stdout.on('data', (d) => (out += d));
  child.stderr.on('data', (d) => (err += d));
  const code = await new Promise<number | null>((r) => child.on('close', r));
  return { code, out, err };
}

test('run --rpc on the sandbox market: a DRY RUN that reads the pools, trades on paper and sends nothing', async () => {
  const sb = await startSandbox({ slotMs: 100 });
  try {
    createMarket({ chain: sb.chain, seed: 1 });
    const { code, out, err } = await runCli(['run', '--rpc', sb.rpcUrl, '--ws', sb.wsUrl, '--seconds', '3', '--no-watch'], PROJECT, { ...process.env, SOLRULES_STORE: 'memory' });
    assert.equal(code, 0, err);
    assert.match(out, /DRY RUN on the chain at http:\/\/127\.0\.0\.1:\d+ \(websocket scanner, 2 pool\(s\)/);
    assert.match(out, /DRY RUN summary \([\d.]+ s, [1-9]\d* price events/);
    assert.equal(sb.stats().rpcRequests.sendTransaction ?? 0, 0);
    assert.deepEqual(sb.stats().blockEngineRequests, {});
  } finally {
    await sb.close();
  }
});

test('run --rpc option errors are usage errors (exit 2)', () => {
  for (const args of [['--rpc', 'not-a-url'], ['--rpc', 'http://127.0.0.1:1', '--ws', 'http://x'], ['--ws', 'ws://127.0.0.1:1'], ['--rpc', 'http://127.0.0.1:1', '--seconds', '0'], ['--rpc', 'http://127.0.0.1:1', '--scanner', '/nonexistent.yaml']]) {
    const r = spawnSync(process.execPath, [CLI, 'run', '--no-watch', ...args], { cwd: PROJECT, encoding: 'utf8', env: { ...process.env, SOLRULES_STORE: 'memory' } });
    assert.equal(r.status, 2, `${args.join(' ')}: ${r.stderr}`);
  }
  // The role comes from --role, else SOLRULES_ROLE (the manifests set it): a bad one is named with where it came from.
  const r = spawnSync(process.execPath, [CLI, 'run', '--no-watch', '--rpc', 'http://127.0.0.1:1'], { cwd: PROJECT, encoding: 'utf8', env: { ...process.env, SOLRULES_STORE: 'memory', SOLRULES_ROLE: 'bogus' } });
  assert.equal(r.status, 2, r.stderr);
  assert.match(r.stderr, /--role must be one of all, scanner, planner, executor; got 'bogus' \(from SOLRULES_ROLE\)/);
});

test('run --rpc DRY RUN with a wallets.yaml: the balance scanner watches the wallets (read-only), nothing is sent', async () => {
  const sb = await startSandbox({ slotMs: 100 });
  const dir = mkdtempSync(join(tmpdir(), 'solrules-run-wallets-'));
  try {
    const market = createMarket({ chain: sb.chain, seed: 1 });
    const w = engineWallets(market, { workers: 2 }); // SIMULATED funding: sandbox setup writes
    // examples/live with its relative paths made absolute, plus a wallets.yaml whose keys are in the environment.
    writeFileSync(join(dir, 'strategies.yaml'), readFileSync(join(PROJECT, 'strategies.yaml'), 'utf8').replaceAll('../../', `${REPO_ROOT}/`).replaceAll('../shared/', `${join(REPO_ROOT, '..')}/shared/`));
    copyFileSync(join(PROJECT, 'scanner.yaml'), join(dir, 'scanner.yaml'));
    const mints = `mints: { wsol: ${market.mints.sol}, usdc: ${market.mints.usdc} }`;
    const entries = w.config.wallets.map((x) => `  - { name: ${x.name}, tier: ${x.tier}, key: { env: ${(x.key as { env: string }).env} }${x.minBalanceSol !== undefined ? `, minBalanceSol: ${x.minBalanceSol}` : ''} }`);
    writeFileSync(join(dir, 'wallets.yaml'), ['version: 1', mints, 'scanner: { intervalMs: 500 }', 'wallets:', ...entries, ''].join('\n'));
    const { code, out, err } = await runCli(['run', '--rpc', sb.rpcUrl, '--ws', sb.wsUrl, '--seconds', '3', '--no-watch'], dir, { ...process.env, ...w.env, SOLRULES_STORE: 'memory' });
    assert.equal(code, 0, err + out);
    assert.match(out, /DRY RUN summary/);
    const m = /wallets: (\d+) scan\(s\), 0 on hold, 0 rebalancing transfer\(s\), (\d+) P&L snapshot row\(s\) stored/.exec(out);
    assert.ok(m, out);
    assert.ok(Number(m[1]) >= 2, `scans: ${m[1]}`);
    assert.equal(sb.stats().rpcRequests.sendTransaction ?? 0, 0, 'a dry run sends nothing, rebalancer included');
    assert.ok((sb.stats().rpcRequests.getMultipleAccounts ?? 0) > 0, 'the scanner read the wallets');
    const journal = readFileSync(join(dir, '.solrules', 'wallets-journal.jsonl'), 'utf8');
    assert.match(journal, /"kind":"baseline"/, 'first-seen balances journalled');
    assert.doesNotMatch(journal, /"kind":"sent"/);
  } finally {
    await sb.close();
    rmSync(dir, { recursive: true, force: true });
  }
});

test('run --live warns when an enabled arbitrage asks for flash loans (params.flashLoan, default true): the run has no provider', async () => {
  const { strategiesAskingForFlashLoans } = await import('../../engine/cli/_run-chain.ts');
  assert.deepEqual(
    strategiesAskingForFlashLoans({
      arb: { enabled: true, kind: 'arbitrage', params: {} },
      arbOwn: { enabled: true, kind: 'arbitrage', params: { flashLoan: false } },
      arbOff: { enabled: false, kind: 'arbitrage', params: { flashLoan: true } },
      grid: { enabled: true, kind: 'grid', params: {} },
    }),
    ['arb'],
  );
});

test('run --role scanner stops cleanly at --seconds: leaves its group and says how much it forwarded', async (t) => {
  if (!(await requireService(t, 'nats'))) return;
  const ns = testNamespace('scanstop');
  const sb = await startSandbox({ slotMs: 100 });
  try {
    createMarket({ chain: sb.chain, seed: 1 });
    const child = spawn(process.execPath, [CLI, 'run', '--rpc', sb.rpcUrl, '--ws', sb.wsUrl, '--role', 'scanner', '--member', 'scanner-t', '--seconds', '3', '--no-watch'], {
      cwd: PROJECT,
      env: { ...process.env, SOLRULES_STORE: 'memory', SOLRULES_BUS: `${SERVICES.nats.url}?namespace=${ns}&max_bytes=8388608` },
    });
    let out = '';
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (out += d));
    const code = await new Promise<number | null>((r) => child.on('close', r));
    assert.equal(code, 0, out);
    assert.match(out, /role scanner \(scanner-t\): watching \d of 2 pool\(s\)/);
    assert.match(out, /scanner scanner-t stopped: [1-9]\d* message\(s\) forwarded/);
    assert.doesNotMatch(out, /share changed: 0 of 2/, 'its own leaving is not reported as a share change');
  } finally {
    await sb.close();
    await deleteNamespace(SERVICES.nats.url, ns);
  }
});

test('scanner.yaml reserves: run --rpc checks each (ready / NOT READY); a --live run borrows from the ready one only', async () => {
  const sb = await startSandbox({ slotMs: 100 });
  try {
    const market = createMarket({ chain: sb.chain, seed: 1, kamino: true });
    const k = market.kamino!;
    const orca = market.pools.find((p) => p.venue === 'orca-whirlpool')!.address;
    const dir = mkdtempSync(join(tmpdir(), 'solrules-reserves-'));
    const scanner = join(dir, 'scanner.yaml');
    // The sandbox's Kamino reserve (klend's own instructions made it), and a "reserve" that is a pool: not owned by klend.
    writeFileSync(scanner, `${readFileSync(join(PROJECT, 'scanner.yaml'), 'utf8')}reserves:\n  - { address: ${k.reserve.reserve}, mint: ${market.mints.usdc}, lendingMarket: ${k.lendingMarket}, lookupTable: ${k.lookupTable.key.toBase58()} }\n  - { address: ${orca}, mint: ${market.mints.sol} }\n`);
    const { code, out, err } = await runCli(['run', '--rpc', sb.rpcUrl, '--ws', sb.wsUrl, '--scanner', scanner, '--seconds', '2', '--no-watch'], PROJECT, { ...process.env, SOLRULES_STORE: 'memory' });
    assert.equal(code, 0, err);
    assert.match(out, new RegExp(`reserve +${k.reserve.reserve} \\(Kamino, USDC\\) ready: \\d+ atoms available`));
    assert.match(out, new RegExp(`reserve +${orca} \\(Kamino, SOL\\) NOT READY`));

    // What --live does with them once the initializer has read them: the ready reserve lends USDC (with its lookup table), the other nothing.
    const { chainScannerConfig } = await import('../../engine/cli/_run-chain.ts');
    const { flashLoansFromReserves } = await import('../../engine/app/index.ts');
    const { initializeMarket, flashLoanFee } = await import('../../engine/market/index.ts');
    const { RoundTripSource } = await import('../../engine/executors/index.ts');
    const { Connection } = await import('@solana/web3.js');
    const config = chainScannerConfig(PROJECT, { rpc: sb.rpcUrl, scanner });
    const readiness = await initializeMarket({ connection: new Connection(sb.rpcUrl, 'confirmed'), commitment: 'confirmed', pools: config.pools, reserves: config.reserves });
    const { providers, refused } = await flashLoansFromReserves(readiness, config.reserves, sb.rpcUrl);
    assert.deepEqual(providers.map((p) => [p.reserve.reserve, p.mint, p.lookupTables.map((t) => t.key.toBase58())]), [[k.reserve.reserve, market.mints.usdc, [k.lookupTable.key.toBase58()]]]);
    assert.equal(providers[0]!.fee(1_000_000_000n), flashLoanFee(readiness.reserves.find((r) => r.ready)!.reserve!, 1_000_000_000n), 'the fee the executors charge is the one the initializer read');
    assert.deepEqual(refused.map((r) => [r.address, r.mint]), [[orca, market.mints.sol]]);
    assert.match(refused[0]!.why, /^not ready/);
    const roundTrips = new RoundTripSource({ statesFor: async () => [] });
    assert.deepEqual(roundTrips.flashLoanMints, []);
    roundTrips.addFlashLoans(providers);
    assert.deepEqual(roundTrips.flashLoanMints, [market.mints.usdc]);
    rmSync(dir, { recursive: true, force: true });
  } finally {
    await sb.close();
  }
});
