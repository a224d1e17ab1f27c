/**
 * The real swap sequence of one mainnet day: every swap on Orca's SOL/USDC whirlpool 65shmpu… on
 * 2022-04-06 (`swaps/orca-whirlpool-2022-04-06/whirlpool-swaps-20220406.csv`, 4,692 swaps), with
 * its time, direction, input and output and the pool's vaults before it.
 */
import { readFileSync } from 'node:fs';
import { SolrulesError } from '../../engine/errors/index.ts';
import { sharedFixturePath } from './fixtures.ts';

export const REPLAY_POOL = '65shmpuYmxx5p7ggNCZbyrGLCXVqbBR1ZD5aAocRBUNG';
const COLUMNS = ['slot', 'block_time', 'block_time_utc', 'tx_index', 'signature', 'ix_index', 'pool', 'symbol_a', 'symbol_b', 'a_to_b', 'amount_specified_is_input', 'amount_in_raw', 'amount_out_raw', 'vault_a_pre', 'vault_a_post', 'vault_b_pre', 'vault_b_post'];

export interface RecordedSwap {
  /** Unix seconds of the block. */
  time: number;
  signature: string;
  /** SOL in, USDC out (the pool's A is SOL). */
  solIn: boolean;
  exactIn: boolean;
  amountIn: bigint;
  amountOut: bigint;
  /** The pool's SOL and USDC vaults before the swap. */
  vaultSol: bigint;
  vaultUsdc: bigint;
}

/** The day's SOL/USDC swaps in order (zero-amount swaps left out); typed error naming file, line and column on a bad row. */
export function loadRecordedDay(path = sharedFixturePath('swaps', 'orca-whirlpool-2022-04-06', 'whirlpool-swaps-20220406.csv')): RecordedSwap[] {
  const lines = readFileSync(path, 'utf8').split('\n');
  const header = lines[0]!.split(',');
  const col = Object.fromEntries(COLUMNS.map((c) => [c, header.indexOf(c)]));
  for (const [name, index] of Object.entries(col)) {
    if (index < 0) throw new SolrulesError('MARKET_BAD_REPLAY', `${path}:1: column ${name} is missing`, { file: path, line: 1, field: name });
  }
  const out: RecordedSwap[] = [];
  for (let i = 1; i < lines.length; i++) {
    const line = lines[i]!;
    if (line === '') continue;
    const cells = line.split(',');
    if (cells[col.pool!] !== REPLAY_POOL) continue;
    const big = (name: string): bigint => {
      const v = cells[col[name]!] ?? '';
      if (!/^\d+$/.test(v)) {
        throw new SolrulesError('MARKET_BAD_REPLAY', `${path}:${i + 1}: column ${name} (${col[name]! + 1}) is not an unsigned integer: ${JSON.stringify(v)}`, { file: path, line: i + 1, column: col[name]! + 1, field: name, value: v });
      }
      return BigInt(v);
    };
    const swap: RecordedSwap = {
      time: Number(big('block_time')),
      signature: cells[col.signature!]!,
      solIn: cells[col.a_to_b!] === '1',
      exactIn: cells[col.amount_specified_is_input!] === '1',
      amountIn: big('amount_in_raw'),
      amountOut: big('amount_out_raw'),
      vaultSol: big('vault_a_pre'),
      vaultUsdc: big('vault_b_pre'),
    };
    if (swap.amountIn > 0n && swap.amountOut > 0n) out.push(swap);
  }
  return out;
}
