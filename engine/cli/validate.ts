/** `solrules validate [paths] [--format text|json|github]`: every schema and semantic error in the files users edit. */
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { expandPaths, formatDiagnostics, loadFiles, projectFiles } from '../config/index.ts';
import { oneOf, parseCommandArgs, UsageError, withUsage } from './args.ts';

export const summary = 'check rule, test, strategies and wallets files (all errors, with file:line:column)';

const USAGE = `usage: solrules validate [paths...] [--format text|json|github] [--strategies FILE]

Checks YAML syntax, JSON Schemas and rule semantics (facts, paths, operators, params,
duplicate ids, condition cycles, routes, tests). Paths are files or directories; without
paths, the project in the current directory (strategies.yaml, wallets.yaml, rules/).
Exit 0 when clean, 1 on any error, 2 on usage errors.`;

export async function run(argv: string[]): Promise<number> {
  return withUsage(USAGE, async () => {
    const { values, positionals } = parseCommandArgs(argv, {
      format: { type: 'string' },
      strategies: { type: 'string' },
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
    if (format === 'text') {
      const n = project.diagnostics.length;
      console.error(n === 0 ? `ok: ${files.length} file(s) valid` : `${n} error(s) in ${project.failedFiles.size} file(s)`);
    }
    return project.diagnostics.length === 0 ? 0 : 1;
  });
}
