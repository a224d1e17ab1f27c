/**
 * Chain time in the scanner: with settle batching (the latency path) an update is never held for a
 * getBlockTime round trip; with slot batching each slot is timed by its block time before it is applied;
 * a block time read below the running estimate (settle batching) never moves time back.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Connection } from '@solana/web3.js';
import { MemoryBus } from '../../engine/infra/bus/index.ts';
import { MemoryCache } from '../../engine/infra/cache/index.ts';
import { MarketScanner } from '../../engine/market/index.ts';
import { RAYDIUM_COIN_VAULT, raydiumNear, SOL, withTokenAmount } from '../quotes/support.ts';
import { fixtureSandbox, recorder, sandboxConfig, until } from './support.ts';

/** A connection to the sandbox whose getBlockTime answers only when `release` is called. */
function heldBlockTimes(rpcUrl: string) {
  const connection = new Connection(rpcUrl, 'confirmed');
  const asked: number[] = [];
  const waiting: (() => void)[] = [];
  const real = connection.getBlockTime.bind(connection);
  connection.getBlockTime = (slot: number) => {
    asked.push(slot);
    return new Promise((resolve, reject) => waiting.push(() => real(slot).then(resolve, reject)));
  };
  return { connection, asked, release: () => waiting.splice(0).forEach((go) => go()) };
}

for (const batching of ['settle', 'slot'] as const) {
  test(`chain time, ${batching} batching: a new slot's price ${batching === 'settle' ? 'is published without waiting for its block time' : 'waits for its block time and carries it'}`, { timeout: 60_000 }, async () => {
    const sb = await fixtureSandbox({ raydium: raydiumNear(1.01) });
    const bus = new MemoryBus();
    const rec = await recorder(bus);
    const held = heldBlockTimes(sb.rpcUrl);
    const scanner = new MarketScanner({ config: sandboxConfig(sb, { batching }), bus, cache: new MemoryCache(), connection: held.connection, chainTime: true });
    const prices = () => rec.on(`market.prices.${SOL}`);
    try {
      const started = scanner.start();
      // The first slot's updates wait for its block time (settle batching: the anchor of its estimates).
      await until(() => held.asked.length > 0, 'the first block time asked for');
      held.release();
      await started;
      await until(() => scanner.source.stats().connected, 'the WebSocket live');
      await until(() => prices().length > 0, 'the first price');
      const before = prices().length;
      const a = sb.getAccount(RAYDIUM_COIN_VAULT)!;
      sb.advanceSlots(1);
      sb.setAccount(RAYDIUM_COIN_VAULT, { ...a, data: withTokenAmount({ address: RAYDIUM_COIN_VAULT, ...a }, 1234n * 10n ** 9n).data });
      sb.advanceSlots(1); // closes the slot for slot batching
      const slot = sb.slot - 1;
      if (batching === 'settle') {
        // No later block time is answered: the new slot is applied and priced without one.
        await until(() => prices().length > before, 'the new slot priced while its block time is unanswered');
        assert.ok(held.asked.length > 1, 'block times are still read, off the update path');
        // Timed from the first block time at slotMs a slot: the chain's clock (the sandbox's genesis is
        // years before this machine's), not the local one; block times are whole seconds.
        const last = prices().at(-1);
        assert.ok(Math.abs(Date.parse(last.time) - sb.chain.blockTime(slot) * 1000) < 2_000, `price time ${last.time} vs the slot's block time ${new Date(sb.chain.blockTime(slot) * 1000).toISOString()}`);
      } else {
        await until(() => held.asked.includes(slot), `the block time of slot ${slot} asked for`);
        await new Promise((r) => setTimeout(r, 300));
        assert.equal(prices().length, before, 'nothing of the slot is published before its block time');
        held.release();
        await until(() => prices().length > before, 'the slot priced once its block time came');
        const last = prices().at(-1);
        assert.equal(Date.parse(last.time), sb.chain.blockTime(slot) * 1000, "the price is timed by the slot's block time");
      }
    } finally {
      held.release();
      await scanner.stop();
      await sb.close();
    }
  });
}

test('chain time, settle batching: a block time read below the running estimate never moves a price back in time', { timeout: 60_000 }, async () => {
  const sb = await fixtureSandbox({ raydium: raydiumNear(1.01) });
  const bus = new MemoryBus();
  const rec = await recorder(bus);
  // The first read (the anchor) is the chain's; every later one lands 30 s below it, as when slots ran
  // faster than slotMs and the estimates made from the anchor overshot the chain's clock.
  const connection = new Connection(sb.rpcUrl, 'confirmed');
  const real = connection.getBlockTime.bind(connection);
  const lowAnswers: number[] = [];
  let anchored = false;
  connection.getBlockTime = async (slot: number) => {
    const seconds = await real(slot);
    if (seconds === null) return null;
    if (!anchored) {
      anchored = true;
      return seconds;
    }
    lowAnswers.push(slot);
    return seconds - 30;
  };
  const scanner = new MarketScanner({ config: sandboxConfig(sb, { batching: 'settle' }), bus, cache: new MemoryCache(), connection, chainTime: true });
  const times = () => rec.on(`market.prices.${SOL}`).map((p: { time: string }) => Date.parse(p.time));
  try {
    await scanner.start();
    await until(() => scanner.source.stats().connected, 'the WebSocket live');
    await until(() => times().length > 0, 'the first price');
    for (let i = 1; i <= 4; i++) {
      const before = times().length;
      const lowBefore = lowAnswers.length;
      const a = sb.getAccount(RAYDIUM_COIN_VAULT)!;
      sb.advanceSlots(1);
      sb.setAccount(RAYDIUM_COIN_VAULT, { ...a, data: withTokenAmount({ address: RAYDIUM_COIN_VAULT, ...a }, (1234n + BigInt(i) * 7n) * 10n ** 9n).data });
      await until(() => times().length > before, `slot ${i}'s price`);
      // The background read of this slot's block time (the low one) lands before the next slot comes.
      await until(() => lowAnswers.length > lowBefore, `slot ${i}'s block time read`);
    }
    assert.ok(lowAnswers.length >= 4, `low block times were read (${lowAnswers.length})`);
    const seen = times();
    for (let i = 1; i < seen.length; i++) {
      assert.ok(seen[i]! >= seen[i - 1]!, `price ${i} at ${new Date(seen[i]!).toISOString()} is before price ${i - 1} at ${new Date(seen[i - 1]!).toISOString()}`);
    }
    // The low reads did land below the running estimate (else the case above was not exercised).
    assert.ok(seen.at(-1)! > (sb.chain.blockTime(lowAnswers.at(-1)!) - 30) * 1000, 'the last price is later than the newest low read');
  } finally {
    await scanner.stop();
    await sb.close();
  }
});
