/**
 * `solrules run` (argv[3..]) that kills itself with SIGKILL right after the first `SqlStore`
 * write named by argv[2] commits: `insertOrder` (the first order recorded), `recordExecution`
 * (its fill recorded) or `saveStrategyState` (a strategy's state saved after that fill; the run's
 * own checkpoint row does not count). A real kill -9 at an exact point of the run, for
 * test/cli/run-kill.test.ts.
 */
import { SqlStore } from '../../../engine/infra/store/sql/index.ts';
import { main } from '../../../engine/cli/main.ts';

const POINTS = ['insertOrder', 'recordExecution', 'saveStrategyState'] as const;
const at = process.argv[2] as (typeof POINTS)[number];
if (!POINTS.includes(at)) throw new Error(`kill point must be one of ${POINTS.join(', ')}; got '${at}'`);
const proto = SqlStore.prototype as unknown as Record<string, (...args: unknown[]) => Promise<unknown>>;
const original = proto[at]!;
proto[at] = async function (this: SqlStore, ...args: unknown[]) {
  const result = await original.apply(this, args);
  const committed = at === 'saveStrategyState' ? args[0] !== 'run:checkpoint' : result === true;
  if (committed) process.kill(process.pid, 'SIGKILL'); // die before anything else runs
  return result;
};
process.exitCode = await main(process.argv.slice(3));
