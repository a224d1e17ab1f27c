/**
 * Diagnostics: one problem in one user file, with a stable code and a 1-based position.
 * Validation collects all of them instead of stopping at the first.
 */
import { relative } from 'node:path';

export interface Diagnostic {
  file: string;
  line: number;
  column: number;
  code: string;
  message: string;
  expected?: string;
  found?: string;
  /** 'warning': printed, but does not fail validate (unless --strict) nor refuse a reload. Absent means 'error'. */
  severity?: Severity;
}

export type Severity = 'error' | 'warning';

/** The severity of a diagnostic ('error' unless it says otherwise). */
export function severityOf(d: Diagnostic): Severity {
  return d.severity ?? 'error';
}

/** Only the errors (what refuses a file). */
export function errorsOf(list: readonly Diagnostic[]): Diagnostic[] {
  return list.filter((d) => severityOf(d) === 'error');
}

/** Only the warnings (plausibility: printed, never refusing). */
export function warningsOf(list: readonly Diagnostic[]): Diagnostic[] {
  return list.filter((d) => severityOf(d) === 'warning');
}

export type DiagnosticFormat = 'text' | 'json' | 'github';

/** Sorts diagnostics by file, line, column, code — stable output for tests and CI. */
export function sortDiagnostics(list: Diagnostic[]): Diagnostic[] {
  return [...list].sort(
    (a, b) => a.file.localeCompare(b.file) || a.line - b.line || a.column - b.column || a.code.localeCompare(b.code),
  );
}

function displayPath(file: string, cwd: string): string {
  const rel = relative(cwd, file);
  return rel.startsWith('..') ? file : rel;
}

/** The full message: what is wrong, then what was expected and what was found. */
export function fullMessage(d: Diagnostic): string {
  return describe(d.message, d.expected, d.found);
}

/** Renders diagnostics in the requested format; `cwd` makes paths relative where it can. */
export function formatDiagnostics(list: Diagnostic[], format: DiagnosticFormat, cwd = process.cwd()): string {
  const sorted = sortDiagnostics(list);
  if (format === 'json') {
    return JSON.stringify(
      sorted.map((d) => ({ file: displayPath(d.file, cwd), line: d.line, column: d.column, code: d.code, severity: severityOf(d), message: fullMessage(d) })),
      null,
      2,
    );
  }
  if (format === 'github') {
    // Workflow commands: https://docs.github.com/actions/reference/workflow-commands-for-github-actions
    const esc = (s: string) => s.replace(/%/g, '%25').replace(/\r/g, '%0D').replace(/\n/g, '%0A');
    const escProp = (s: string) => esc(s).replace(/:/g, '%3A').replace(/,/g, '%2C');
    return sorted
      .map((d) => `::${severityOf(d)} file=${escProp(displayPath(d.file, cwd))},line=${d.line},col=${d.column},title=${escProp(d.code)}::${esc(fullMessage(d))}`)
      .join('\n');
  }
  return sorted.map((d) => `${displayPath(d.file, cwd)}:${d.line}:${d.column}: ${severityOf(d) === 'warning' ? 'warning ' : ''}${d.code} ${fullMessage(d)}`).join('\n');
}

/** Builds the message text from what was expected and what was found. */
export function describe(what: string, expected?: string, found?: string): string {
  const parts = [what];
  if (expected !== undefined) parts.push(`expected ${expected}`);
  if (found !== undefined) parts.push(`found ${found}`);
  return parts.join('; ');
}
