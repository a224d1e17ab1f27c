/**
 * `wallets init`: creates a key file (solana-keygen format, mode 0600, directory 0700) for every
 * wallets.yaml entry whose key is a file. Refuses to overwrite: when any file already exists,
 * nothing is created. Keys from env or a keyCommand live elsewhere; they are listed, not made.
 */
import { chmodSync, existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { Keypair } from '@solana/web3.js';
import { SolrulesError } from '../errors/index.ts';
import type { WalletsConfig, WalletTier } from './config.ts';
import { keyFilePath } from './keystore.ts';

export interface InitResult {
  created: { wallet: string; tier: WalletTier; file: string; publicKey: string }[];
  /** Wallets whose key is not a file: the operator provides them. */
  external: { wallet: string; tier: WalletTier; source: 'env' | 'keyCommand'; detail: string }[];
}

/** Creates every missing key file; throws WALLET_KEY_FILE_EXISTS (creating nothing) when one exists. */
export function initKeyFiles(cfg: WalletsConfig, baseDir: string): InitResult {
  const files = cfg.wallets.flatMap((w) => ('file' in w.key ? [{ w, path: keyFilePath(w.key.file, baseDir) }] : []));
  const existing = files.filter((f) => existsSync(f.path));
  if (existing.length) {
    throw new SolrulesError(
      'WALLET_KEY_FILE_EXISTS',
      `refusing to overwrite existing key files (nothing was created): ${existing.map((f) => `${f.w.name} → ${f.path}`).join(', ')}; move them away or point wallets.yaml elsewhere`,
      { files: existing.map((f) => ({ wallet: f.w.name, file: f.path })) },
    );
  }
  const created: InitResult['created'] = [];
  for (const { w, path } of files) {
    mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
    const kp = Keypair.generate();
    const bytes = Array.from(kp.secretKey);
    // 'wx': fail rather than replace a file that appeared since the check.
    writeFileSync(path, JSON.stringify(bytes), { mode: 0o600, flag: 'wx' });
    bytes.fill(0);
    chmodSync(path, 0o600);
    created.push({ wallet: w.name, tier: w.tier, file: path, publicKey: kp.publicKey.toBase58() });
  }
  const external = cfg.wallets.flatMap((w): InitResult['external'] =>
    'env' in w.key ? [{ wallet: w.name, tier: w.tier, source: 'env' as const, detail: w.key.env }] : 'keyCommand' in w.key ? [{ wallet: w.name, tier: w.tier, source: 'keyCommand' as const, detail: w.key.keyCommand[0]! }] : [],
  );
  return { created, external };
}
