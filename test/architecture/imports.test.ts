/**
 * The import graph of engine/ (see graph.ts for what a node is). It fails on an import cycle
 * between top-level folders (infra's children count as top-level), or between the sub-folders
 * of one folder, printing each cycle with the import that closes it; and on an import that
 * crosses into another folder without going through its index.ts.
 *
 * The runtime graph ignores `import type` (erased at run time), as the rule asks; the stricter
 * graph with type imports is checked too, because today it has no cycle either — a new one
 * means a type sits in the wrong folder.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { cycles, deepImports, explainCycle, folderGraph, importEdges, subUnitOf, unitOf, type ImportEdge } from './graph.ts';
import { REPO_ROOT } from '../support/paths.ts';

/**
 * Deep imports across folders that are allowed, each with why. Keep it short: the fix is
 * usually to export the thing from the target's index.ts. (Empty today.)
 */
const DEEP_IMPORT_ALLOWLIST: readonly { from: string; to: string; why: string }[] = [];

const edges = importEdges(REPO_ROOT);
const parent = (n: string) => n.slice(0, n.lastIndexOf('/'));
const sameParent = (a: string, b: string) => parent(a) === parent(b);
const withTypes = (es: ImportEdge[]) => es.map((e) => ({ ...e, typeOnly: false }));

function assertNoCycle(es: ImportEdge[], what: string): void {
  for (const [name, g] of [
    ['top-level folders', folderGraph(es, unitOf)],
    ['sub-folders', folderGraph(es, subUnitOf, sameParent)],
  ] as const) {
    const found = cycles(g);
    assert.deepEqual(found.map((c) => explainCycle(g, c)), [], `import cycles between ${name} (${what})`);
  }
}

test('the graph is read: engine/ has folders and cross-folder imports', () => {
  // Guards the checks below against passing on an empty graph.
  assert.ok(edges.length > 500, `only ${edges.length} imports found`);
  const units = new Set(edges.map((e) => unitOf(e.from)).filter(Boolean));
  for (const u of ['orders', 'executors', 'infra/bus', 'infra/telemetry', 'rules']) assert.ok(units.has(u), u);
  assert.ok(edges.some((e) => e.typeOnly) && edges.some((e) => !e.typeOnly));
});

test('no import cycle between folders of engine/ (runtime imports)', () => {
  assertNoCycle(edges, 'runtime imports');
});

test('no import cycle between folders of engine/ even counting `import type`', () => {
  assertNoCycle(withTypes(edges), 'type imports included');
});

test('a folder is entered through its index.ts', () => {
  const allowed = (e: ImportEdge) => DEEP_IMPORT_ALLOWLIST.some((a) => a.from === e.from && a.to === e.to);
  const deep = deepImports(edges).filter((e) => !allowed(e));
  assert.deepEqual(deep.map((e) => `${e.from}:${e.line} imports '${e.specifier}' (use engine/${unitOf(e.to)}/index.ts)`), []);
});

test('the checks catch what they are meant to catch', () => {
  // A synthetic graph: a runtime cycle a↔b, a type-only edge c→a (no cycle), a deep import.
  const e = (from: string, to: string, typeOnly = false): ImportEdge => ({ from, to, specifier: to, line: 1, typeOnly, dynamic: false });
  const fake = [e('engine/a/x.ts', 'engine/b/index.ts'), e('engine/b/y.ts', 'engine/a/index.ts'), e('engine/c/z.ts', 'engine/a/index.ts', true), e('engine/a/index.ts', 'engine/c/index.ts', true)];
  const g = folderGraph(fake, unitOf);
  assert.deepEqual(cycles(g), [['a', 'b']]);
  assert.match(explainCycle(g, ['a', 'b']), /engine\/a\/x\.ts:1/);
  assert.deepEqual(cycles(folderGraph(withTypes(fake), unitOf)).map((c) => c.join()), ['a,b,c']);
  assert.deepEqual(deepImports([e('engine/a/x.ts', 'engine/b/deep.ts'), e('engine/a/x.ts', 'engine/infra/bus/nats/bus.ts'), e('engine/infra/bus/x.ts', 'engine/infra/bus/nats/bus.ts')]).map((d) => d.to), ['engine/b/deep.ts', 'engine/infra/bus/nats/bus.ts']);
  const subs = folderGraph([e('engine/x/live/a.ts', 'engine/x/rpc/b.ts'), e('engine/x/rpc/b.ts', 'engine/x/live/a.ts'), e('engine/y/live/a.ts', 'engine/x/rpc/b.ts')], subUnitOf, sameParent);
  assert.deepEqual(cycles(subs), [['x/live', 'x/rpc']]);
});
