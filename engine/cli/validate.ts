/** `solrules validate [paths] [--format text|json|github]`: every schema and semantic error in the files users edit. */
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { errorsOf, expandPaths, formatDiagnostics, loadFiles, projectFiles, warningsOf } from '../config/index.ts';
import { oneOf, parseCommandArgs, UsageError, withUsage } from './args.ts';

export const summary = 'check rule, test, strategies and wallets files (all errors, with file:line:column)';

const USAGE = `usage: solrules validate [paths...] [--format text|json|github] [--strategies FILE] [--strict]

Checks YAML syntax, JSON Schemas and rule semantics (facts, paths, operators, params,
duplicate ids, condition cycles, routes, tests). Paths are files or directories; without
paths, the project in the current directory (strategies.yaml, wallets.yaml, rules/).
Plausibility warnings (a percent given as a fraction, an implausible amount) are printed but
do not fail; --strict fails on them too.
Exit 0 when clean (or only warnings), 1 on any error (or warning with --strict), 2 on usage errors.`;

export async function run(argv: string[]): Promise<number> {
  return withUsage(USAGE, async () => {
    const { values, positionals } = parseCommandArgs(argv, {
      format: { type: 'string' },
      strategies: { type: 'string' },
      strict: { type: 'boolean' },
      help: { type: 'boolean', short: 'h' },
    });
    if (values.help) {
      console.log(USAGE);
      return 0;
    }
    const format = oneOf('format', values.format, ['text', 'json', 'github'] as const, 'text');
    for (const p of positionals) if (!existsSync(p)) throw new UsageError(`no such file or directory: ${p}`);
    if (values.strategies && !existsSync(values.strategies)) throw new UsageError(`no such file: ${values.strategies}`);
    const files = positionals.length ? expandPaths(positionals) : projectFiles(process.cwd());
    if (files.length === 0) throw new UsageError('no YAML files to validate');
    const project = loadFiles(files, values.strategies ? { strategiesFile: resolve(values.strategies) } : {});
    const output = formatDiagnostics(project.diagnostics, format);
    if (format === 'json') console.log(output);
    else if (output) console.log(output);
    const errors = errorsOf(project.diagnostics).length;
    const warnings = warningsOf(project.diagnostics).length;
    if (format === 'text') {
      const warned = warnings ? `${warnings} warning(s)` : '';
      if (errors) console.error(`${errors} error(s) in ${project.failedFiles.size} file(s)${warned ? `, ${warned}` : ''}`);
      else console.error(`ok: ${files.length} file(s) valid${warned ? `, ${warned}${values.strict ? ' (--strict: failing)' : ''}` : ''}`);
    }
    return errors === 0 && (warnings === 0 || !values.strict) ? 0 : 1;
  });
}
