/** `solrules test [paths] [--coverage] [--threshold N]`: runs `*.test.yaml` cases with diffs and condition coverage. */
import { relative } from 'node:path';
import { errorsOf, runProjectTests } from '../config/index.ts';
import { CoverageTracker } from '../rules/index.ts';
import { parseCommandArgs, UsageError, withUsage } from './args.ts';
import { evaluatorFromOption, loadForCommand } from './_shared.ts';

export const summary = 'run rule tests (*.test.yaml): diffs for failures, condition coverage';

const USAGE = `usage: solrules test [paths...] [--coverage] [--threshold N] [--evaluator KIND] [--strategies FILE]

Runs every *.test.yaml case (given facts -> expected orders, or none) against its rule file.
--coverage prints condition coverage: each leaf condition seen both true and false, over
every rule file loaded, and fails when a rule was not seen both firing and not firing.
--threshold N fails the run below N percent (implies --coverage).
Exit 0 when all pass, 1 on a failure or below the threshold, 2 on usage errors.`;

function rel(p: string): string {
  return relative(process.cwd(), p) || p;
}

export async function run(argv: string[]): Promise<number> {
  return withUsage(USAGE, async () => {
    const { values, positionals } = parseCommandArgs(argv, {
      coverage: { type: 'boolean' },
      threshold: { type: 'string' },
      evaluator: { type: 'string' },
      strategies: { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    });
    if (values.help) {
      console.log(USAGE);
      return 0;
    }
    const threshold = values.threshold === undefined ? undefined : Number(values.threshold);
    if (threshold !== undefined && !(threshold >= 0 && threshold <= 100)) throw new UsageError(`--threshold must be a percentage 0-100; got '${values.threshold}'`);
    const factory = evaluatorFromOption(values.evaluator);
    const project = loadForCommand(positionals, values.strategies);
    if (errorsOf(project.diagnostics).length) {
      console.error(`${errorsOf(project.diagnostics).length} validation error(s); fix them before the tests can run`);
      return 1;
    }
    if (!project.strategies) {
      console.error('no valid strategies.yaml found (params come from it); pass --strategies FILE');
      return 1;
    }
    const coverage = new CoverageTracker();
    for (const l of project.ruleFiles) coverage.register(l.file);
    const results = await runProjectTests(project, factory, coverage);
    let passed = 0;
    let failed = 0;
    for (const r of results) {
      console.log(`${rel(r.file)}  (${rel(r.ruleFile)})`);
      for (const c of r.cases) {
        if (c.passed) passed++;
        else failed++;
        console.log(`  ${c.passed ? '✓' : '✗'} ${c.name}`);
        for (const line of c.diff) console.log(`      ${line}`);
      }
    }
    console.log(`\n${passed} passed, ${failed} failed, ${results.length} test file(s), evaluator ${factory.kind}`);
    let exit = failed > 0 ? 1 : 0;
    if (values.coverage || threshold !== undefined) {
      const pct = coverage.percent();
      const total = coverage.leaves.size * 2;
      const seen = Math.round((pct / 100) * total);
      console.log(`coverage: ${pct.toFixed(1)}% of leaf condition outcomes (${seen}/${total})`);
      for (const l of coverage.uncovered()) {
        const missing = [!l.seenTrue && 'true', !l.seenFalse && 'false'].filter(Boolean).join(' and ');
        console.log(`  never ${missing}: ${l.fileId}/${l.ruleId} ${l.position}  ${l.label}`);
      }
      // Condition coverage can be 100 % on a rule that can never fire (or always does): each
      // rule must also be seen firing in one case and not firing in another.
      const rules = coverage.rulesNotExercised();
      for (const r of rules) console.log(`  rule ${r.fileId}/${r.ruleId} ${!r.seenFired ? 'never fired in any case' : 'fired in every case'}`);
      if (rules.length) {
        console.log(`${rules.length} rule(s) not seen both firing and not firing`);
        exit = 1;
      }
      if (threshold !== undefined && pct < threshold) {
        console.log(`coverage ${pct.toFixed(1)}% is below the threshold ${threshold}%`);
        exit = 1;
      }
    }
    return exit;
  });
}
