/**
 * Keystore: loads the keys wallets.yaml points at — Solana CLI keypair files (a JSON array of
 * 64 bytes, as `solana-keygen new -o FILE` writes it), environment variables or a `keyCommand`
 * whose standard output is the key (keycommand.ts) — and keeps the
 * key bytes inside a signer object that never shows them: not in JSON, not in `util.inspect`,
 * not in an error. Errors name the wallet, the file or variable, and what is wrong; never a byte.
 */
import { readFileSync, statSync } from 'node:fs';
import { homedir } from 'node:os';
import { basename, isAbsolute, resolve } from 'node:path';
import { inspect } from 'node:util';
import { createPrivateKey, sign as ed25519Sign, type KeyObject } from 'node:crypto';
import { Keypair, PublicKey, VersionedTransaction, Transaction } from '@solana/web3.js';
import bs58 from 'bs58';
import { SolrulesError, type ErrorCode } from '../errors/index.ts';
import type { WalletConfig, WalletsConfig, WalletTier } from './config.ts';
import { loadKeypairCommand } from './keycommand.ts';
import { looksLikeKeyMaterial } from './secrets.ts';

/** A wallet whose key is loaded. The key bytes stay in a private field; the object prints as its address. */
/** PKCS#8 DER prefix of an Ed25519 private key: followed by its 32-byte seed. */
const ED25519_PKCS8_PREFIX = Buffer.from('302e020100300506032b657004220420', 'hex');

export class WalletSigner {
  readonly #keypair: Keypair;
  /** The same key for node:crypto (OpenSSL): an Ed25519 signature in ~0.1 ms where web3.js's noble one takes ~1 ms (it re-derives the public key every call). */
  readonly #key: KeyObject;
  readonly name: string;
  readonly tier: WalletTier;
  readonly publicKey: PublicKey;
  readonly minBalanceLamports: bigint;
  readonly targetBalanceLamports: bigint | undefined;

  constructor(name: string, tier: WalletTier, keypair: Keypair, opts: { minBalanceLamports?: bigint; targetBalanceLamports?: bigint } = {}) {
    this.#keypair = keypair;
    this.#key = createPrivateKey({ key: Buffer.concat([ED25519_PKCS8_PREFIX, keypair.secretKey.subarray(0, 32)]), format: 'der', type: 'pkcs8' });
    this.name = name;
    this.tier = tier;
    this.publicKey = keypair.publicKey;
    this.minBalanceLamports = opts.minBalanceLamports ?? 0n;
    this.targetBalanceLamports = opts.targetBalanceLamports;
  }

  get address(): string {
    return this.publicKey.toBase58();
  }

  /**
   * Signs a versioned or legacy transaction in place. Ed25519 signatures are deterministic
   * (RFC 8032): node:crypto's are byte for byte web3.js's (test/wallets/keystore.test.ts).
   */
  sign(tx: VersionedTransaction | Transaction): void {
    if (tx instanceof VersionedTransaction) tx.addSignature(this.publicKey, ed25519Sign(null, tx.message.serialize(), this.#key));
    else tx.partialSign(this.#keypair);
  }

  toJSON(): Record<string, string> {
    return { name: this.name, tier: this.tier, address: this.address };
  }

  toString(): string {
    return `${this.name} (${this.tier}) ${this.address}`;
  }

  [inspect.custom](): string {
    return `WalletSigner { ${this.toString()} }`;
  }
}

function keyError(code: ErrorCode, message: string, context: Record<string, unknown>): SolrulesError {
  return new SolrulesError(code, message, context);
}

/** Decodes 64 key bytes from a JSON array or base58 text, checking the public half matches. Never echoes the input. */
export function keypairFromText(text: string, where: Record<string, unknown>): Keypair {
  const trimmed = text.trim();
  let bytes: Uint8Array | undefined;
  if (trimmed.startsWith('[')) {
    let parsed: unknown;
    try {
      parsed = JSON.parse(trimmed);
    } catch {
      throw keyError('WALLET_KEY_FORMAT', `key ${describe(where)} is not valid JSON; expected a JSON array of 64 numbers (solana-keygen format)`, where);
    }
    if (!Array.isArray(parsed) || parsed.length !== 64 || !parsed.every((b) => Number.isInteger(b) && b >= 0 && b <= 255)) {
      const length = Array.isArray(parsed) ? parsed.length : undefined;
      throw keyError('WALLET_KEY_FORMAT', `key ${describe(where)} must be a JSON array of 64 integers 0..255 (solana-keygen format)${length !== undefined ? `; found an array of ${length} elements` : ''}`, { ...where, ...(length !== undefined ? { length } : {}) });
    }
    bytes = Uint8Array.from(parsed as number[]);
  } else {
    try {
      bytes = bs58.decode(trimmed);
    } catch {
      throw keyError('WALLET_KEY_FORMAT', `key ${describe(where)} is neither a JSON array of 64 bytes nor base58 text`, where);
    }
    if (bytes.length !== 64) throw keyError('WALLET_KEY_FORMAT', `key ${describe(where)} decodes to ${bytes.length} bytes; a keypair is 64`, { ...where, length: bytes.length });
  }
  try {
    return Keypair.fromSecretKey(Uint8Array.from(bytes));
  } catch {
    throw keyError('WALLET_KEY_MISMATCH', `key ${describe(where)} is not a valid keypair: its public half does not match its secret half`, where);
  } finally {
    // The caller's copy is the Keypair's; wipe ours.
    bytes.fill(0);
  }
}

function describe(where: Record<string, unknown>): string {
  const who = where.wallet ? `of wallet '${String(where.wallet)}' ` : '';
  if (where.file) return `${who}in file ${String(where.file)}`;
  if (where.env) return `${who}in environment variable ${String(where.env)}`;
  return who.trim();
}

/** Expands `~/` and resolves relative paths against `baseDir` (the directory of wallets.yaml). */
export function keyFilePath(file: string, baseDir: string): string {
  if (file === '~' || file.startsWith('~/')) return resolve(homedir(), file.slice(2));
  return isAbsolute(file) ? file : resolve(baseDir, file);
}

/** Loads a keypair file, refusing one that group or others can read (as ssh does). */
export function loadKeypairFile(path: string, wallet?: string, written = path): Keypair {
  // A key pasted where its file's path belongs must not come back in the error that refuses it.
  if (looksLikeKeyMaterial(written) || looksLikeKeyMaterial(basename(path))) {
    throw keyError('WALLET_KEY_INLINE', `the key file path ${wallet ? `of wallet '${wallet}' ` : ''}looks like key material itself; wallets.yaml must name a file ({ file: path }) — remove it and rotate the key`, { ...(wallet ? { wallet } : {}), file: '<redacted>' });
  }
  const where = { ...(wallet ? { wallet } : {}), file: path };
  let mode: number;
  try {
    mode = statSync(path).mode;
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    throw keyError('WALLET_KEY_FILE_MISSING', `key file ${describe(where)} cannot be read (${code ?? 'error'})`, { ...where, cause: code });
  }
  if ((mode & 0o077) !== 0) {
    throw keyError(
      'WALLET_KEY_FILE_PERMISSIONS',
      `key file ${path} is readable or writable by group or others (mode ${(mode & 0o777).toString(8).padStart(4, '0')}); run chmod 600 ${path}`,
      { ...where, mode: (mode & 0o777).toString(8).padStart(4, '0'), expected: '0600' },
    );
  }
  const text = readFileSync(path, 'utf8');
  return keypairFromText(text, where);
}

/** Loads a key from an environment variable (JSON array of 64 bytes, or base58). */
export function loadKeypairEnv(name: string, env: NodeJS.ProcessEnv = process.env, wallet?: string): Keypair {
  const where = { ...(wallet ? { wallet } : {}), env: name };
  const value = env[name];
  if (value === undefined || value.trim() === '') throw keyError('WALLET_KEY_ENV_MISSING', `environment variable ${name} ${wallet ? `(wallet '${wallet}') ` : ''}is not set`, where);
  return keypairFromText(value, where);
}

const LAMPORTS_PER_SOL = 1_000_000_000n;

/** SOL (a decimal number from YAML) to lamports, exactly: the decimal text is scaled, not multiplied as a float. */
export function solToLamports(sol: number): bigint {
  const [whole, frac = ''] = String(sol).split('.');
  if (!/^\d+$/.test(whole!) || !/^\d*$/.test(frac) || frac.length > 9) throw new SolrulesError('WALLET_BAD_AMOUNT', `SOL amount ${sol} must be non-negative with at most 9 decimals`, { field: 'sol', value: sol });
  return BigInt(whole!) * LAMPORTS_PER_SOL + BigInt(frac.padEnd(9, '0'));
}

/** The loaded wallets of a wallets.yaml, by name. */
export class Keystore {
  private readonly wallets = new Map<string, WalletSigner>();

  add(wallet: WalletSigner): void {
    if (this.wallets.has(wallet.name)) throw new SolrulesError('WALLET_DUPLICATE', `wallet '${wallet.name}' is already loaded`, { wallet: wallet.name });
    this.wallets.set(wallet.name, wallet);
  }

  get(name: string): WalletSigner {
    const w = this.wallets.get(name);
    if (!w) throw new SolrulesError('WALLET_UNKNOWN', `no wallet named '${name}' is loaded`, { wallet: name, known: [...this.wallets.keys()] });
    return w;
  }

  byTier(tier: WalletTier): WalletSigner[] {
    return [...this.wallets.values()].filter((w) => w.tier === tier);
  }

  all(): WalletSigner[] {
    return [...this.wallets.values()];
  }

  get size(): number {
    return this.wallets.size;
  }

  /** Loads every wallet of a wallets.yaml; `baseDir` resolves relative key files. Checks a configured address against the key. */
  static load(cfg: WalletsConfig, opts: { baseDir: string; env?: NodeJS.ProcessEnv }): Keystore {
    const ks = new Keystore();
    for (const w of cfg.wallets) ks.add(loadWallet(w, opts));
    return ks;
  }
}

/** Loads one wallets.yaml entry. */
export function loadWallet(w: WalletConfig, opts: { baseDir: string; env?: NodeJS.ProcessEnv }): WalletSigner {
  const k = w.key;
  const keypair =
    'file' in k
      ? loadKeypairFile(keyFilePath(k.file, opts.baseDir), w.name, k.file)
      : 'env' in k
        ? loadKeypairEnv(k.env, opts.env, w.name)
        : loadKeypairCommand(k.keyCommand, { wallet: w.name, ...(k.timeoutMs !== undefined ? { timeoutMs: k.timeoutMs } : {}) });
  if (w.address && w.address !== keypair.publicKey.toBase58()) {
    throw new SolrulesError('WALLET_ADDRESS_MISMATCH', `wallet '${w.name}': the key's address is ${keypair.publicKey.toBase58()}, but wallets.yaml says ${w.address}`, { wallet: w.name, field: 'address', value: w.address, found: keypair.publicKey.toBase58() });
  }
  return new WalletSigner(w.name, w.tier, keypair, {
    ...(w.minBalanceSol !== undefined ? { minBalanceLamports: solToLamports(w.minBalanceSol) } : {}),
    ...(w.targetBalanceSol !== undefined ? { targetBalanceLamports: solToLamports(w.targetBalanceSol) } : {}),
  });
}
