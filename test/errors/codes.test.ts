/**
 * Errors as a contract: the codes in engine/errors/codes.ts are the codes the code base uses —
 * no `new SolrulesError('X', …)` with an unregistered X (the compiler refuses it too; this also
 * catches a cast), and no registered code that nothing raises or reads — each with a documented
 * prefix; and `isSolrulesError(err, code)` narrows the context to the code's type.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import ts from 'typescript';
import { ERROR_PREFIXES, SolrulesError, isSolrulesError } from '../../engine/errors/index.ts';
import { listTsFiles } from '../architecture/graph.ts';
import { REPO_ROOT } from '../support/paths.ts';

const CODES_FILE = join(REPO_ROOT, 'engine', 'errors', 'codes.ts');
const CODE = /^[A-Z][A-Z0-9]*(_[A-Z0-9]+)+$/;

function registered(): string[] {
  const sf = ts.createSourceFile(CODES_FILE, readFileSync(CODES_FILE, 'utf8'), ts.ScriptTarget.ES2022, true);
  const out: string[] = [];
  sf.forEachChild((n) => {
    if (ts.isInterfaceDeclaration(n) && n.name.text === 'ErrorContext') for (const m of n.members) if (m.name && ts.isIdentifier(m.name)) out.push(m.name.text);
  });
  return out;
}

/** Every code-shaped string literal of engine/ and sandbox/, and those a SolrulesError is built with. */
function used(): { literals: Map<string, string>; raised: { code: string; at: string }[] } {
  const literals = new Map<string, string>();
  const raised: { code: string; at: string }[] = [];
  for (const file of [...listTsFiles(join(REPO_ROOT, 'engine')), ...listTsFiles(join(REPO_ROOT, 'sandbox'))]) {
    if (file === CODES_FILE) continue;
    const sf = ts.createSourceFile(file, readFileSync(file, 'utf8'), ts.ScriptTarget.ES2022, true);
    const at = (n: ts.Node) => `${file.slice(REPO_ROOT.length + 1)}:${sf.getLineAndCharacterOfPosition(n.getStart(sf)).line + 1}`;
    const visit = (n: ts.Node): void => {
      if ((ts.isStringLiteral(n) || ts.isNoSubstitutionTemplateLiteral(n)) && CODE.test(n.text) && !literals.has(n.text)) literals.set(n.text, at(n));
      if (ts.isNewExpression(n) && ts.isIdentifier(n.expression) && n.expression.text === 'SolrulesError') {
        const first = n.arguments?.[0];
        if (first && ts.isStringLiteral(first)) raised.push({ code: first.text, at: at(n) });
      }
      ts.forEachChild(n, visit);
    };
    visit(sf);
  }
  return { literals, raised };
}

const codes = registered();
const { literals, raised } = used();

test('the registry is read', () => {
  assert.ok(codes.length > 100, `${codes.length} codes`);
  assert.ok(raised.length > 100, `${raised.length} new SolrulesError(...) sites`);
  assert.equal(new Set(codes).size, codes.length, 'a code is registered twice');
});

test('every new SolrulesError(code, …) uses a registered code', () => {
  const known = new Set(codes);
  assert.deepEqual(raised.filter((r) => !known.has(r.code)).map((r) => `${r.at}: ${r.code}`), []);
});

test('every registered code is used somewhere in engine/ or sandbox/', () => {
  assert.deepEqual(codes.filter((c) => !literals.has(c)), []);
});

test('every code starts with a documented prefix', () => {
  const prefixes = Object.keys(ERROR_PREFIXES);
  assert.deepEqual(codes.filter((c) => !prefixes.some((p) => c.startsWith(p))), []);
});

test('isSolrulesError narrows the context to the code\'s type', () => {
  const err: unknown = new SolrulesError('STORE_FENCED', 'refused', { resource: 'order:1', token: 3, current: 4 });
  assert.ok(isSolrulesError(err, 'STORE_FENCED'));
  // Compiles only because the context is typed: token is a number here, not unknown.
  const older: number = err.context.token;
  assert.equal(older + 1, err.context.current);
  assert.ok(!isSolrulesError(err, 'STORE_LOCKED'));
  // @ts-expect-error an unregistered code is refused by the compiler
  assert.throws(() => { throw new SolrulesError('NOT_A_REGISTERED_CODE', 'x'); });
});
