/**
 * Market state over the bus: two scanner-role scanners split the sandbox market's pools between
 * them and forward their accounts; a planner-role scanner with no chain connection, fed only by the
 * bus, holds the same pools and quotes exactly as a scanner reading the chain — through a late
 * join, a missed message (resync) and the death of one scanner (its share taken over).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { startSandbox } from '../../sandbox/index.ts';
import { createMarket, MarketFlow } from '../../sandbox/market/index.ts';
import { MemoryBus, type Bus } from '../../engine/infra/bus/index.ts';
import { MemoryCache } from '../../engine/infra/cache/index.ts';
import { BusAccountSource, MarketScanner, ScannerForwarder, type AccountUpdate, type ScannerConfig } from '../../engine/market/index.ts';
import { Membership } from '../../engine/cluster/index.ts';
import { startScannerRole } from '../../engine/app/index.ts';
import { SUBJECTS } from '../../engine/messages/index.ts';
import { createLogger } from '../../engine/infra/telemetry/index.ts';
import { chainScannerConfig } from '../../engine/cli/_run-chain.ts';
import { REPO_ROOT } from '../support/paths.ts';
import { poolQuotes, until } from './support.ts';

const log = createLogger({ level: 'silent' });

/** A scanner-role process's pipeline, as `run --role scanner` starts it (fast heartbeats for the test). */
const scannerRole = (bus: Bus, config: ScannerConfig, member: string) => startScannerRole({ config, bus, member, log, heartbeatMs: 20 });


test('a planner fed by the bus holds the pools exactly as a chain scanner: split share, late join, resync, a scanner lost', async () => {
  const sb = await startSandbox({ slotMs: 'manual', genesisUnixMs: 1_700_000_000_000 });
  const market = createMarket({ chain: sb.chain, seed: 1 });
  const config = chainScannerConfig(join(REPO_ROOT, 'examples/live'), { rpc: sb.rpcUrl, ws: sb.wsUrl });
  const bus = new MemoryBus();
  const reference = new MarketScanner({ config, bus: new MemoryBus(), cache: new MemoryCache(), log });
  await reference.start();
  const s1 = await scannerRole(bus, config, 's1');
  const s2 = await scannerRole(bus, config, 's2');
  await until(() => s1.membership.members().length === 2 && s2.membership.members().length === 2, 'two scanners see each other');
  const pools = config.pools;
  const owned1 = pools.filter((p) => s1.membership.owns(p));
  const owned2 = pools.filter((p) => s2.membership.owns(p));
  assert.deepEqual([...owned1, ...owned2].sort(), [...pools].sort(), 'each pool is watched by exactly one scanner');

  const flow = new MarketFlow(market, { seed: 7, shockProbability: 0.1 });
  flow.run(5); // the market moves before the planner joins: it must catch up by resync
  const source = new BusAccountSource({ bus, member: 'p1', heartbeatMs: 20, log });
  const planner = new MarketScanner({ config, bus: new MemoryBus(), cache: new MemoryCache(), log, source, readChain: false });
  await planner.start();
  const sol = market.mints.sol;
  const usdc = market.mints.usdc;
  const agree = async (what: string) => {
    await until(async () => {
      await reference.idle();
      await reference.settle();
      await planner.settle();
      return poolQuotes(planner, sol, usdc) !== '' && poolQuotes(planner, sol, usdc) === poolQuotes(reference, sol, usdc);
    }, what, 10_000);
  };
  try {
    await agree('the late planner caught up by resync');
    assert.ok(source.feed.resyncs >= 2, `asked both scanners (${source.feed.resyncs})`);
    assert.equal(planner.market.poolsFor(sol, usdc).length, 2, 'both venues');
    for (let i = 0; i < 20; i++) {
      flow.run(1);
      await agree(`step ${i + 1}`);
    }

    // A message lost on the way: the planner sees the jump and resyncs from that scanner.
    const publish = bus.publish.bind(bus);
    let dropped = 0;
    bus.publish = async (subject, data, opts) => {
      if (subject === SUBJECTS.accounts && dropped === 0 && (data as { kind: string }).kind === 'account') {
        dropped++;
        return;
      }
      return publish(subject, data, opts);
    };
    const gapsBefore = source.feed.gaps; // joining late past a scanner's first message counts as one
    for (let i = 0; i < 10 && source.feed.gaps === gapsBefore; i++) {
      flow.run(1);
      await reference.idle();
      await new Promise((r) => setTimeout(r, 50));
    }
    bus.publish = publish;
    assert.equal(dropped, 1);
    assert.ok(source.feed.gaps > gapsBefore, 'the gap was noticed');
    await agree('after the resync');

    // One scanner stops: the other takes its pools and forwards them; the planner follows.
    await s2.stop();
    await until(() => pools.every((p) => s1.membership.owns(p)), 's1 owns every pool');
    for (let i = 0; i < 5; i++) {
      flow.run(1);
      await agree(`after the takeover, step ${i + 1}`);
    }
  } finally {
    await planner.stop();
    await source.stop();
    await s1.stop();
    await s2.stop().catch(() => undefined);
    await reference.stop();
    await sb.close();
  }
});

test('two planners fed by the bus derive the same price facts, time included (so the same order ids), from the same updates', async () => {
  const sb = await startSandbox({ slotMs: 'manual', genesisUnixMs: 1_700_000_000_000 });
  const market = createMarket({ chain: sb.chain, seed: 1 });
  const config = chainScannerConfig(join(REPO_ROOT, 'examples/live'), { rpc: sb.rpcUrl, ws: sb.wsUrl });
  const bus = new MemoryBus();
  const s1 = await scannerRole(bus, config, 's1');
  const planners = await Promise.all(
    ['p1', 'p2'].map(async (member, i) => {
      const facts = new MemoryBus();
      const prices: string[] = [];
      await facts.subscribe<{ id: string; time: string }>(`${SUBJECTS.prices}.>`, (m) => void prices.push(`${m.data.id}@${m.data.time}`));
      const source = new BusAccountSource({ bus, member, heartbeatMs: 20, log });
      // Planner clocks that disagree by a minute: facts must not depend on them.
      const scanner = new MarketScanner({ config, bus: facts, cache: new MemoryCache(), log, source, readChain: false, chainTime: true, now: () => Date.now() + i * 60_000 });
      await scanner.start();
      return { scanner, source, prices };
    }),
  );
  const flow = new MarketFlow(market, { seed: 11 });
  try {
    const seen = () => planners.map((p) => p.prices.length);
    await until(() => seen().every((n) => n > 0), 'both planners priced the initial state', 10_000);
    for (let i = 0; i < 10; i++) {
      flow.run(1);
      await new Promise((r) => setTimeout(r, 30));
    }
    await until(async () => {
      for (const p of planners) await p.scanner.settle();
      return planners[0]!.prices.length === planners[1]!.prices.length && planners[0]!.prices.at(-1) === planners[1]!.prices.at(-1);
    }, 'both planners caught up', 10_000);
    assert.ok(planners[0]!.prices.length >= 5, `prices moved (${planners[0]!.prices.length})`);
    assert.deepEqual(planners[1]!.prices, planners[0]!.prices);
  } finally {
    for (const p of planners) await p.scanner.stop(), await p.source.stop();
    await s1.stop();
    await sb.close();
  }
});

test('a scanner that dies in the middle of a slot: the updates it forwarded of that slot are dropped, not released half-way when the survivors close it', async () => {
  const bus = new MemoryBus();
  const members = ['s1', 's2'].map((member) => new Membership(bus, { group: 'scanner', member, heartbeatMs: 20, log }));
  for (const m of members) await m.start();
  const forwarders = ['s1', 's2'].map((member) => new ScannerForwarder(bus, member));
  const syncs = await Promise.all(forwarders.map((f) => f.serveResync(async () => 0)));
  const released: string[] = [];
  const closed: number[] = [];
  const source = new BusAccountSource({ bus, member: 'p1', heartbeatMs: 20, log });
  await source.start({ account: (u) => void released.push(`${u.address}@${u.slot}`), slot: (s) => void closed.push(s), synced: () => undefined, disconnected: () => undefined, reconnected: () => undefined, error: () => undefined });
  await until(() => members.every((m) => m.members().length === 2), 'both scanners are members');
  const update = (address: string, slot: number): AccountUpdate => ({ address, slot, receivedAt: Date.now(), via: 'account', account: { address, owner: 'owner', data: new Uint8Array([slot & 255]), lamports: 1n, executable: false, rentEpoch: 0n, slot } });
  const [f1, f2] = forwarders as [ScannerForwarder, ScannerForwarder];
  try {
    // Slot 10 closed by both; then slot 11: s1 forwards its pool account, dies before its vaults and its notice.
    await f1.account(update('pool-1', 10), false);
    await f2.account(update('pool-2', 10), false);
    await f1.slot(11);
    await f2.slot(11);
    await until(() => closed.includes(11), 'slot 10 closed');
    assert.deepEqual(released.sort(), ['pool-1@10', 'pool-2@10'], 'a closed slot releases every update of it');
    await f1.account(update('pool-1', 11), false);
    await f2.account(update('pool-2', 11), false);
    await f2.slot(12);
    await bus.settle();
    assert.ok(!closed.includes(12), 'slot 11 waits for s1');
    await syncs[0]!.unsubscribe();
    await members[0]!.stop(); // s1 leaves
    await until(() => closed.includes(12), 'slot 11 closed without s1');
    assert.ok(released.includes('pool-2@11'), "the survivor's updates of slot 11 are released");
    assert.ok(!released.includes('pool-1@11'), "the dead scanner's half of slot 11 is not (its share is re-read by the one taking it over)");
  } finally {
    await source.stop();
    await syncs[1]!.unsubscribe();
    await members[1]!.stop();
  }
});

test('a forwarded message whose publish fails rejects its caller only: the next one still goes out, numbered past it (planners see the gap and resync)', async () => {
  const bus = new MemoryBus();
  const seen: number[] = [];
  await bus.subscribe<{ seq: number }>(SUBJECTS.accounts, (m) => void seen.push(m.data.seq));
  let failNext = false;
  const flaky: Bus = Object.assign(Object.create(bus) as Bus, {
    publish: (subject: string, data: unknown, opts?: Parameters<Bus['publish']>[2]) => {
      if (failNext) {
        failNext = false;
        return Promise.reject(new Error('no acknowledgement'));
      }
      return bus.publish(subject, data, opts);
    },
  });
  const f = new ScannerForwarder(flaky, 's1');
  await f.slot(1);
  failNext = true;
  await assert.rejects(f.slot(2), /no acknowledgement/);
  await f.slot(3);
  await f.synced();
  await bus.settle();
  assert.deepEqual(seen, [1, 3, 4]);
  assert.equal(f.lastSeq, 4);
  await bus.close();
});
