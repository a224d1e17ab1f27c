/** The counterfactual "without the ai conditions": which conditions go, and episodes of disagreeing decisions. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { AiDecisionProbe, withoutFact } from '../../engine/backtest/ai-decisions.ts';
import { compiledEvaluator, type RuleFile } from '../../engine/rules/index.ts';

const leaf = (fact: string, path: string, value: unknown) => ({ fact, path, operator: 'equal', value });
const order = (side: string) => ({ type: 'order', params: { side, amountIn: '1' } });

const FILE: RuleFile = {
  id: 'x', kind: 'strategy', strategy: 'x', file: 'x.yaml', hash: 'h',
  conditions: { aiSays: { all: [leaf('ai', 'ready', true), leaf('ai', 'recommendation', 'buy')] }, trend: { all: [leaf('trend', 'up', true)] } },
  rules: [
    { id: 'enter', conditions: { all: [leaf('trend', 'up', true), { condition: 'aiSays' }] }, event: order('buy') },
    { id: 'exit', conditions: { all: [leaf('held', 'yes', true), { any: [leaf('trend', 'up', false), { all: [leaf('ai', 'recommendation', 'sell')] }] }] }, event: order('sell') },
    { id: 'ai-only', conditions: { all: [leaf('ai', 'recommendation', 'buy'), { not: leaf('ai', 'ready', false) }] }, event: order('buy') },
    { id: 'no-ai', conditions: { all: [{ condition: 'trend' }, { not: leaf('held', 'yes', true) }] }, event: { type: 'signal', params: {} } },
  ],
};

test('withoutFact drops ai leaves, groups and named conditions that read only ai, and rules that read nothing else', () => {
  const w = withoutFact(FILE, 'ai');
  assert.deepEqual(w.rules.map((r) => r.id), ['enter', 'exit', 'no-ai'], 'a rule of ai conditions only has no counterpart');
  assert.deepEqual(w.rules[0]!.conditions, { all: [leaf('trend', 'up', true)] }, 'the reference to an ai-only named condition goes');
  assert.deepEqual(w.rules[1]!.conditions, { all: [leaf('held', 'yes', true), { any: [leaf('trend', 'up', false)] }] }, 'an ai-only branch of an any no longer allows');
  assert.deepEqual(w.rules[2]!.conditions, FILE.rules[3]!.conditions, 'a rule without ai is unchanged');
  assert.deepEqual(Object.keys(w.conditions!), ['trend']);
  assert.notEqual(w.hash, FILE.hash);
  assert.deepEqual(FILE.rules.length, 4, 'the original is not modified');
});

test('the probe reports vetoed and enabled orders as episodes of consecutive bars', async () => {
  const probe = new AiDecisionProbe(compiledEvaluator, {});
  const evaluator = compiledEvaluator.create(FILE, {});
  const bars: Array<{ trend: boolean; held: boolean; ai: string }> = [
    { trend: true, held: false, ai: 'hold' }, // enter vetoed
    { trend: true, held: false, ai: 'hold' }, // ... same episode
    { trend: true, held: false, ai: 'buy' }, // agreed: enter (and ai-only, which has no counterpart: enabled)
    { trend: true, held: true, ai: 'sell' }, // exit enabled by the AI; enter (which ignores held) vetoed again: a new episode
    { trend: true, held: false, ai: 'sell' }, // ... that episode goes on
  ];
  for (const [i, b] of bars.entries()) {
    const facts = { trend: { up: b.trend }, held: { yes: b.held }, ai: { ready: true, status: 'ok', recommendation: b.ai, confidence: 0.7, ageSeconds: 0 } };
    await probe.observe('x', FILE, facts, evaluator.evaluate(facts), 1000 * (i + 1));
  }
  const summary = probe.episodes.map((e) => `${e.rule} ${e.effect} ${e.firstMs}-${e.lastMs} ${e.bars} ${e.ai.recommendation}`);
  assert.deepEqual(summary, ['enter vetoed 1000-2000 2 hold', 'ai-only enabled 3000-3000 1 buy', 'enter vetoed 4000-5000 2 sell', 'exit enabled 4000-4000 1 sell']);
  assert.equal(probe.bars.get('x'), 5);
});
