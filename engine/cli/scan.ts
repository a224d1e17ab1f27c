/**
 * `solrules scan`: runs the market scanner a YAML file describes and prints every fact it
 * publishes as one JSON line. It only reads from the configured endpoints; it sends nothing.
 */
import { MemoryBus } from '../infra/bus/index.ts';
import { MemoryCache } from '../infra/cache/index.ts';
import { isSolrulesError } from '../errors/index.ts';
import { loadScannerConfig, MarketScanner } from '../market/index.ts';
import { createLogger } from '../infra/telemetry/index.ts';
import { parseCommandArgs, UsageError, withUsage } from './args.ts';

export const summary = 'watch pools and oracles (WebSocket, polling or shredstream) and print the market facts as JSON lines';

const USAGE = `usage: solrules scan --config FILE [--duration SECONDS] [--subjects PATTERN]

Runs the market scanner described by FILE (subscription mode, endpoints, pools, programs,
oracles, tokens; see docs/market-data.md) and prints each fact it publishes as one JSON line
{"subject", "data"} on stdout: market.events.<venue>.pool|trade, market.events.pyth.price,
market.prices.<mint>, market.volume.<mint>. It reads from the endpoints and sends nothing.
--subjects filters by a NATS-style pattern (default market.>). Ends on Ctrl+C or after
--duration seconds, with a summary line on stderr. Try it against \`solrules sandbox\`.`;

export async function run(argv: string[]): Promise<number> {
  return withUsage(USAGE, async () => {
    const { values } = parseCommandArgs(argv, { config: { type: 'string' }, duration: { type: 'string' }, subjects: { type: 'string' }, help: { type: 'boolean', short: 'h' } }, false);
    if (values.help) {
      console.log(USAGE);
      return 0;
    }
    if (!values.config) throw new UsageError('--config FILE is required');
    const duration = values.duration === undefined ? undefined : Number(values.duration);
    if (duration !== undefined && !(duration > 0)) throw new UsageError(`--duration must be a positive number of seconds; got '${values.duration}'`);
    let config;
    try {
      config = loadScannerConfig(values.config);
    } catch (err) {
      if (isSolrulesError(err)) {
        console.error(`${err.code}: ${err.message}`);
        return 1;
      }
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') throw new UsageError(`no such file: ${values.config}`);
      throw err;
    }
    const log = createLogger({ level: process.env.SOLRULES_LOG_LEVEL ?? 'warn' });
    const bus = new MemoryBus();
    await bus.subscribe(values.subjects ?? 'market.>', (m) => {
      console.log(JSON.stringify({ subject: m.subject, data: m.data }));
    });
    const scanner = new MarketScanner({ config, bus, cache: new MemoryCache(), log });
    let stop!: () => void;
    const stopped = new Promise<void>((resolve) => (stop = resolve));
    const onSignal = () => stop();
    process.once('SIGINT', onSignal);
    process.once('SIGTERM', onSignal);
    const timer = duration === undefined ? undefined : setTimeout(() => stop(), duration * 1000);
    try {
      await scanner.start();
      await stopped;
    } catch (err) {
      if (!isSolrulesError(err)) throw err;
      console.error(`${err.code}: ${err.message}`);
      return 1;
    } finally {
      if (timer) clearTimeout(timer);
      process.off('SIGINT', onSignal);
      process.off('SIGTERM', onSignal);
      await scanner.stop();
      await bus.settle();
      await bus.close();
      const s = scanner.stats;
      const src = scanner.source.stats();
      console.error(`scan (${config.subscriptionMode}): ${s.accepted} updates, ${s.duplicates} duplicates, ${s.filtered} filtered, ${s.published} facts, ${s.errors} errors, ${src.reconnects} reconnects, ${scanner.market.entries().length} pools decoded`);
    }
    return 0;
  });
}
