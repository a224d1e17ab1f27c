// Module hooks for test/app/chain-imports: appends the URL of every module loaded through the ESM loader to $SOLRULES_RECORD_LOADS.
import { register } from 'node:module';

register('data:text/javascript,' + encodeURIComponent(`
import { appendFileSync } from 'node:fs';
export async function load(url, context, next) {
  appendFileSync(process.env.SOLRULES_RECORD_LOADS, url + '\\n');
  return next(url, context);
}`));
