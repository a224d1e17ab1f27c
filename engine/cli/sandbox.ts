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
  try {
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
  console.log(banner(sb, slotMs));
  await new Promise<void>((resolveStop) => {
    const stop = () => {
      process.off('SIGINT', stop);
      process.off('SIGTERM', stop);
      resolveStop();
    };
    process.on('SIGINT', stop);
    process.on('SIGTERM', stop);
  });
  await sb.close();
  console.log('solrules sandbox stopped.');
  return 0;
}
