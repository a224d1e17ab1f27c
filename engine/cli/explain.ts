/** `solrules explain --facts FILE`: why each rule fired or did not, condition by condition, with values. */
import { existsSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { errorsOf, parseYaml, formatDiagnostics } from '../config/index.ts';
import { deepMerge, formatOutcome } from '../rules/index.ts';
import { FACT_CATALOG as FACTS } from '../strategies/index.ts';
import { parseCommandArgs, UsageError, withUsage } from './args.ts';
import { evaluatorFromOption, loadForCommand } from './_shared.ts';

export const summary = 'explain why each rule fired or not for a set of facts';

const USAGE = `usage: solrules explain --facts FILE [rule files...] [--params FILE] [--evaluator KIND] [--strategies FILE] [--json]

FILE is YAML or JSON: a map of facts (price, grid, wallet, ...), or { facts: {...}, params: {...} }
where params overrides strategies.yaml. Without rule files, every rule file of the project.`;

export async function run(argv: string[]): Promise<number> {
  return withUsage(USAGE, async () => {
    const { values, positionals } = parseCommandArgs(argv, {
      facts: { type: 'string' },
      evaluator: { type: 'string' },
      strategies: { type: 'string' },
      json: { type: 'boolean' },
      help: { type: 'boolean', short: 'h' },
    });
    if (values.help) {
      console.log(USAGE);
      return 0;
    }
    if (!values.facts) throw new UsageError('--facts FILE is required');
    const factsPath = resolve(values.facts);
    if (!existsSync(factsPath)) throw new UsageError(`no such file: ${values.facts}`);
    const factory = evaluatorFromOption(values.evaluator);
    const src = parseYaml(readFileSync(factsPath, 'utf8'), factsPath);
    if (src.syntaxErrors.length) {
      console.error(formatDiagnostics(src.syntaxErrors, 'text'));
      return 1;
    }
    const doc = (src.value ?? {}) as Record<string, unknown>;
    const wrapped = doc.facts && typeof doc.facts === 'object';
    const facts = (wrapped ? doc.facts : doc) as Record<string, unknown>;
    const overrides = wrapped ? doc.params : undefined;
    const unknown = Object.keys(facts).filter((k) => !FACTS[k] || k === 'params');
    if (unknown.length) console.error(`warning: not facts of the catalog (ignored by rules): ${unknown.join(', ')}`);

    const project = loadForCommand(positionals, values.strategies);
    if (errorsOf(project.diagnostics).length) return 1;
    if (!project.strategies) {
      console.error('no valid strategies.yaml found (params come from it); pass --strategies FILE');
      return 1;
    }
    const params = deepMerge(project.strategies.params, overrides);
    const all = [];
    for (const { file } of project.ruleFiles) {
      const outcomes = await factory.create(file, params).explain(facts);
      all.push(...outcomes);
      if (!values.json) {
        console.log(`# ${file.id} (${file.file})`);
        for (const o of outcomes) console.log(formatOutcome(o) + '\n');
      }
    }
    if (values.json) console.log(JSON.stringify(all, null, 2));
    return 0;
  });
}
