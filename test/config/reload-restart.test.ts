/**
 * A hot reload that changes what a strategy's planner is built from (its `market:`, and likewise
 * `indicators:` / `timeframe:`) is refused with CONFIG_RELOAD_NEEDS_RESTART at the changed key,
 * and the running config keeps serving; a params edit in the same file still applies.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildActiveConfig, ConfigHolder, Reloader } from '../../engine/config/index.ts';
import { createLogger } from '../../engine/infra/telemetry/index.ts';
import { referenceEvaluator } from '../../engine/rules/index.ts';
import { REPO_ROOT } from '../support/paths.ts';

const log = createLogger({ level: 'silent' });

async function running() {
  const dir = mkdtempSync(join(tmpdir(), 'solrules-reload-restart-'));
  for (const f of ['strategies.yaml', 'wallets.yaml', 'rules']) cpSync(join(REPO_ROOT, f), join(dir, f), { recursive: true });
  const built = await buildActiveConfig(dir, referenceEvaluator, 'startup');
  assert.ok(built.active, JSON.stringify(built.diagnostics));
  const holder = new ConfigHolder(built.active);
  return { dir, holder, reloader: new Reloader({ root: dir, factory: referenceEvaluator, holder, log }) };
}

function edit(dir: string, from: string, to: string): void {
  const path = join(dir, 'strategies.yaml');
  const text = readFileSync(path, 'utf8');
  assert.ok(text.includes(from), `strategies.yaml has '${from}'`);
  writeFileSync(path, text.replace(from, to));
}

test("a reload changing a strategy's market is refused at the key, and the running config stays", async () => {
  const { dir, holder, reloader } = await running();
  try {
    const before = holder.current;
    // ray-sol-trend trades RAY/USDC: point it at another base token (a valid file on its own).
    edit(dir, 'base: { symbol: RAY, mint: 4k3Dyjzvzp8eMZWUXbBCjEvwSkkk59S5iCNLY3QrkX6R, decimals: 6 }', 'base: { symbol: JUP, mint: JUPyiwrYJFskUPiHa7hkeR8VUtAeFoSYbKedZNsDvCN, decimals: 6 }');
    const outcome = await reloader.reload('edit-market');
    assert.equal(outcome.applied, false);
    assert.deepEqual(outcome.diagnostics.map((d) => d.code), ['CONFIG_RELOAD_NEEDS_RESTART']);
    const d = outcome.diagnostics[0]!;
    assert.match(d.message, /strategy 'ray-sol-trend': market changed.*restart/);
    assert.equal(d.file, join(dir, 'strategies.yaml'));
    const lines = readFileSync(join(dir, 'strategies.yaml'), 'utf8').split('\n');
    assert.match(lines[d.line - 1]!, /^\s+market:/, `points at the market key (line ${d.line})`);
    assert.equal(holder.current, before, 'the running config is the same object');
    assert.equal(holder.current.strategies.strategies['ray-sol-trend']!.market!.base.symbol, 'RAY');

    // The file fixed back plus a params edit: applies.
    edit(dir, 'base: { symbol: JUP, mint: JUPyiwrYJFskUPiHa7hkeR8VUtAeFoSYbKedZNsDvCN, decimals: 6 }', 'base: { symbol: RAY, mint: 4k3Dyjzvzp8eMZWUXbBCjEvwSkkk59S5iCNLY3QrkX6R, decimals: 6 }');
    edit(dir, 'maxSlippageBps: 80', 'maxSlippageBps: 90');
    const applied = await reloader.reload('edit-params');
    assert.equal(applied.applied, true, JSON.stringify(applied.diagnostics));
    assert.equal((holder.current.strategies.strategies['ray-sol-trend']!.params as { maxSlippageBps: number }).maxSlippageBps, 90);
  } finally {
    await reloader.stop();
    rmSync(dir, { recursive: true, force: true });
  }
});

test('a reload changing an indicator declaration is refused too', async () => {
  const { dir, holder, reloader } = await running();
  try {
    const before = holder.current;
    edit(dir, 'fast: { sma: 20 }', 'fast: { sma: 30 }');
    const outcome = await reloader.reload('edit-indicators');
    assert.deepEqual(outcome.diagnostics.map((d) => d.code), ['CONFIG_RELOAD_NEEDS_RESTART']);
    assert.match(outcome.diagnostics[0]!.message, /strategy 'sma-cross': indicators changed/);
    assert.equal(holder.current, before);
  } finally {
    await reloader.stop();
    rmSync(dir, { recursive: true, force: true });
  }
});

test('a reload changing the top-level market pair is refused at the key, and the running config stays', async () => {
  const { dir, holder, reloader } = await running();
  try {
    const before = holder.current;
    // The engine's pair is SOL/USDC: the planners, the portfolio and the price subscription are built for it.
    edit(dir, 'base: { symbol: SOL, mint: So11111111111111111111111111111111111111112, decimals: 9 }', 'base: { symbol: JUP, mint: JUPyiwrYJFskUPiHa7hkeR8VUtAeFoSYbKedZNsDvCN, decimals: 6 }');
    const outcome = await reloader.reload('edit-top-market');
    assert.equal(outcome.applied, false);
    assert.deepEqual(outcome.diagnostics.map((d) => d.code), ['CONFIG_RELOAD_NEEDS_RESTART']);
    const d = outcome.diagnostics[0]!;
    assert.match(d.message, /^market\.base changed.*restart/);
    assert.equal(d.file, join(dir, 'strategies.yaml'));
    const lines = readFileSync(join(dir, 'strategies.yaml'), 'utf8').split('\n');
    assert.match(lines[d.line - 1]!, /^\s+base: \{ symbol: JUP/, `points at the market's base key (line ${d.line})`);
    assert.equal(holder.current, before, 'the running config is the same object');
    assert.equal(holder.current.strategies.market.base.symbol, 'SOL');

    // Back to SOL plus a params edit: applies.
    edit(dir, 'base: { symbol: JUP, mint: JUPyiwrYJFskUPiHa7hkeR8VUtAeFoSYbKedZNsDvCN, decimals: 6 }', 'base: { symbol: SOL, mint: So11111111111111111111111111111111111111112, decimals: 9 }');
    edit(dir, 'maxSlippageBps: 80', 'maxSlippageBps: 90');
    const applied = await reloader.reload('edit-params');
    assert.equal(applied.applied, true, JSON.stringify(applied.diagnostics));
  } finally {
    await reloader.stop();
    rmSync(dir, { recursive: true, force: true });
  }
});
