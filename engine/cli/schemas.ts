/** `solrules schemas [--check]`: regenerates the schemas generated from the fact catalog (facts, rule files), or checks they are current. */
import { readFileSync, writeFileSync } from 'node:fs';
import { schemaPath, type SchemaName } from '../config/index.ts';
import { factsJsonSchema, ruleFileJsonSchema } from '../rules/index.ts';
import { parseCommandArgs, withUsage } from './args.ts';

export const summary = 'write (or --check) the JSON Schemas generated from the fact catalog (facts, rule files)';

const USAGE = 'usage: solrules schemas [--check]';

/** The generated schemas and their text as written to schemas/. */
export function generatedSchemas(): Array<{ name: SchemaName; text: string }> {
  return [
    { name: 'facts', text: JSON.stringify(factsJsonSchema(), null, 2) + '\n' },
    { name: 'rule-file', text: JSON.stringify(ruleFileJsonSchema(), null, 2) + '\n' },
  ];
}

export async function run(argv: string[]): Promise<number> {
  return withUsage(USAGE, async () => {
    const { values } = parseCommandArgs(argv, { check: { type: 'boolean' }, help: { type: 'boolean', short: 'h' } }, false);
    if (values.help) {
      console.log(USAGE);
      return 0;
    }
    let stale = 0;
    for (const { name, text } of generatedSchemas()) {
      const path = schemaPath(name);
      if (values.check) {
        let current = '';
        try {
          current = readFileSync(path, 'utf8');
        } catch {
          /* missing counts as stale */
        }
        if (current !== text) {
          console.error(`${path} is out of date with the fact catalog; run: npx solrules schemas`);
          stale++;
        } else console.log(`${path} is current`);
      } else {
        writeFileSync(path, text);
        console.log(`wrote ${path}`);
      }
    }
    return stale ? 1 : 0;
  });
}
