/**
 * Runs the demo with one hook (argv[2]: onStarted or beforeStop) that throws, prints what runDemo
 * rejected with as one JSON line and sets exit code 3. It must then exit by itself: anything the
 * demo left running (sandbox servers, scanners, timers) keeps it alive, which the test catches.
 */
import { runDemo } from '../../../engine/cli/demo.ts';
import { isSolrulesError } from '../../../engine/errors/index.ts';
import { createLogger } from '../../../engine/infra/telemetry/index.ts';

process.env.SOLRULES_STORE = 'memory';
const hook = process.argv[2] as 'onStarted' | 'beforeStop';
const broken = async () => {
  throw new Error('the hook broke on purpose');
};
try {
  await runDemo({ seconds: 30, steps: 1, seed: 1, flowMode: 'random-walk', paceMs: 20, write: () => undefined, log: createLogger({ level: 'silent' }), [hook]: broken });
  console.log(JSON.stringify({ returned: true }));
} catch (err) {
  const cause = err instanceof Error && err.cause instanceof Error ? err.cause.message : undefined;
  console.log(JSON.stringify({ code: isSolrulesError(err) ? err.code : undefined, hook: isSolrulesError(err, 'DEMO_HOOK_FAILED') ? err.context.hook : undefined, message: err instanceof Error ? err.message : String(err), cause }));
  process.exitCode = 3;
}
