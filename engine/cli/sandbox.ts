/**
 * `solrules sandbox`: runs the local Solana sandbox (a simulated cluster, not a validator) until
 * Ctrl+C, with the shared fixture accounts loaded, and prints where its endpoints listen.
 */
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { isSolrulesError } from '../errors/index.ts';
import { UsageError } from './args.ts';
import { startSandbox, type Sandbox, type SandboxOptions } from '../../sandbox/index.ts';
import { createMarket, describeFlowSwap, MarketFlow, poolPrice, type FlowMode, type FlowOptions } from '../../sandbox/market/index.ts';

export const summary = 'run a local simulated Solana cluster (RPC, WebSocket, Jito block engine) on loopback';

const HELP = `usage: solrules sandbox [options]

Runs a simulated Solana cluster on LiteSVM for development and tests. It is not a
validator: one leader, no consensus, no gossip, and it never talks to a real cluster.

options:
  --host <addr>              interface to bind (default 127.0.0.1)
  --port <n>                 HTTP JSON-RPC port; WebSocket uses port+1 (default 8899; 0 = ephemeral)
  --block-engine-port <n>    Jito JSON-RPC port (default 8901; 0 = ephemeral)
  --grpc-port <n>            Jito gRPC SearcherService port, TLS (default 8902; 0 = ephemeral)
  --slot-ms <n|manual>       slot length in ms (default 400)
  --accounts <dir>           load account JSON files from <dir> (repeatable;
                             default ../shared/fixtures/accounts when it exists)
  --no-accounts              start with no fixture accounts
  --require-auth             refuse gRPC searcher calls without an auth-service token
  --market                   load the real DEX programs (Orca Whirlpool, Meteora DLMM, Kamino
                             lending) and build a SOL/USDC market on Whirlpool and DLMM, and a
                             Kamino USDC reserve for flash loans (made by the klend program)
  --market-seed <n>          seed of the market's keys: traders are seededKeypair(seed,
                             'trader-<i>') from sandbox/market (default 1)
  --traders <n>              funded traders (default 4)
  --flow <random-walk|replay>
                             start SIMULATED traders swapping through the programs (implies
                             --market): a seeded random walk with shocks, or the replay of
                             the 2022-04-06 mainnet SOL/USDC swaps
  --flow-seed <n>            seed of the flow's decisions (default the market seed)
  --flow-rate <n>            random-walk swaps per second (default 5)
  --flow-size <SOL>          random-walk mean swap size in SOL (default 2)
  --shock-probability <p>    random-walk chance of a shock per swap (default 0.02)
  --replay-speed <n>         replay: recorded seconds per second (default 60)
  --quiet-flow               do not print each SIMULATED swap
  -h, --help                 show this help`;

/**
 * `shared/fixtures/accounts` beside the repository (`<root>/main` next to `<root>/shared`; a
 * worktree one level deeper looks one level further up), or under SOLRULES_SHARED_FIXTURES.
 */
export function defaultAccountsDir(): string | undefined {
  const repoRoot = resolve(fileURLToPath(new URL('../..', import.meta.url)));
  const candidates = [
    process.env.SOLRULES_SHARED_FIXTURES && join(process.env.SOLRULES_SHARED_FIXTURES, 'accounts'),
    join(repoRoot, '..', 'shared', 'fixtures', 'accounts'),
    join(repoRoot, '..', '..', 'shared', 'fixtures', 'accounts'),
  ].filter((p): p is string => !!p);
  return candidates.find((p) => existsSync(p));
}

function port(value: string | undefined, fallback: number, name: string): number {
  if (value === undefined) return fallback;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0 || n > 65535) throw new UsageError(`--${name} must be a port number 0-65535, got '${value}'`);
  return n;
}


/** The banner: endpoints, trust setup and a plain statement that this is a simulation. */
export function banner(sb: Sandbox, slotMs: number | 'manual'): string {
  const accounts = sb.accountLoads.length
    ? sb.accountLoads
        .map((l) => `${l.placed} from ${l.dir} (${l.withoutAddress.length} files without an address skipped, ${new Set(l.duplicates.map((d) => d.address)).size} addresses in several files: last file kept)`)
        .join('; ')
    : 'none';
  return [
    'solrules sandbox — a SIMULATED Solana cluster on LiteSVM, for development and tests.',
    'It is not a validator (one leader, no consensus, no gossip) and it never contacts a real cluster.',
    '',
    `  RPC (HTTP JSON-RPC)        ${sb.rpcUrl}`,
    `  WebSocket PubSub           ${sb.wsUrl}`,
    `  Block engine JSON-RPC      ${sb.blockEngineUrl}/api/v1/bundles  and  ${sb.blockEngineUrl}/api/v1/transactions`,
    `  Block engine gRPC (TLS)    ${sb.blockEngineGrpcAddress}`,
    `  gRPC clients must trust    export GRPC_DEFAULT_SSL_ROOTS_FILE_PATH=${process.env.GRPC_DEFAULT_SSL_ROOTS_FILE_PATH ?? sb.tlsCertPath}`,
    `  Tip accounts               ${sb.tipAccounts.length} (minimum tip 1000 lamports)`,
    `  Accounts loaded            ${accounts}`,
    `  Slot clock                 ${slotMs === 'manual' ? 'manual' : `${slotMs} ms/slot`}, slot ${sb.slot}, block height ${sb.blockHeight}`,
    '',
    'Press Ctrl+C to stop.',
  ].join('\n');
}

export async function run(argv: string[]): Promise<number> {
  let values: Record<string, string | boolean | string[] | undefined>;
  try {
    ({ values } = parseArgs({
      args: argv,
      options: {
        host: { type: 'string' },
        port: { type: 'string' },
        'block-engine-port': { type: 'string' },
        'grpc-port': { type: 'string' },
        'slot-ms': { type: 'string' },
        accounts: { type: 'string', multiple: true },
        'no-accounts': { type: 'boolean' },
        'require-auth': { type: 'boolean' },
        market: { type: 'boolean' },
        'market-seed': { type: 'string' },
        traders: { type: 'string' },
        flow: { type: 'string' },
        'flow-seed': { type: 'string' },
        'flow-rate': { type: 'string' },
        'flow-size': { type: 'string' },
        'shock-probability': { type: 'string' },
        'replay-speed': { type: 'string' },
        'quiet-flow': { type: 'boolean' },
        help: { type: 'boolean', short: 'h' },
      },
      strict: true,
    }));
  } catch (err) {
    console.error(`solrules sandbox: ${(err as Error).message}\n\n${HELP}`);
    return 2;
  }
  if (values.help) {
    console.log(HELP);
    return 0;
  }
  let opts: SandboxOptions;
  let slotMs: number | 'manual' = 400;
  let dirs: string[];
  let market: MarketArgs | undefined;
  try {
    market = marketArgs(values);
    const slotArg = values['slot-ms'] as string | undefined;
    if (slotArg !== undefined) {
      slotMs = slotArg === 'manual' ? 'manual' : Number(slotArg);
      if (slotMs !== 'manual' && !(Number.isFinite(slotMs) && slotMs >= 10)) throw new UsageError(`--slot-ms must be 'manual' or a number ≥ 10, got '${slotArg}'`);
    }
    const given = values.accounts as string[] | undefined;
    if (values['no-accounts'] && given) throw new UsageError('--accounts and --no-accounts contradict each other');
    const fallback = defaultAccountsDir();
    dirs = values['no-accounts'] ? [] : given ?? (fallback ? [fallback] : []);
    for (const d of dirs) if (!existsSync(d)) throw new UsageError(`--accounts: no such directory '${d}'`);
    opts = {
      host: (values.host as string | undefined) ?? '127.0.0.1',
      port: port(values.port as string | undefined, 8899, 'port'),
      blockEnginePort: port(values['block-engine-port'] as string | undefined, 8901, 'block-engine-port'),
      grpcPort: port(values['grpc-port'] as string | undefined, 8902, 'grpc-port'),
      slotMs,
      requireAuth: values['require-auth'] === true,
    };
  } catch (err) {
    if (err instanceof UsageError) {
      console.error(`solrules sandbox: ${err.message}`);
      return 2;
    }
    throw err;
  }

  let sb: Sandbox;
  try {
    sb = await startSandbox({ ...opts, accountsDir: dirs });
  } catch (err) {
    if (isSolrulesError(err)) {
      console.error(`solrules sandbox: ${err.message} [${err.code}]`);
      return 1;
    }
    throw err;
  }
  if (opts.host !== '127.0.0.1' && opts.host !== '::1' && opts.host !== 'localhost') {
    console.error(`warning: binding ${opts.host}, not loopback: anyone who can reach it can use this sandbox`);
  }
  let flow: MarketFlow | undefined;
  if (market) {
    try {
      ({ flow } = startMarket(sb, market, slotMs));
    } catch (err) {
      await sb.close();
      if (isSolrulesError(err)) {
        console.error(`solrules sandbox: ${err.message} [${err.code}]`);
        return 1;
      }
      throw err;
    }
  } else {
    console.log(banner(sb, slotMs));
  }
  await new Promise<void>((resolveStop) => {
    const stop = () => {
      process.off('SIGINT', stop);
      process.off('SIGTERM', stop);
      resolveStop();
    };
    process.on('SIGINT', stop);
    process.on('SIGTERM', stop);
  });
  flow?.stop();
  if (flow) console.log(`SIMULATED flow stopped: ${flow.stats.swaps} swaps, ${flow.stats.skipped} skipped`);
  await sb.close();
  console.log('solrules sandbox stopped.');
  return 0;
}

interface MarketArgs {
  seed: number;
  traders: number;
  flow?: FlowOptions & { mode: FlowMode };
  quiet: boolean;
}

function integer(value: string | undefined, fallback: number, name: string, min = 0): number {
  if (value === undefined) return fallback;
  const n = Number(value);
  if (!Number.isInteger(n) || n < min) throw new UsageError(`--${name} must be an integer ≥ ${min}, got '${value}'`);
  return n;
}

function positive(value: string | undefined, name: string, max = Infinity): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!(Number.isFinite(n) && n > 0 && n <= max)) throw new UsageError(`--${name} must be a number in (0, ${max}], got '${value}'`);
  return n;
}

/** Exact lamports from a decimal SOL amount (no float rounding). */
function solToLamports(value: string, name: string): bigint {
  const m = /^(\d+)(?:\.(\d{1,9}))?$/.exec(value);
  if (!m) throw new UsageError(`--${name} must be a SOL amount with at most 9 decimals, got '${value}'`);
  const lamports = BigInt(m[1]!) * 1_000_000_000n + BigInt((m[2] ?? '').padEnd(9, '0'));
  if (lamports === 0n) throw new UsageError(`--${name} must be positive, got '${value}'`);
  return lamports;
}

/** The market and flow options, or undefined when neither --market nor --flow was given. */
function marketArgs(values: Record<string, string | boolean | string[] | undefined>): MarketArgs | undefined {
  const flowMode = values.flow as string | undefined;
  const flowOnly = ['flow-seed', 'flow-rate', 'flow-size', 'shock-probability', 'replay-speed', 'quiet-flow'].filter((k) => values[k] !== undefined);
  if (!flowMode && flowOnly.length) throw new UsageError(`--${flowOnly[0]} needs --flow`);
  if (!values.market && !flowMode) {
    const marketOnly = ['market-seed', 'traders'].filter((k) => values[k] !== undefined);
    if (marketOnly.length) throw new UsageError(`--${marketOnly[0]} needs --market`);
    return undefined;
  }
  if (flowMode !== undefined && flowMode !== 'random-walk' && flowMode !== 'replay') throw new UsageError(`--flow must be random-walk or replay, got '${flowMode}'`);
  const seed = integer(values['market-seed'] as string | undefined, 1, 'market-seed');
  const args: MarketArgs = { seed, traders: integer(values.traders as string | undefined, 4, 'traders', 1), quiet: values['quiet-flow'] === true };
  if (flowMode) {
    const flow: FlowOptions & { mode: FlowMode } = { mode: flowMode, seed: integer(values['flow-seed'] as string | undefined, seed, 'flow-seed') };
    const rate = positive(values['flow-rate'] as string | undefined, 'flow-rate', 1000);
    if (rate !== undefined) flow.ratePerSecond = rate;
    if (values['flow-size'] !== undefined) flow.meanSizeLamports = solToLamports(values['flow-size'] as string, 'flow-size');
    const shock = values['shock-probability'] as string | undefined;
    if (shock !== undefined) {
      const p = Number(shock);
      if (!(p >= 0 && p <= 1)) throw new UsageError(`--shock-probability must be within 0..1, got '${shock}'`);
      flow.shockProbability = p;
    }
    const speed = positive(values['replay-speed'] as string | undefined, 'replay-speed');
    if (speed !== undefined) flow.replaySpeed = speed;
    if (flowMode === 'replay' && (rate !== undefined || flow.meanSizeLamports !== undefined || shock !== undefined)) {
      throw new UsageError('--flow-rate, --flow-size and --shock-probability apply to --flow random-walk; a replay takes its timing and sizes from the recorded day');
    }
    if (flowMode === 'random-walk' && speed !== undefined) throw new UsageError('--replay-speed applies to --flow replay');
    args.flow = flow;
  }
  return args;
}

/** Builds the market on the running sandbox, prints where everything is, and starts the SIMULATED flow when asked. */
function startMarket(sb: Sandbox, args: MarketArgs, slotMs: number | 'manual'): { flow: MarketFlow | undefined } {
  const market = createMarket({ chain: sb.chain, seed: args.seed, traders: args.traders, kamino: true });
  const k = market.kamino!;
  const lines = [
    banner(sb, slotMs).replace('\nPress Ctrl+C to stop.', ''),
    `  Programs (real, mainnet ids) Orca Whirlpool, Meteora DLMM, Kamino lending — market built in ${market.setupMs.toFixed(0)} ms`,
    `  Mints                      SOL ${market.mints.sol}  USDC ${market.mints.usdc}`,
    ...market.pools.map((p) => `  ${p.venue.padEnd(26)} ${p.address}  ${poolPrice(market, p.venue).toFixed(4)} USDC/SOL${p.created ? ' (created by the program)' : ' (cloned from a mainnet dump)'}`),
    `  Kamino reserve (USDC)      ${k.reserve.reserve}  market ${k.lendingMarket}  ${k.deposited} atoms to lend, flash fee sf ${k.reserve.flashLoanFeeSf}; lookup table ${k.lookupTable.key.toBase58()}; SIMULATED USDC/USD oracle ${k.oracle}`,
    `  Traders (seed ${args.seed})          ${market.traders.map((t) => t.publicKey.toBase58()).join(', ')}`,
  ];
  let flow: MarketFlow | undefined;
  if (args.flow) {
    const quiet = args.quiet;
    flow = new MarketFlow(market, {
      ...args.flow,
      // The slot clock runs on its own unless it is manual.
      slotsPerSwap: slotMs === 'manual' ? 1 : 0,
      onSwap: (s) => {
        if (!quiet) console.log(describeFlowSwap(s, market));
      },
      onError: (err) => console.error(`warning: a SIMULATED flow swap failed: ${err instanceof Error ? err.message.split('\n')[0] : String(err)}`),
    });
    lines.push(`  Flow                       SIMULATED ${args.flow.mode} (seed ${args.flow.seed}): other traders are simulated, their transactions are real`);
  }
  lines.push('', 'Press Ctrl+C to stop.');
  console.log(lines.join('\n'));
  flow?.start();
  return { flow };
}
