/**
 * `--fail-if` conditions of `solrules diff`: one comparison of two arithmetic expressions over the
 * proposed run's portfolio metrics, e.g. `maxDrawdownPct > base + 5`, `sharpe < base * 0.9`,
 * `trades == 0`, `totalReturnPct - base.totalReturnPct < -10`.
 *
 * Grammar: cond := sum (">" | ">=" | "<" | "<=" | "==" | "!=") sum;
 * sum := product (("+" | "-") product)*; product := unary (("*" | "/") unary)*;
 * unary := "-" unary | number | name | "base" | "base." name | "(" sum ")".
 * A bare `name` is the PROPOSED value of that metric, `base.name` the base's, and a bare `base`
 * the base's value of the condition's first metric. A metric that is n/a (null) makes the
 * condition hold: a check that cannot be decided fails the run rather than passing it quietly.
 */
import { SolrulesError } from '../errors/index.ts';

type Node =
  | { t: 'num'; v: number }
  | { t: 'metric'; side: 'proposed' | 'base'; name: string | null }
  | { t: 'neg'; a: Node }
  | { t: 'bin'; op: '+' | '-' | '*' | '/'; a: Node; b: Node };

export type Comparison = '>' | '>=' | '<' | '<=' | '==' | '!=';

export interface FailIf {
  text: string;
  left: Node;
  op: Comparison;
  right: Node;
  /** The metric a bare `base` refers to (the first metric named). */
  subject: string;
}

function bad(text: string, at: number, why: string): never {
  throw new SolrulesError('DIFF_BAD_FAIL_IF', `--fail-if '${text}': ${why} at column ${at + 1}`, { field: '--fail-if', value: text, column: at + 1 });
}

/** Parses one condition; `metrics` are the names it may use. */
export function parseFailIf(text: string, metrics: readonly string[]): FailIf {
  const tokens: Array<{ s: string; at: number }> = [];
  const re = /\s*(>=|<=|==|!=|[<>+\-*/()]|\d+(?:\.\d+)?(?:e[+-]?\d+)?|[A-Za-z_][A-Za-z0-9_]*(?:\.[A-Za-z_][A-Za-z0-9_]*)?)/gy;
  let pos = 0;
  while (pos < text.length) {
    if (/^\s*$/.test(text.slice(pos))) break;
    re.lastIndex = pos;
    const m = re.exec(text);
    if (!m) bad(text, pos + (text.slice(pos).length - text.slice(pos).trimStart().length), `unexpected '${text.slice(pos).trim()[0]}'`);
    tokens.push({ s: m[1]!, at: m.index + m[0].length - m[1]!.length });
    pos = re.lastIndex;
  }
  let i = 0;
  let subject: string | undefined;
  const peek = () => tokens[i]?.s;
  const end = () => text.length;
  const metric = (name: string, at: number): string => {
    if (!metrics.includes(name)) bad(text, at, `unknown metric '${name}' (one of ${metrics.join(', ')})`);
    subject ??= name;
    return name;
  };
  const unary = (): Node => {
    const tok = tokens[i];
    if (!tok) bad(text, end(), 'expression ends too early');
    i += 1;
    if (tok.s === '-') return { t: 'neg', a: unary() };
    if (tok.s === '(') {
      const inner = sum();
      if (peek() !== ')') bad(text, tokens[i]?.at ?? end(), "expected ')'");
      i += 1;
      return inner;
    }
    if (/^\d/.test(tok.s)) return { t: 'num', v: Number(tok.s) };
    if (tok.s === 'base') return { t: 'metric', side: 'base', name: null };
    if (tok.s.startsWith('base.')) return { t: 'metric', side: 'base', name: metric(tok.s.slice(5), tok.at) };
    if (/^[A-Za-z_]/.test(tok.s)) return { t: 'metric', side: 'proposed', name: metric(tok.s, tok.at) };
    bad(text, tok.at, `unexpected '${tok.s}'`);
  };
  const product = (): Node => {
    let a = unary();
    while (peek() === '*' || peek() === '/') {
      const op = tokens[i++]!.s as '*' | '/';
      a = { t: 'bin', op, a, b: unary() };
    }
    return a;
  };
  const sum = (): Node => {
    let a = product();
    while (peek() === '+' || peek() === '-') {
      const op = tokens[i++]!.s as '+' | '-';
      a = { t: 'bin', op, a, b: product() };
    }
    return a;
  };
  const left = sum();
  const opTok = tokens[i];
  if (!opTok || !['>', '>=', '<', '<=', '==', '!='].includes(opTok.s)) bad(text, opTok?.at ?? end(), 'expected a comparison (> >= < <= == !=)');
  i += 1;
  const right = sum();
  if (i < tokens.length) bad(text, tokens[i]!.at, `unexpected '${tokens[i]!.s}'`);
  if (!subject) bad(text, 0, 'names no metric');
  return { text, left, op: opTok.s as Comparison, right, subject };
}

/** Whether the condition holds (null: a metric it reads is n/a). */
export function evaluateFailIf(c: FailIf, proposed: Record<string, number | null>, base: Record<string, number | null>): boolean | null {
  const value = (n: Node): number | null => {
    switch (n.t) {
      case 'num':
        return n.v;
      case 'metric':
        return (n.side === 'base' ? base : proposed)[n.name ?? c.subject] ?? null;
      case 'neg': {
        const a = value(n.a);
        return a === null ? null : -a;
      }
      case 'bin': {
        const a = value(n.a);
        const b = value(n.b);
        if (a === null || b === null) return null;
        return n.op === '+' ? a + b : n.op === '-' ? a - b : n.op === '*' ? a * b : a / b;
      }
    }
  };
  const l = value(c.left);
  const r = value(c.right);
  if (l === null || r === null) return null;
  switch (c.op) {
    case '>': return l > r;
    case '>=': return l >= r;
    case '<': return l < r;
    case '<=': return l <= r;
    case '==': return l === r;
    case '!=': return l !== r;
  }
}
