/**
 * wallets.yaml: wallet tiers and key *references*. The file must never hold key material;
 * diagnostics about it never echo values (a mistaken paste of a key must not reach a log).
 */
import type { Diagnostic } from './diagnostics.ts';
import { diagnosticAt, type PathSegment, type SourceFile } from './yaml.ts';
import { findKeyMaterial, looksLikeKeyMaterial, type WalletConfig, type WalletKeySource, type WalletsConfig, type WalletTarget, type WalletTier } from '../wallets/index.ts';
import { lstatSync, statSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, isAbsolute, resolve } from 'node:path';

export type { WalletConfig, WalletKeySource, WalletsConfig, WalletTarget, WalletTier };


/** Inline key material anywhere in the file (reported without echoing it). */
export function checkWalletSecrets(src: SourceFile): Diagnostic[] {
  return findKeyMaterial(src.value).map((at) =>
    diagnosticAt(src, at, 'WALLETS_INLINE_SECRET', 'this value looks like key material; wallets.yaml may only reference keys ({ file: path } or { env: NAME }) — remove it and rotate the key', {
      expected: '{ file: <path> } or { env: <NAME> }',
      found: '<redacted>',
    }),
  );
}

/** Checks beyond the schema: unique names and addresses; targets name configured mints; one SOL target per wallet. */
export function checkWallets(src: SourceFile, cfg: WalletsConfig): Diagnostic[] {
  const out: Diagnostic[] = [];
  const names = new Map<string, number>();
  cfg.wallets.forEach((w, i) => {
    if (names.has(w.name)) {
      out.push(diagnosticAt(src, ['wallets', i, 'name'], 'WALLETS_DUPLICATE_NAME', `wallet name '${w.name}' is already used by wallets[${names.get(w.name)}]`, { expected: 'a unique name', found: `'${w.name}'` }));
    } else names.set(w.name, i);
  });
  const addresses = new Map<string, number>();
  cfg.wallets.forEach((w, i) => {
    if (!w.address) return;
    if (addresses.has(w.address)) {
      out.push(diagnosticAt(src, ['wallets', i, 'address'], 'WALLETS_DUPLICATE_ADDRESS', `address is already used by wallets[${addresses.get(w.address)}]`, { expected: 'one entry per wallet', found: w.address }));
    } else addresses.set(w.address, i);
  });
  cfg.wallets.forEach((w, i) => {
    const k = (w.key ?? {}) as Record<string, unknown>;
    const sources = ['file', 'env', 'keyCommand'].filter((s) => s in k);
    if (sources.length !== 1) {
      out.push(diagnosticAt(src, ['wallets', i, 'key'], 'WALLETS_KEY_SOURCE', `wallet '${w.name}': key needs exactly one of file, env or keyCommand`, { expected: 'one of file, env, keyCommand', found: sources.length ? sources.join(' and ') : 'none' }));
    } else if ('timeoutMs' in k && sources[0] !== 'keyCommand') {
      out.push(diagnosticAt(src, ['wallets', i, 'key', 'timeoutMs'], 'WALLETS_KEY_SOURCE', `wallet '${w.name}': timeoutMs applies to keyCommand only`, { expected: 'timeoutMs beside keyCommand', found: `timeoutMs beside ${sources[0]}` }));
    }
  });
  const mints = new Set(Object.keys(cfg.mints ?? {}));
  const checkTokens = (t: WalletTarget | undefined, at: PathSegment[]) => {
    for (const name of Object.keys(t?.tokens ?? {})) {
      if (!mints.has(name)) out.push(diagnosticAt(src, [...at, 'tokens', name], 'WALLETS_UNKNOWN_MINT', `target names mint '${name}', which is not under mints:`, { expected: mints.size ? [...mints].join(', ') : 'a mints: entry', found: `'${name}'` }));
    }
  };
  for (const [tier, t] of Object.entries(cfg.targets ?? {})) checkTokens(t, ['targets', tier]);
  cfg.wallets.forEach((w, i) => {
    checkTokens(w.target, ['wallets', i, 'target']);
    if (w.target?.lamports !== undefined && w.targetBalanceSol !== undefined) {
      out.push(diagnosticAt(src, ['wallets', i, 'target', 'lamports'], 'WALLETS_TWO_SOL_TARGETS', `wallet '${w.name}' sets both targetBalanceSol and target.lamports; keep one`, { expected: 'one SOL target', found: 'targetBalanceSol and target.lamports' }));
    }
    if (w.tier === 'treasure' && w.target) out.push(diagnosticAt(src, ['wallets', i, 'target'], 'WALLETS_TREASURE_TARGET', 'the treasure funds the others; it has no funding target', { expected: 'no target on a treasure wallet', found: 'target' }));
  });
  if (cfg.targets?.treasure) out.push(diagnosticAt(src, ['targets', 'treasure'], 'WALLETS_TREASURE_TARGET', 'the treasure funds the others; it has no funding target', { expected: 'controller, proxy or worker', found: 'treasure' }));
  return out;
}

/**
 * Key files other users could read (mode & 077), found before `run --live` refuses them: the
 * file's mode is read, never its content. A key file that is not there is not an error here
 * (keys often live only on the machine that trades).
 */
export function checkKeyFiles(src: SourceFile, cfg: WalletsConfig): Diagnostic[] {
  const out: Diagnostic[] = [];
  cfg.wallets.forEach((w, i) => {
    if (!w || typeof w !== 'object' || !w.key || typeof w.key !== 'object' || !('file' in w.key) || typeof w.key.file !== 'string') return;
    if (looksLikeKeyMaterial(w.key.file)) return; // reported as inline key material, never as a path
    const file = w.key.file;
    const path = file === '~' || file.startsWith('~/') ? resolve(homedir(), file.slice(2)) : isAbsolute(file) ? file : resolve(dirname(src.file), file);
    if (!lstatSync(path, { throwIfNoEntry: false })) return;
    let mode: number;
    try {
      mode = statSync(path).mode;
    } catch {
      return;
    }
    if ((mode & 0o077) !== 0) {
      const octal = (mode & 0o777).toString(8).padStart(4, '0');
      out.push(diagnosticAt(src, ['wallets', i, 'key', 'file'], 'WALLETS_KEY_FILE_MODE', `key file ${file} of wallet '${w.name}' is readable or writable by group or others (mode ${octal}); run chmod 600 ${path}`, { expected: '0600', found: octal }));
    }
  });
  return out;
}
