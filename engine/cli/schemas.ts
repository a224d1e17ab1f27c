/** `solrules schemas [--check]`: regenerates the JSON Schemas that the registries define (or checks they are current). */
import { readFileSync, writeFileSync } from 'node:fs';
import { generatedSchemas } from '../app/index.ts';
import { parseCommandArgs, withUsage } from './args.ts';

export const summary = 'write (or --check) the JSON Schemas generated from the fact catalog and the strategy / executor registries';

const USAGE = 'usage: solrules schemas [--check]';

export async function run(argv: string[]): Promise<number> {
  return withUsage(USAGE, async () => {
    const { values } = parseCommandArgs(argv, { check: { type: 'boolean' }, help: { type: 'boolean', short: 'h' } }, false);
    if (values.help) {
      console.log(USAGE);
      return 0;
    }
    let stale = 0;
    for (const { path, text } of generatedSchemas()) {
      let current = '';
      try {
        current = readFileSync(path, 'utf8');
      } catch {
        /* missing counts as stale */
      }
      if (values.check) {
        if (current !== text) {
          console.error(`${path} is out of date with the registries; run: npx solrules schemas`);
          stale += 1;
        } else console.log(`${path} is current`);
      } else if (current !== text) {
        writeFileSync(path, text);
        console.log(`wrote ${path}`);
      } else console.log(`${path} is current`);
    }
    return stale ? 1 : 0;
  });
}
