/**
 * An executor process's market copy (`BusMarketSource.holds`): a paper fill waits until this
 * process's pool states are the ones the planner decided on. Two copies fed the same updates can
 * report the same state slot and hold different pools: a planner closed a slot (released its held
 * updates) before a resync of a newer slot arrived, an executor that had not closed it yet applied
 * the resync at once. The state slot is then equal and one pool is a step behind; only the states'
 * fingerprint tells (the split-roles topology test filled a round trip on such a copy).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { startSandbox } from '../../sandbox/index.ts';
import { createMarket, MarketFlow } from '../../sandbox/market/index.ts';
import { MemoryBus } from '../../engine/infra/bus/index.ts';
import { MemoryCache } from '../../engine/infra/cache/index.ts';
import { fetchAccounts, MarketScanner, type AccountUpdate } from '../../engine/market/index.ts';
import { BusMarketSource } from '../../engine/app/index.ts';
import { createLogger } from '../../engine/infra/telemetry/index.ts';
import { chainScannerConfig } from '../../engine/cli/_run-chain.ts';
import { REPO_ROOT } from '../support/paths.ts';
import { HandSource, poolQuotes } from '../market/support.ts';

const log = createLogger({ level: 'silent' });



test('an executor copy at the decision slot but a step behind on one pool does not fill until it holds the decision states', { timeout: 120_000 }, async () => {
  const sb = await startSandbox({ slotMs: 'manual', genesisUnixMs: 1_700_000_000_000 });
  const reference = new MarketScanner({ config: chainScannerConfig(join(REPO_ROOT, 'examples/live'), { rpc: sb.rpcUrl, ws: sb.wsUrl }), bus: new MemoryBus(), cache: new MemoryCache(), log });
  const copies: MarketScanner[] = [];
  try {
    const market = createMarket({ chain: sb.chain, seed: 1 });
    const config = chainScannerConfig(join(REPO_ROOT, 'examples/live'), { rpc: sb.rpcUrl, ws: sb.wsUrl });
    await reference.start();
    const watched = reference.market.watchedAccounts();
    const poolOf = (address: string) => [...reference.market.pools.values()].filter((p) => p.deps.has(address)).map((p) => p.address);
    let last = new Map<string, Buffer>();
    /** The watched accounts that changed since the last read (all of them at the first), as updates of the slot read. */
    const changed = async (via: AccountUpdate['via']): Promise<AccountUpdate[]> => {
      const { updates } = await fetchAccounts(reference.connection, watched, { commitment: config.commitment });
      const out = updates.filter((u) => !last.get(u.address)?.equals(Buffer.from(u.account.data)));
      last = new Map(updates.map((u) => [u.address, Buffer.from(u.account.data)]));
      return out.map((u) => ({ ...u, via }));
    };

    const planner = new HandSource('bus');
    const executor = new HandSource('bus');
    const P = new MarketScanner({ config, bus: new MemoryBus(), cache: new MemoryCache(), log, source: planner, readChain: false, digestState: true });
    const E = new MarketScanner({ config, bus: new MemoryBus(), cache: new MemoryCache(), log, source: executor, readChain: false, digestState: true });
    copies.push(P, E);
    await P.start();
    await E.start();
    const initial = await changed('resync');
    for (const source of [planner, executor]) {
      for (const u of initial) source.sink.account(u);
      source.sink.synced!();
    }
    await P.idle();
    await E.idle();
    const sol = market.mints.sol;
    const usdc = market.mints.usdc;
    assert.equal(poolQuotes(E, sol, usdc), poolQuotes(P, sol, usdc), 'both copies start from the same pools');

    // The market moves: one pool (A) first, then another (B), a slot later.
    const flow = new MarketFlow(market, { seed: 7 });
    let first: AccountUpdate[] = [];
    let second: AccountUpdate[] = [];
    for (let i = 0; i < 40 && !second.length; i++) {
      flow.step();
      const step = await changed('account');
      const pools = new Set(step.flatMap((u) => poolOf(u.address)));
      if (!first.length || [...pools].every((p) => first.some((u) => poolOf(u.address).includes(p)))) first = [...first.filter((u) => !step.some((s) => s.address === u.address)), ...step];
      else if (!step.some((u) => first.some((f) => f.address === u.address))) second = step;
    }
    assert.ok(first.length && second.length, 'the flow moved two different pools');
    const firstSlot = Math.max(...first.map((u) => u.slot));
    const secondSlot = Math.max(...second.map((u) => u.slot));
    assert.ok(secondSlot > firstSlot);

    // The planner closed A's slot, then got B's; the executor has B's (a resync is applied at once) and not A's yet.
    for (const u of first) planner.sink.account(u);
    planner.sink.slot(firstSlot + 1, Date.now());
    for (const u of second) planner.sink.account(u);
    planner.sink.synced!();
    for (const u of second) executor.sink.account(u);
    executor.sink.synced!();
    await P.idle();
    await E.idle();
    assert.equal(E.stateSlot, P.stateSlot, 'the state slot cannot tell the two copies apart');
    assert.notEqual(poolQuotes(E, sol, usdc), poolQuotes(P, sol, usdc), 'the executor copy is a step behind on pool A');

    const decided = new BusMarketSource({ config, member: 'planner-test' });
    decided.scanner = P;
    const mark = decided.mark()!;
    assert.ok(mark.digest, 'a planner fed by the bus fingerprints its pool states');
    const held = new BusMarketSource({ config, member: 'executor-test' });
    held.scanner = E;
    assert.equal(await held.holds(mark, 300), false, 'the executor does not take its copy for the decision states');

    // A's updates reach the executor (its slot closes): now it holds the decision states.
    const waiting = held.holds(mark, 30_000);
    for (const u of first) executor.sink.account(u);
    executor.sink.synced!();
    assert.equal(await waiting, true, 'the executor holds the decision states once A has caught up');
    assert.equal(poolQuotes(E, sol, usdc), poolQuotes(P, sol, usdc), 'and quotes exactly as the planner did');
    assert.equal(E.stateDigest, P.stateDigest);
  } finally {
    for (const s of copies) await s.stop();
    await reference.stop();
    await sb.close();
  }
});
