/**
 * Just enough PromQL reading for tests: the metric selectors an expression reads (name and the
 * label names its matchers use) and the label names of its by / without / on / ignoring /
 * group_left / group_right clauses. Syntax itself is checked by promtool (see queries.test.ts).
 */

export interface Selector {
  metric: string;
  labels: string[];
}

export interface QueryRefs {
  selectors: Selector[];
  /** Label names in grouping and matching clauses. */
  groupingLabels: string[];
}

const KEYWORDS = new Set(['by', 'without', 'on', 'ignoring', 'group_left', 'group_right', 'bool', 'and', 'or', 'unless', 'offset', 'inf', 'nan', 'atan2']);
const AGGREGATIONS = new Set(['sum', 'min', 'max', 'avg', 'group', 'stddev', 'stdvar', 'count', 'count_values', 'bottomk', 'topk', 'quantile']);
const GROUPING = new Set(['by', 'without', 'on', 'ignoring', 'group_left', 'group_right']);

/** Replaces Grafana's variables with values PromQL accepts. */
export function substituteGrafanaVariables(expr: string): string {
  return expr
    .replace(/\$__rate_interval|\$__interval|\$__range/g, '5m')
    .replace(/\$\{?[A-Za-z_][A-Za-z0-9_]*\}?/g, '.*');
}

/** The selectors and grouping labels of one expression (Grafana variables allowed). */
export function queryRefs(input: string): QueryRefs {
  const expr = substituteGrafanaVariables(input);
  // label_values(metric{...}, label): Grafana's variable query
  const lv = /^\s*label_values\(\s*([A-Za-z_:][A-Za-z0-9_:]*)(\{[^}]*\})?\s*,\s*([A-Za-z_][A-Za-z0-9_]*)\s*\)\s*$/.exec(expr);
  if (lv) return { selectors: [{ metric: lv[1]!, labels: [...matcherLabels(lv[2] ?? ''), lv[3]!] }], groupingLabels: [] };
  const selectors: Selector[] = [];
  const groupingLabels: string[] = [];
  let i = 0;
  const n = expr.length;
  const skipSpace = () => {
    while (i < n && /\s/.test(expr[i]!)) i++;
  };
  while (i < n) {
    const c = expr[i]!;
    if (c === '"' || c === "'" || c === '`') {
      const end = expr.indexOf(c, i + 1);
      i = end < 0 ? n : end + 1;
    } else if (c === '[') {
      const end = expr.indexOf(']', i);
      i = end < 0 ? n : end + 1;
    } else if (c === '{') {
      // a selector without a metric name
      const end = expr.indexOf('}', i);
      i = end < 0 ? n : end + 1;
    } else if (/[0-9.]/.test(c)) {
      const m = /^[0-9.]+(e[+-]?[0-9]+)?([smhdwy]|ms)?/i.exec(expr.slice(i));
      i += m ? m[0].length : 1;
    } else if (/[A-Za-z_:]/.test(c)) {
      const m = /^[A-Za-z_:][A-Za-z0-9_:]*/.exec(expr.slice(i))!;
      const word = m[0];
      i += word.length;
      skipSpace();
      if (GROUPING.has(word.toLowerCase())) {
        if (expr[i] === '(') {
          const end = expr.indexOf(')', i);
          groupingLabels.push(...expr.slice(i + 1, end).split(',').map((s) => s.trim()).filter(Boolean));
          i = end + 1;
        }
      } else if (KEYWORDS.has(word.toLowerCase())) {
        // operator keyword
      } else if (expr[i] === '(' || (AGGREGATIONS.has(word) && /^(by|without)\b/i.test(expr.slice(i)))) {
        // function or aggregation
      } else {
        let labels: string[] = [];
        if (expr[i] === '{') {
          const end = expr.indexOf('}', i);
          labels = matcherLabels(expr.slice(i, end + 1));
          i = end + 1;
        }
        selectors.push({ metric: word, labels });
      }
    } else i++;
  }
  return { selectors, groupingLabels };
}

function matcherLabels(braces: string): string[] {
  const inner = braces.replace(/^\{|\}$/g, '');
  const out: string[] = [];
  const re = /([A-Za-z_][A-Za-z0-9_]*)\s*(=~|!~|!=|=)\s*("(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*'|`[^`]*`)/g;
  for (const m of inner.matchAll(re)) out.push(m[1]!);
  return out;
}
