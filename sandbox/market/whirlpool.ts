/**
 * The Orca Whirlpool SOL/USDC pool HJPjo… cloned from real mainnet dumps
 * (`accounts/orca-whirlpool/whirlpool-essentials/`: pool, vaults, seven tick arrays, position,
 * config, fee tiers and mints, one consistent snapshot), run by the real Whirlpool program.
 */
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { loadAccountFile } from '../../engine/accounts/index.ts';
import type { SandboxChain } from '../chain.ts';
import { sharedFixturePath } from './fixtures.ts';

export const WHIRLPOOL_SOL_USDC = 'HJPjoWUrhoZzkNfRpHuieeFk9WcZWjwy6PBjZ81ngndJ';
export const USDC_MINT = 'EPjFWdd5AufqSSqeM2qN1xzybapC8G4wEGGkZwyTDt1v';

/** Places the SOL/USDC whirlpool and everything it references on the chain; returns how many accounts were placed. */
export function cloneWhirlpoolSolUsdc(chain: SandboxChain): number {
  const dir = sharedFixturePath('accounts', 'orca-whirlpool', 'whirlpool-essentials');
  const files = readdirSync(dir).filter((f) => /^(sol_usdc_wp_|token_native\.|token_usdc\.|whirlpools_config)/.test(f) && f.endsWith('.json'));
  for (const file of files) {
    const snapshot = loadAccountFile(join(dir, file));
    chain.setAccount(snapshot.address!, { lamports: snapshot.lamports ?? undefined, data: snapshot.data, owner: snapshot.owner, executable: snapshot.executable });
  }
  return files.length;
}
