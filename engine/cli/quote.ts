/**
 * `solrules quote`: one exact local quote from account JSON files, so anyone can check a quote by
 * hand. Reads every account file in --accounts, finds the pool's venue by its owner program, and
 * prints `{ "amountIn", "amountOut", "feeAmount", "priceImpactBps" }` (atoms as decimal strings).
 */
import { existsSync, statSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { loadAccountDir, loadAccountFile, type AccountSnapshot } from '../accounts/index.ts';
import { venueForPool, type Quote, type QuoteContext } from '../venues/index.ts';
import { SolrulesError, isSolrulesError, jsonSafe } from '../errors/index.ts';

export const summary = 'quote a swap exactly from pool account files (Raydium AMM v4, Orca Whirlpool, …)';

const USAGE = `usage: solrules quote --accounts DIR --pool ADDRESS|FILE --input-mint MINT --amount ATOMS [--exact-out]
                      [--timestamp UNIX_SECONDS] [--epoch EPOCH] [--slot SLOT] [--details]

  --accounts DIR     account JSON files (solana-CLI or carbon format, as in ../shared/fixtures/accounts/)
  --pool ADDRESS     the pool (or lb pair) address, or the path of its account file
  --input-mint MINT  the mint you pay with
  --amount ATOMS     exact input in atoms, or with --exact-out the exact output you want
  --exact-out        quote buying exactly --amount of the other mint
  --timestamp UNIX   chain clock for open times / adaptive fees (default: now)
  --epoch EPOCH      current epoch, needed for Token-2022 mints whose transfer fee changes
  --slot SLOT        current slot, needed for DLMM pairs that activate at a slot
  --details          also print venue, pool, mints, accounts and venue-specific fields

Prints {"amountIn","amountOut","feeAmount","priceImpactBps"}; nothing is sent anywhere.`;

interface Loaded {
  byAddress: Map<string, AccountSnapshot>;
  /** Addresses found in more than one file with different data, and those files. */
  conflicts: Map<string, string[]>;
}

function sameAccount(a: AccountSnapshot, b: AccountSnapshot): boolean {
  return a.owner === b.owner && Buffer.compare(Buffer.from(a.data), Buffer.from(b.data)) === 0;
}

/** Every account file under `dir` by address; identical copies are fine, differing ones are conflicts. */
function loadDir(dir: string): Loaded {
  const holders = new Map<string, string[]>();
  const differing = new Set<string>();
  const byAddress = loadAccountDir(dir, {
    onDuplicate(address, kept, replaced, keptAccount, replacedAccount) {
      const files = holders.get(address) ?? [replaced];
      files.push(kept);
      holders.set(address, files);
      if (!sameAccount(keptAccount, replacedAccount)) differing.add(address);
    },
  });
  return { byAddress, conflicts: new Map([...differing].map((address) => [address, holders.get(address)!])) };
}

function usageError(message: string): number {
  console.error(`solrules quote: ${message}\n\n${USAGE}`);
  return 2;
}

function parseAtoms(value: string, flag: string): bigint | string {
  if (!/^\d+$/.test(value)) return `${flag} must be a whole number of atoms, found '${value}'`;
  return BigInt(value);
}

function output(quote: Quote, details: boolean): Record<string, unknown> {
  const base = {
    amountIn: quote.amountIn.toString(),
    amountOut: quote.amountOut.toString(),
    feeAmount: quote.feeAmount.toString(),
    priceImpactBps: quote.priceImpactBps,
  };
  if (!details) return base;
  const { amountIn: _i, amountOut: _o, feeAmount: _f, priceImpactBps: _p, ...rest } = quote;
  return { ...base, ...(jsonSafe(rest) as Record<string, unknown>) };
}

/** Runs the command; returns the exit code (0 ok, 1 quote refused / bad data, 2 usage). */
export async function run(argv: string[]): Promise<number> {
  let values: Record<string, string | boolean | undefined>;
  try {
    ({ values } = parseArgs({
      args: argv,
      options: {
        accounts: { type: 'string' },
        pool: { type: 'string' },
        'input-mint': { type: 'string' },
        amount: { type: 'string' },
        'exact-out': { type: 'boolean', default: false },
        timestamp: { type: 'string' },
        epoch: { type: 'string' },
        slot: { type: 'string' },
        details: { type: 'boolean', default: false },
        help: { type: 'boolean', short: 'h', default: false },
      },
      strict: true,
      allowPositionals: false,
    }));
  } catch (err) {
    return usageError((err as Error).message);
  }
  if (values.help) {
    console.log(USAGE);
    return 0;
  }
  for (const flag of ['accounts', 'pool', 'input-mint', 'amount'] as const) {
    if (typeof values[flag] !== 'string' || values[flag] === '') return usageError(`--${flag} is required`);
  }
  const dir = values.accounts as string;
  if (!existsSync(dir) || !statSync(dir).isDirectory()) return usageError(`--accounts '${dir}' is not a directory`);
  const amount = parseAtoms(values.amount as string, '--amount');
  if (typeof amount === 'string') return usageError(amount);
  const context: QuoteContext = {};
  for (const [flag, key] of [['timestamp', 'unixTimestamp'], ['epoch', 'epoch'], ['slot', 'slot']] as const) {
    if (values[flag] === undefined) continue;
    const v = parseAtoms(values[flag] as string, `--${flag}`);
    if (typeof v === 'string') return usageError(v);
    context[key] = v;
  }

  try {
    const loaded = loadDir(dir);
    const poolArg = values.pool as string;
    let pool: AccountSnapshot | undefined;
    if (poolArg.endsWith('.json') || existsSync(poolArg)) {
      pool = loadAccountFile(poolArg);
      if (pool.address) loaded.byAddress.set(pool.address, pool);
      if (pool.address) loaded.conflicts.delete(pool.address);
    } else {
      const conflict = loaded.conflicts.get(poolArg);
      if (conflict) {
        throw new SolrulesError('DEX_ACCOUNT_MISMATCH', `${conflict.length} different files in ${dir} hold pool ${poolArg}: ${conflict.join(', ')}; pass --pool with the path of the one to use`, {
          account: poolArg,
          field: 'pool',
          files: conflict,
        });
      }
      pool = loaded.byAddress.get(poolArg);
      if (!pool) throw new SolrulesError('DEX_ACCOUNT_MISSING', `no account file for pool ${poolArg} in ${dir}`, { account: poolArg, field: 'pool' });
    }
    const venue = venueForPool(pool);
    for (const needed of venue.requiredAccounts(pool)) {
      const conflict = loaded.conflicts.get(needed);
      if (conflict) {
        throw new SolrulesError('DEX_ACCOUNT_MISMATCH', `${conflict.length} different files in ${dir} hold account ${needed}: ${conflict.join(', ')}; keep one`, {
          account: needed,
          field: 'account',
          files: conflict,
        });
      }
    }
    const state = venue.buildState(pool, loaded.byAddress, context);
    const inputMint = values['input-mint'] as string;
    const quote = values['exact-out'] ? venue.quoteExactOut(state, inputMint, amount) : venue.quoteExactIn(state, inputMint, amount);
    console.log(JSON.stringify(output(quote, values.details === true)));
    return 0;
  } catch (err) {
    if (isSolrulesError(err)) {
      console.error(`solrules quote: ${err.message}`);
      console.error(JSON.stringify(err.toJSON()));
      return 1;
    }
    throw err;
  }
}
