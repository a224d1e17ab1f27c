/** `solrules schemas [--check]`: regenerates schemas/facts.schema.json from the fact catalog (or checks it is current). */
import { readFileSync, writeFileSync } from 'node:fs';
import { schemaPath } from '../config/index.ts';
import { factsJsonSchema } from '../rules/index.ts';
import { parseCommandArgs, withUsage } from './args.ts';

export const summary = 'write (or --check) the facts JSON Schema generated from the fact catalog';

const USAGE = 'usage: solrules schemas [--check]';

export async function run(argv: string[]): Promise<number> {
  return withUsage(USAGE, async () => {
    const { values } = parseCommandArgs(argv, { check: { type: 'boolean' }, help: { type: 'boolean', short: 'h' } }, false);
    if (values.help) {
      console.log(USAGE);
      return 0;
    }
    const path = schemaPath('facts');
    const text = JSON.stringify(factsJsonSchema(), null, 2) + '\n';
    if (values.check) {
      let current = '';
      try {
        current = readFileSync(path, 'utf8');
      } catch {
        /* missing counts as stale */
      }
      if (current !== text) {
        console.error(`${path} is out of date with the fact catalog; run: npx solrules schemas`);
        return 1;
      }
      console.log(`${path} is current`);
      return 0;
    }
    writeFileSync(path, text);
    console.log(`wrote ${path}`);
    return 0;
  });
}
