#!/usr/bin/env node
// Entry point for `npx solrules`: registers tsx so the TypeScript sources run as they are.
import { register } from 'tsx/esm/api';

register();
// `solrules ... | head` closes stdout early; that is not an error.
process.stdout.on('error', (err) => {
  if (err.code === 'EPIPE') process.exit(process.exitCode ?? 0);
  throw err;
});
// Before any dependency loads: drop their known load-time notices (engine/cli/notices.ts), nothing else.
const { dropDependencyNotices } = await import('../engine/cli/notices.ts');
dropDependencyNotices();
const { main } = await import('../engine/cli/main.ts');
process.exitCode = await main(process.argv.slice(2));
