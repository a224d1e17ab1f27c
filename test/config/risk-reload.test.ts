/**
 * Emergency edits to risk params in strategies.yaml always apply: the kill switch, a lower
 * notional cap, a lower order rate. Rule tests state the params they rely on, so a stricter
 * live threshold cannot fail them, and a change that only makes risk stricter is never held
 * back by a rule test. The kill switch set in the file stops the next order the coordinator sees.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildActiveConfig, ConfigHolder, Reloader } from '../../engine/config/index.ts';
import { Coordinator } from '../../engine/coordinator/index.ts';
import { MemoryBus } from '../../engine/infra/bus/index.ts';
import { MemoryStore } from '../../engine/infra/store/index.ts';
import { createLogger } from '../../engine/infra/telemetry/index.ts';
import { buildOrders, type Order } from '../../engine/orders/index.ts';
import { referenceEvaluator } from '../../engine/rules/index.ts';
import { REPO_ROOT } from '../support/paths.ts';

const SOL = { symbol: 'SOL', mint: 'So11111111111111111111111111111111111111112', decimals: 9 };
const USDC = { symbol: 'USDC', mint: 'EPjFWdd5AufqSSqeM2qN1xzybapC8G4wEGGkZwyTDt1v', decimals: 6 };
const log = createLogger({ level: 'silent' });

function project(): string {
  const dir = mkdtempSync(join(tmpdir(), 'solrules-risk-reload-'));
  cpSync(join(REPO_ROOT, 'strategies.yaml'), join(dir, 'strategies.yaml'));
  cpSync(join(REPO_ROOT, 'wallets.yaml'), join(dir, 'wallets.yaml'));
  cpSync(join(REPO_ROOT, 'rules'), join(dir, 'rules'), { recursive: true });
  return dir;
}

function order(usd: number): Order {
  return buildOrders(
    { ruleId: 'grid-rule', fileId: 'grid', priority: 1, type: 'order', params: { side: 'buy', amountIn: String(usd * 1_000_000), urgency: 'normal' } },
    {
      strategy: 'grid', ruleFile: 'grid', ruleSetHash: 'd'.repeat(64), base: SOL, quote: USDC,
      priceUsd: (m) => (m === SOL.mint ? 100 : 1), now: new Date('2022-01-01T00:00:00Z'), facts: { n: Math.random() },
      explanation: { ruleId: 'x', ruleSetHash: 'd'.repeat(64), conditions: { kind: 'all', result: true } },
    },
  )[0]!;
}

async function engine(dir: string) {
  const built = await buildActiveConfig(dir, referenceEvaluator, 'startup');
  assert.ok(built.active, JSON.stringify(built));
  const holder = new ConfigHolder(built.active);
  const reloader = new Reloader({ root: dir, factory: referenceEvaluator, holder, log });
  const coordinator = new Coordinator({
    bus: new MemoryBus(), store: new MemoryStore(), ruleSet: () => holder.current.ruleSet,
    control: () => ({ killSwitch: false, paused: false }), exposureUsd: () => 0, solUsd: () => 100,
    now: () => new Date('2022-01-01T00:00:00Z'), log,
  });
  return { holder, reloader, coordinator };
}

function edit(dir: string, from: string, to: string): void {
  const path = join(dir, 'strategies.yaml');
  const text = readFileSync(path, 'utf8');
  assert.ok(text.includes(from), `strategies.yaml has '${from}'`);
  writeFileSync(path, text.replace(from, to));
}

test('killSwitch: true in strategies.yaml applies on reload and blocks the very next order', async () => {
  const dir = project();
  try {
    const { reloader, coordinator } = await engine(dir);
    const before = await coordinator.decide(order(100));
    assert.equal(before.kind, 'routed', 'an ordinary order is routed before the edit');
    edit(dir, 'killSwitch: false', 'killSwitch: true');
    const outcome = await reloader.reload('strategies.yaml');
    assert.equal(outcome.applied, true, `refused: ${outcome.testFailures.join('\n')} ${JSON.stringify(outcome.diagnostics)}`);
    const after = await coordinator.decide(order(100));
    assert.equal(after.kind, 'blocked');
    assert.match(after.kind === 'blocked' ? after.reason : '', /kill switch/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('lowering maxOrderNotionalUsd and maxOrdersPerMinute applies and takes effect', async () => {
  const dir = project();
  try {
    const { reloader, coordinator } = await engine(dir);
    assert.equal((await coordinator.decide(order(300))).kind, 'routed');
    edit(dir, 'maxOrderNotionalUsd: 2500', 'maxOrderNotionalUsd: 200');
    edit(dir, 'maxOrdersPerMinute: 30', 'maxOrdersPerMinute: 1');
    const outcome = await reloader.reload('strategies.yaml');
    assert.equal(outcome.applied, true, `refused: ${outcome.testFailures.join('\n')}`);
    const blocked = await coordinator.decide(order(300));
    assert.equal(blocked.kind, 'blocked');
    assert.match(blocked.kind === 'blocked' ? blocked.reason : '', /max-order-notional/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('a stricter risk change applies even when a rule test still reads the live threshold', async () => {
  const dir = project();
  try {
    // A user's own test that relies on the live cap (states no params): a stricter cap fails it.
    writeFileSync(join(dir, 'rules', 'my-risk.test.yaml'), [
      'rules: risk.yaml',
      'facts:',
      '  order: { strategy: grid, side: buy, notionalUsd: 2000, urgency: normal }',
      '  risk: { ordersLastMinute: 0, strategyNotionalUsd: 2000 }',
      '  control: { killSwitch: false, paused: false }',
      'cases:',
      '  - name: a 2000 USD order passes under the live cap',
      '    expect: { events: [] }',
      '',
    ].join('\n'));
    const { reloader, holder, coordinator } = await engine(dir);
    edit(dir, 'maxOrderNotionalUsd: 2500', 'maxOrderNotionalUsd: 1000');
    const stricter = await reloader.reload('strategies.yaml');
    assert.equal(stricter.applied, true, 'a stricter limit is never blocked by a rule test');
    assert.ok((stricter.overriddenTestFailures ?? []).some((f) => f.includes('passes under the live cap')), 'the failing test is still reported');
    assert.equal((holder.current.strategies.risk.params as { maxOrderNotionalUsd: number }).maxOrderNotionalUsd, 1000);
    assert.equal((await coordinator.decide(order(1500))).kind, 'blocked');
    // Loosening past what a test relies on is still gated by the tests.
    edit(dir, 'maxOrderNotionalUsd: 1000', 'maxOrderNotionalUsd: 1500');
    const looser = await reloader.reload('strategies.yaml');
    assert.equal(looser.applied, false, 'a looser limit that fails a rule test is refused');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
