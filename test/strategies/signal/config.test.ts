/**
 * Validation of signal strategies in strategies.yaml and their rule files: each mistake is one
 * diagnostic at the file, line and column of the offending YAML node.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadProject, type Diagnostic } from '../../../engine/config/index.ts';
import { REPO_ROOT } from '../../support/paths.ts';

/** Loads a copy of the shipped project with `edit` applied to strategies.yaml (and optionally a rule file). */
function diagnosticsOf(edit: (yaml: string) => string, rules?: { file: string; edit: (text: string) => string }): { diagnostics: Diagnostic[]; yaml: string; dir: string } {
  const dir = mkdtempSync(join(tmpdir(), 'solrules-signal-'));
  cpSync(join(REPO_ROOT, 'rules'), join(dir, 'rules'), { recursive: true });
  cpSync(join(REPO_ROOT, 'schemas'), join(dir, 'schemas'), { recursive: true });
  const yaml = edit(readFileSync(join(REPO_ROOT, 'strategies.yaml'), 'utf8'));
  writeFileSync(join(dir, 'strategies.yaml'), yaml);
  if (rules) writeFileSync(join(dir, 'rules', rules.file), rules.edit(readFileSync(join(REPO_ROOT, 'rules', rules.file), 'utf8')));
  const project = loadProject(dir);
  rmSync(dir, { recursive: true, force: true });
  return { diagnostics: project.diagnostics, yaml, dir };
}

/** 1-based line and column of the first occurrence of `needle` (plus `offset` characters) in `text`. */
function positionOf(text: string, needle: string, offset = 0): { line: number; column: number } {
  const i = text.indexOf(needle);
  assert.ok(i >= 0, `'${needle}' not in the file`);
  const before = text.slice(0, i + offset).split('\n');
  return { line: before.length, column: before.at(-1)!.length + 1 };
}

test('the shipped project with its signal strategies is valid', () => {
  const { diagnostics } = diagnosticsOf((y) => y);
  assert.deepEqual(diagnostics, []);
});

test('an unknown indicator kind is INDICATOR_UNKNOWN at its key in strategies.yaml', () => {
  const { diagnostics, yaml } = diagnosticsOf((y) => y.replace('fast: { sma: 20 }', 'fast: { smaa: 20 }'));
  assert.equal(diagnostics.length, 1, JSON.stringify(diagnostics));
  const d = diagnostics[0]!;
  assert.equal(d.code, 'INDICATOR_UNKNOWN');
  assert.match(d.file, /strategies\.yaml$/);
  assert.match(d.message, /unknown indicator "smaa"/);
  const at = positionOf(yaml, 'fast: { smaa: 20 }', 'fast: { smaa: '.length);
  assert.deepEqual({ line: d.line, column: d.column }, at);
});

test('an indicator period of 0 is INDICATOR_BAD_PERIOD at the 0', () => {
  const { diagnostics, yaml } = diagnosticsOf((y) => y.replace('bb: { bollinger: [20, 2] }', 'bb: { bollinger: [0, 2] }'));
  assert.equal(diagnostics.length, 1, JSON.stringify(diagnostics));
  const d = diagnostics[0]!;
  assert.equal(d.code, 'INDICATOR_BAD_PERIOD');
  assert.deepEqual({ line: d.line, column: d.column }, positionOf(yaml, 'bb: { bollinger: [0, 2] }', 'bb: { bollinger: ['.length));
});

test('a rule reading an indicator its strategy does not declare is RULES_UNKNOWN_INDICATOR at the path', () => {
  const edited = (t: string) => t.replace('path: fast.series.value, operator: crossesAbove', 'path: fastt.series.value, operator: crossesAbove');
  const { diagnostics } = diagnosticsOf((y) => y, { file: 'sma-cross.yaml', edit: edited });
  assert.equal(diagnostics.length, 1, JSON.stringify(diagnostics));
  const d = diagnostics[0]!;
  assert.equal(d.code, 'RULES_UNKNOWN_INDICATOR');
  assert.match(d.file, /sma-cross\.yaml$/);
  assert.match(d.message, /'fastt'.*did you mean 'fast'/);
  const text = edited(readFileSync(join(REPO_ROOT, 'rules', 'sma-cross.yaml'), 'utf8'));
  assert.deepEqual({ line: d.line, column: d.column }, positionOf(text, 'fastt.series.value'));
});

test('an indicator declared by another strategy is still unknown to this one', () => {
  // rsi is declared by rsi-revert, not by sma-cross
  const { diagnostics } = diagnosticsOf((y) => y, { file: 'sma-cross.yaml', edit: (t) => t.replace('path: fast.series.value, operator: crossesAbove', 'path: rsi.series.value, operator: crossesAbove') });
  assert.deepEqual(diagnostics.map((d) => d.code), ['RULES_UNKNOWN_INDICATOR']);
});

test('a field the declared kind does not have is RULES_UNKNOWN_PATH (an sma has no upper band)', () => {
  const { diagnostics } = diagnosticsOf((y) => y, { file: 'sma-cross.yaml', edit: (t) => t.replace('value: { fact: indicator, path: slow.series.value } }\n    event:\n      type: order\n      params:\n        side: buy', 'value: { fact: indicator, path: slow.upper } }\n    event:\n      type: order\n      params:\n        side: buy') });
  assert.deepEqual(diagnostics.map((d) => d.code), ['RULES_UNKNOWN_PATH'], JSON.stringify(diagnostics));
  assert.match(diagnostics[0]!.message, /indicator 'slow' has no field 'upper'/);
});

test('indicators on a kind that never reads them are refused, not ignored', () => {
  const { diagnostics } = diagnosticsOf((y) => y.replace('    kind: dca\n    enabled: true\n', '    kind: dca\n    enabled: true\n    indicators: { fast: { sma: 5 } }\n'));
  assert.deepEqual(diagnostics.map((d) => d.code), ['STRATEGIES_INDICATORS_UNUSED'], JSON.stringify(diagnostics));
});

test('an ATR stop must name a declared atr indicator', () => {
  const { diagnostics } = diagnosticsOf((y) => y.replace('stopLoss: { atr: atr, multiple: 2 }', 'stopLoss: { atr: bb, multiple: 2 }'));
  assert.deepEqual(diagnostics.map((d) => d.code), ['STRATEGIES_SIGNAL_ATR'], JSON.stringify(diagnostics));
});

test('risk sizing without a stop-loss is refused (the stop sets the size)', () => {
  const { diagnostics } = diagnosticsOf((y) => y.replace('      stopLoss: { atr: atr, multiple: 2 }      # 2 ATR below the entry (ATR at the entry decision)\n', ''));
  assert.deepEqual(diagnostics.map((d) => d.code), ['STRATEGIES_SIGNAL_RISK_NO_STOP'], JSON.stringify(diagnostics));
});

test('the indicator fact reaches only signal strategies: a grid rule reading it is RULES_FACT_NOT_PRODUCED', () => {
  const { diagnostics } = diagnosticsOf((y) => y, { file: 'grid.yaml', edit: (t) => t.replace('{ fact: grid, path: crossedDown, operator: equal, value: true }', '{ fact: indicator, path: fast.ready, operator: equal, value: true }') });
  assert.deepEqual(diagnostics.map((d) => d.code), ['RULES_FACT_NOT_PRODUCED'], JSON.stringify(diagnostics));
});

test('a declared stop that no selling rule acts on is refused at the param (it would never sell)', () => {
  // the protective-exit rule now requires exitDue to be false: nothing sells on it
  const { diagnostics, yaml } = diagnosticsOf((y) => y, { file: 'sma-cross.yaml', edit: (t) => t.replace('- { fact: position, path: exitDue, operator: equal, value: true }', '- { fact: position, path: exitDue, operator: equal, value: false }') });
  assert.deepEqual(diagnostics.map((d) => d.code), ['STRATEGIES_SIGNAL_EXIT_UNREAD', 'STRATEGIES_SIGNAL_EXIT_UNREAD'], JSON.stringify(diagnostics));
  const stop = diagnostics.find((d) => d.message.startsWith('stopLoss'))!;
  assert.match(stop.file, /strategies\.yaml$/);
  assert.deepEqual({ line: stop.line, column: stop.column }, positionOf(yaml, 'stopLoss: { pct: 6 }'));
  assert.ok(diagnostics.some((d) => d.message.startsWith('trailingStop')));
});

test('a crossing written on indicator values says to use the series', () => {
  const { diagnostics } = diagnosticsOf((y) => y, { file: 'sma-cross.yaml', edit: (t) => t.replace('path: fast.series.value, operator: crossesAbove, value: { fact: indicator, path: slow.series.value }', 'path: fast.value, operator: crossesAbove, value: { fact: indicator, path: slow.series.value }') });
  assert.deepEqual(diagnostics.map((d) => d.code), ['RULES_OPERATOR_TYPE_MISMATCH'], JSON.stringify(diagnostics));
  assert.match(diagnostics[0]!.message, /path 'fast\.series\.value'/);
});
