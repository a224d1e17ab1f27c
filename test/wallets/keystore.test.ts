/** Keystore: Solana CLI key files and env keys, refused when readable by others, never shown. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { chmodSync, mkdtempSync, writeFileSync } from 'node:fs';
import { homedir, tmpdir } from 'node:os';
import { join } from 'node:path';
import { inspect } from 'node:util';
import { Keypair, SystemProgram, TransactionMessage, VersionedTransaction } from '@solana/web3.js';
import bs58 from 'bs58';
import { createPublicKey, verify } from 'node:crypto';
import { isSolrulesError, type ErrorCode } from '../../engine/errors/index.ts';
import { Keystore, WorkerPool, keyFilePath, loadKeypairEnv, loadKeypairFile, solToLamports, type WalletSigner } from '../../engine/wallets/index.ts';

const dir = mkdtempSync(join(tmpdir(), 'solrules-keystore-'));

function keyFile(name: string, kp: Keypair, mode = 0o600, content?: string): string {
  const p = join(dir, name);
  writeFileSync(p, content ?? JSON.stringify(Array.from(kp.secretKey)));
  chmodSync(p, mode);
  return p;
}

/** Every printable form of a key (what must never appear anywhere). */
export function keyForms(kp: Keypair): string[] {
  const secret = Buffer.from(kp.secretKey);
  return [bs58.encode(secret), secret.toString('base64'), JSON.stringify(Array.from(secret)), Array.from(secret).join(', '), bs58.encode(secret.subarray(0, 32)), secret.subarray(0, 32).toString('base64'), secret.toString('hex')];
}

function assertNoKey(text: string, kp: Keypair, where: string): void {
  for (const form of keyForms(kp)) assert.equal(text.includes(form), false, `${where} contains key material`);
}

test('a solana-keygen file (JSON array of 64 bytes, mode 0600) loads; its signer signs', () => {
  const kp = Keypair.generate();
  const loaded = loadKeypairFile(keyFile('ok.json', kp));
  assert.equal(loaded.publicKey.toBase58(), kp.publicKey.toBase58());
  const ks = Keystore.load({ version: 1, wallets: [{ name: 'w', tier: 'worker', key: { file: 'ok.json' }, minBalanceSol: 0.05, targetBalanceSol: 0.5 }] }, { baseDir: dir });
  const w = ks.get('w');
  assert.equal(w.minBalanceLamports, 50_000_000n);
  assert.equal(w.targetBalanceLamports, 500_000_000n);
  const tx = new VersionedTransaction(new TransactionMessage({ payerKey: w.publicKey, recentBlockhash: bs58.encode(Buffer.alloc(32, 1)), instructions: [SystemProgram.transfer({ fromPubkey: w.publicKey, toPubkey: Keypair.generate().publicKey, lamports: 1 })] }).compileToV0Message());
  w.sign(tx);
  assert.ok(tx.signatures[0]!.some((b) => b !== 0));
  // node:crypto signs (fast path): byte for byte what web3.js's own signing gives, and it verifies.
  const ref = VersionedTransaction.deserialize(tx.serialize());
  ref.signatures[0] = new Uint8Array(64);
  ref.sign([kp]);
  assert.deepEqual(Buffer.from(tx.signatures[0]!), Buffer.from(ref.signatures[0]!));
  const pub = createPublicKey({ key: Buffer.concat([Buffer.from('302a300506032b6570032100', 'hex'), kp.publicKey.toBuffer()]), format: 'der', type: 'spki' });
  assert.ok(verify(null, tx.message.serialize(), pub, tx.signatures[0]!));
  // A transaction the wallet is not a signer of is refused, as web3.js refuses it.
  const other = Keypair.generate();
  const foreign = new VersionedTransaction(new TransactionMessage({ payerKey: other.publicKey, recentBlockhash: bs58.encode(Buffer.alloc(32, 1)), instructions: [SystemProgram.transfer({ fromPubkey: other.publicKey, toPubkey: other.publicKey, lamports: 1 })] }).compileToV0Message());
  assert.throws(() => w.sign(foreign));
});

test('key files readable or writable by group or others are refused, as ssh does', () => {
  const kp = Keypair.generate();
  for (const mode of [0o644, 0o640, 0o604, 0o660, 0o666]) {
    const p = keyFile(`open-${mode.toString(8)}.json`, kp, mode);
    assert.throws(() => loadKeypairFile(p, 'worker-1'), (err: unknown) => {
      assert.ok(isSolrulesError(err, 'WALLET_KEY_FILE_PERMISSIONS'));
      assert.match(err.message, new RegExp(`mode 0${mode.toString(8)}.*chmod 600`));
      assert.equal(err.context.wallet, 'worker-1');
      assertNoKey(err.message + JSON.stringify(err.toJSON()), kp, 'error');
      return true;
    });
  }
  assert.doesNotThrow(() => loadKeypairFile(keyFile('owner-only.json', kp, 0o400)));
});

test('bad key files get clear errors that never echo the content', () => {
  const kp = Keypair.generate();
  const secret = Array.from(kp.secretKey);
  const cases: [string, string, ErrorCode][] = [
    ['short.json', JSON.stringify(secret.slice(0, 32)), 'WALLET_KEY_FORMAT'],
    ['not-json.json', `[${secret.join(',')}`, 'WALLET_KEY_FORMAT'],
    ['out-of-range.json', JSON.stringify([...secret.slice(0, 63), 256]), 'WALLET_KEY_FORMAT'],
    ['mismatch.json', JSON.stringify([...secret.slice(0, 32), ...Array.from(Keypair.generate().publicKey.toBytes())]), 'WALLET_KEY_MISMATCH'],
  ];
  for (const [name, content, code] of cases) {
    const p = keyFile(name, kp, 0o600, content);
    assert.throws(() => loadKeypairFile(p), (err: unknown) => {
      assert.ok(isSolrulesError(err, code), `${name}: ${String(err)}`);
      assert.ok(err.message.includes(p), 'names the file');
      assertNoKey(err.message + JSON.stringify(err.toJSON()) + inspect(err), kp, `${name} error`);
      assert.equal(err.message.includes(content.slice(1, 20)), false);
      return true;
    });
  }
  assert.throws(() => loadKeypairFile(join(dir, 'missing.json')), (err: unknown) => isSolrulesError(err, 'WALLET_KEY_FILE_MISSING'));
});

test('env keys: JSON array or base58; unset is a clear error naming the variable', () => {
  const kp = Keypair.generate();
  assert.equal(loadKeypairEnv('K', { K: JSON.stringify(Array.from(kp.secretKey)) }).publicKey.toBase58(), kp.publicKey.toBase58());
  assert.equal(loadKeypairEnv('K', { K: bs58.encode(kp.secretKey) }).publicKey.toBase58(), kp.publicKey.toBase58());
  assert.throws(() => loadKeypairEnv('NOPE', {}, 'treasure'), (err: unknown) => isSolrulesError(err, 'WALLET_KEY_ENV_MISSING') && /NOPE \(wallet 'treasure'\)/.test(err.message));
  assert.throws(() => loadKeypairEnv('K', { K: bs58.encode(kp.secretKey.subarray(0, 40)) }), (err: unknown) => isSolrulesError(err, 'WALLET_KEY_FORMAT') && /40 bytes/.test(err.message));
});

test('a configured address that does not match the key is refused', () => {
  const kp = Keypair.generate();
  keyFile('addr.json', kp);
  const other = Keypair.generate().publicKey.toBase58();
  assert.throws(
    () => Keystore.load({ version: 1, wallets: [{ name: 'c', tier: 'controller', address: other, key: { file: 'addr.json' } }] }, { baseDir: dir }),
    (err: unknown) => isSolrulesError(err, 'WALLET_ADDRESS_MISMATCH') && err.message.includes(other),
  );
});

test('a loaded wallet shows its name, tier and address only: JSON, inspect, template strings, logs', () => {
  const kp = Keypair.generate();
  keyFile('show.json', kp);
  const w = Keystore.load({ version: 1, wallets: [{ name: 'w', tier: 'worker', key: { file: 'show.json' } }] }, { baseDir: dir }).get('w');
  const shown = [JSON.stringify(w), JSON.stringify({ nested: { w } }), inspect(w, { depth: 10, showHidden: true }), `${w}`, inspect({ w }, { depth: 10 }), String(Object.entries(w))];
  for (const text of shown) assertNoKey(text, kp, 'wallet rendering');
  assert.deepEqual(JSON.parse(JSON.stringify(w)), { name: 'w', tier: 'worker', address: kp.publicKey.toBase58() });
  assert.equal(Object.keys(w).some((k) => /secret|key/i.test(k) && k !== 'publicKey'), false);
});

test('key paths: ~ expands to the home directory, relative paths resolve beside wallets.yaml', () => {
  assert.equal(keyFilePath('~/k.json', '/x'), join(homedir(), 'k.json'));
  assert.equal(keyFilePath('k.json', '/etc/solrules'), '/etc/solrules/k.json');
  assert.equal(keyFilePath('/abs/k.json', '/x'), '/abs/k.json');
  assert.equal(solToLamports(0.05), 50_000_000n);
  assert.equal(solToLamports(1.000000001), 1_000_000_001n);
  assert.throws(() => solToLamports(0.0000000001));
});

function worker(name: string): WalletSigner {
  keyFile(`${name}.json`, Keypair.generate());
  return Keystore.load({ version: 1, wallets: [{ name, tier: 'worker', key: { file: `${name}.json` }, minBalanceSol: 0.1 }] }, { baseDir: dir }).get(name);
}

test('worker selection: a free, funded worker per order, held until released; none free is a clear error', async () => {
  const [a, b, c] = [worker('wa'), worker('wb'), worker('wc')];
  const funds = new Map([[a.address, 1_000_000_000n], [b.address, 50_000_000n], [c.address, 1_000_000_000n]]);
  const pool = new WorkerPool([a, b, c], { getBalance: async (addr) => funds.get(addr)! });
  const l1 = await pool.acquire('o1', 10_000_000n);
  const l2 = await pool.acquire('o2', 10_000_000n);
  assert.deepEqual([l1.wallet.name, l2.wallet.name], ['wa', 'wc'], 'wb is below its minimum plus the need');
  assert.equal((await pool.acquire('o1', 10_000_000n)).wallet.name, 'wa', 'the same order keeps its wallet');
  await assert.rejects(pool.acquire('o3', 10_000_000n), (err: unknown) => isSolrulesError(err, 'WALLET_NO_FREE_WORKER') && /2 held by other orders, 1 below/.test(err.message));
  pool.release('o1');
  assert.equal((await pool.acquire('o3', 10_000_000n)).wallet.name, 'wa');
  // Two orders racing for the last free wallet: exactly one gets it.
  pool.release('o3');
  const race = await Promise.allSettled([pool.acquire('r1', 1n), pool.acquire('r2', 1n)]);
  assert.equal(race.filter((r) => r.status === 'fulfilled').length, 1);
  assert.throws(() => pool.hold('x', a.address), (err: unknown) => isSolrulesError(err, 'WALLET_HELD'));
});
