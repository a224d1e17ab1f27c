/**
 * The import graph of engine/, read with the TypeScript parser (no type checking).
 *
 * Folder nodes: each top-level folder of engine/ is a unit, except infra/ whose children
 * (bus, cache, store, telemetry, health) are units of their own. Within a unit, each
 * first-level sub-folder is a sub-unit; files at the unit's root belong to no sub-unit.
 * `import type` / `export type` and imports whose every specifier is `type` are erased at
 * run time (verbatimModuleSyntax guarantees the marking), so they are not edges of the
 * runtime graph; they still count for the index.ts rule (the public surface includes types).
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';
import ts from 'typescript';

export interface ImportEdge {
  /** Importing file, relative to the repository root (posix separators). */
  from: string;
  /** Imported file, relative to the repository root. */
  to: string;
  /** The specifier as written. */
  specifier: string;
  line: number;
  /** True when erased at run time (type-only). */
  typeOnly: boolean;
  /** True for `await import(...)`. */
  dynamic: boolean;
}

export function listTsFiles(dir: string): string[] {
  const out: string[] = [];
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) out.push(...listTsFiles(path));
    else if (name.endsWith('.ts') && !name.endsWith('.d.ts')) out.push(path);
  }
  return out.sort();
}

const posix = (p: string): string => p.split(sep).join('/');

/** All relative imports / re-exports of the .ts files under `engineDir`, resolved to files. */
export function importEdges(root: string, engineDir = join(root, 'engine')): ImportEdge[] {
  const edges: ImportEdge[] = [];
  for (const file of listTsFiles(engineDir)) {
    const text = readFileSync(file, 'utf8');
    const sf = ts.createSourceFile(file, text, ts.ScriptTarget.ES2022, true);
    const add = (spec: string, node: ts.Node, typeOnly: boolean, dynamic: boolean): void => {
      if (!spec.startsWith('.')) return;
      const target = resolve(dirname(file), spec);
      const line = sf.getLineAndCharacterOfPosition(node.getStart(sf)).line + 1;
      edges.push({ from: posix(relative(root, file)), to: posix(relative(root, target)), specifier: spec, line, typeOnly, dynamic });
    };
    const visit = (node: ts.Node): void => {
      if (ts.isImportDeclaration(node) && ts.isStringLiteral(node.moduleSpecifier)) {
        const clause = node.importClause;
        let typeOnly = clause?.isTypeOnly ?? false;
        if (clause && !typeOnly && !clause.name && clause.namedBindings && ts.isNamedImports(clause.namedBindings)) {
          const els = clause.namedBindings.elements;
          typeOnly = els.length > 0 && els.every((e) => e.isTypeOnly);
        }
        add(node.moduleSpecifier.text, node, typeOnly, false);
      } else if (ts.isExportDeclaration(node) && node.moduleSpecifier && ts.isStringLiteral(node.moduleSpecifier)) {
        let typeOnly = node.isTypeOnly;
        if (!typeOnly && node.exportClause && ts.isNamedExports(node.exportClause)) {
          const els = node.exportClause.elements;
          typeOnly = els.length > 0 && els.every((e) => e.isTypeOnly);
        }
        add(node.moduleSpecifier.text, node, typeOnly, false);
      } else if (ts.isCallExpression(node) && node.expression.kind === ts.SyntaxKind.ImportKeyword) {
        const arg = node.arguments[0];
        if (arg && ts.isStringLiteral(arg)) add(arg.text, node, false, true);
      } else if (ts.isImportTypeNode(node) && ts.isLiteralTypeNode(node.argument) && ts.isStringLiteral(node.argument.literal)) {
        add(node.argument.literal.text, node, true, false); // `import('./x.ts').T` in a type position
      }
      ts.forEachChild(node, visit);
    };
    visit(sf);
  }
  return edges;
}

/** The unit (top-level folder; infra's children count as top-level) of an engine/ path, or undefined outside engine/. */
export function unitOf(path: string): string | undefined {
  const parts = path.split('/');
  if (parts[0] !== 'engine' || parts.length < 3) return undefined; // files directly in engine/ belong to no unit
  if (parts[1] === 'infra') return parts.length >= 4 ? `infra/${parts[2]}` : undefined;
  return parts[1];
}

/** The sub-unit (`unit/child`) of a path, or undefined for files at the unit's root. */
export function subUnitOf(path: string): string | undefined {
  const unit = unitOf(path);
  if (!unit) return undefined;
  const rest = path.slice(`engine/${unit}/`.length).split('/');
  return rest.length >= 2 ? `${unit}/${rest[0]}` : undefined;
}

export type Graph = Map<string, Map<string, ImportEdge>>;

/** Folder graph: node = key(file); one witness edge kept per pair of nodes. */
export function folderGraph(edges: ImportEdge[], key: (path: string) => string | undefined, sameScope: (a: string, b: string) => boolean = () => true): Graph {
  const g: Graph = new Map();
  for (const e of edges) {
    if (e.typeOnly) continue;
    const a = key(e.from);
    const b = key(e.to);
    if (!a || !b || a === b || !sameScope(a, b)) continue;
    if (!g.has(a)) g.set(a, new Map());
    const out = g.get(a)!;
    if (!out.has(b)) out.set(b, e);
  }
  return g;
}

/** Strongly connected components with more than one node (Tarjan), each as a sorted list. */
export function cycles(g: Graph): string[][] {
  const nodes = new Set<string>([...g.keys(), ...[...g.values()].flatMap((m) => [...m.keys()])]);
  let index = 0;
  const idx = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const on = new Set<string>();
  const out: string[][] = [];
  const strong = (v: string): void => {
    idx.set(v, index); low.set(v, index); index++;
    stack.push(v); on.add(v);
    for (const w of g.get(v)?.keys() ?? []) {
      if (!idx.has(w)) { strong(w); low.set(v, Math.min(low.get(v)!, low.get(w)!)); }
      else if (on.has(w)) low.set(v, Math.min(low.get(v)!, idx.get(w)!));
    }
    if (low.get(v) === idx.get(v)) {
      const comp: string[] = [];
      let w: string;
      do { w = stack.pop()!; on.delete(w); comp.push(w); } while (w !== v);
      if (comp.length > 1) out.push(comp.sort());
    }
  };
  for (const v of [...nodes].sort()) if (!idx.has(v)) strong(v);
  return out;
}

/** One concrete cycle through `start` inside its component, with the file:line of each step. */
export function explainCycle(g: Graph, component: string[]): string {
  const inComp = new Set(component);
  const start = component[0]!;
  // BFS from start back to start, staying inside the component.
  const prev = new Map<string, string>();
  const queue = [start];
  const seen = new Set<string>();
  let last: string | undefined;
  while (queue.length && !last) {
    const v = queue.shift()!;
    for (const w of g.get(v)?.keys() ?? []) {
      if (!inComp.has(w)) continue;
      if (w === start) { last = v; break; }
      if (!seen.has(w)) { seen.add(w); prev.set(w, v); queue.push(w); }
    }
  }
  const path: string[] = [start];
  for (let v = last; v && v !== start; v = prev.get(v)) path.splice(1, 0, v);
  path.push(start);
  const steps: string[] = [];
  for (let i = 0; i + 1 < path.length; i++) {
    const e = g.get(path[i]!)!.get(path[i + 1]!)!;
    steps.push(`  ${path[i]} -> ${path[i + 1]}   (${e.from}:${e.line} imports '${e.specifier}')`);
  }
  return `cycle ${path.join(' -> ')}\n${steps.join('\n')}`;
}

/** Imports that cross into another unit without going through that unit's index.ts. */
export function deepImports(edges: ImportEdge[]): ImportEdge[] {
  return edges.filter((e) => {
    const a = unitOf(e.from);
    const b = unitOf(e.to);
    if (!b || a === b) return false;
    return e.to !== `engine/${b}/index.ts`;
  });
}
