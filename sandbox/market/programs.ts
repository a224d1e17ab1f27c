/**
 * The real compiled DEX programs (`shared/fixtures/programs/`, mainnet builds) loaded into the
 * sandbox's LiteSVM at their mainnet program ids, so the swaps we build are executed by the
 * program they target rather than checked against an SDK.
 */
import { PublicKey } from '@solana/web3.js';
import type { SandboxChain } from '../chain.ts';
import { sharedFixturePath } from './fixtures.ts';

export type ProgramName = 'orca-whirlpool' | 'meteora-dlmm' | 'raydium-clmm' | 'kamino-lending';

/** Program id and binary file of every program the fixtures hold. */
export const PROGRAMS: Readonly<Record<ProgramName, { id: string; file: string }>> = {
  'orca-whirlpool': { id: 'whirLbMiicVdio4qvUfM5KAg6Ct8VwpYzGff3uctyCc', file: 'orca-whirlpool.mainnet-2025-09-11-slot366188902.so' },
  'meteora-dlmm': { id: 'LBUZKhRxPF3XUpBCjp4YzTKgLccjZhTSDM9YuVaPwxo', file: 'meteora-dlmm.mainnet.so' },
  'raydium-clmm': { id: 'CAMMCzo5YL8w4VFF8KVHrK22GGUsp5VTaW7grrKgrWqK', file: 'raydium-clmm.mainnet-id-2024-04.so' },
  'kamino-lending': { id: 'KLend2g3cP87fffoy8q1mQqGKjrxjC8boSyAYavgmjD', file: 'kamino-lending.mainnet-id-2024-10.so' },
};

/** Loads the named programs (default all four) into the chain at their mainnet ids; returns the ids loaded. */
export function loadPrograms(chain: SandboxChain, names: readonly ProgramName[] = Object.keys(PROGRAMS) as ProgramName[]): string[] {
  const loaded: string[] = [];
  for (const name of names) {
    const { id, file } = PROGRAMS[name];
    chain.svm.addProgramFromFile(new PublicKey(id), sharedFixturePath('programs', file));
    loaded.push(id);
  }
  return loaded;
}
