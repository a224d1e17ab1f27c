/**
 * Many pools at once for load tests and benchmarks: `count` Meteora DLMM pairs, each between two
 * fresh mints (written straight into the chain as 82-byte SPL mints, as a faucet would) and
 * created, given bin arrays, a position and liquidity by the DLMM program's own instructions
 * (`createDlmmPair`, the same code as the market's SOL/USDC pair).
 */
import { Keypair, PublicKey } from '@solana/web3.js';
import { TOKEN_PROGRAM_ID } from '../../engine/venues/index.ts';
import type { SandboxChain } from '../chain.ts';
import { createDlmmPair, type CreatedDlmmPair } from './dlmm.ts';
import { seededKeypair } from './market.ts';
import { loadPrograms } from './programs.ts';
import { fundTokenAccount } from './tokens.ts';

const MINT_LEN = 82;

/** Writes an initialized SPL mint (no freeze authority, supply 0) at a new address derived from the seed and label. */
export function writeMint(chain: SandboxChain, authority: PublicKey, decimals: number, address: PublicKey): PublicKey {
  const data = Buffer.alloc(MINT_LEN);
  data.writeUInt32LE(1, 0); // mint_authority: Some
  authority.toBuffer().copy(data, 4);
  data[44] = decimals;
  data[45] = 1; // is_initialized
  chain.setAccount(address, { owner: TOKEN_PROGRAM_ID, lamports: chain.minimumBalanceForRentExemption(MINT_LEN), data });
  return address;
}

export interface ManyPoolsOptions {
  count: number;
  /** Keys and mints are derived from it (default 7). */
  seed?: number;
  /** Called after each pair (progress). */
  onPair?: (index: number, pair: CreatedDlmmPair) => void;
}

/** Creates `count` DLMM pairs of fresh mint pairs with the program's instructions; returns them in order. */
export function createManyDlmmPairs(chain: SandboxChain, opts: ManyPoolsOptions): CreatedDlmmPair[] {
  const seed = opts.seed ?? 7;
  loadPrograms(chain, ['meteora-dlmm']);
  const provider = seededKeypair(seed, 'many-pools-provider');
  chain.setAccount(provider.publicKey, { lamports: 1_000_000n * 1_000_000_000n });
  const pairs: CreatedDlmmPair[] = [];
  for (let i = 0; i < opts.count; i++) {
    const mintX = writeMint(chain, provider.publicKey, 9, seededKeypair(seed, `many-pools-x-${i}`).publicKey).toBase58();
    const mintY = writeMint(chain, provider.publicKey, 6, seededKeypair(seed, `many-pools-y-${i}`).publicKey).toBase58();
    const amountX = 1_000n * 1_000_000_000n;
    const amountY = 50_000n * 1_000_000n;
    fundTokenAccount(chain, mintX, provider.publicKey, amountX);
    fundTokenAccount(chain, mintY, provider.publicKey, amountY);
    // Active bin 0 (price 1 Y atom per X atom): the pairs need liquidity both ways, not any particular price.
    const pair = createDlmmPair(chain, provider, { mintX, mintY, binStep: 10, baseFactor: 10_000, activeId: 0, positions: 1, amountX, amountY }, (label) => seededKeypair(seed, `many-pools-${i}-${label}`));
    pairs.push(pair);
    opts.onPair?.(i, pair);
  }
  return pairs;
}
