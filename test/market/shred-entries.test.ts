/** Shredstream entry decoding: web3.js-built transactions read back exactly; mutated bytes give only typed errors. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Keypair, VersionedTransaction } from '@solana/web3.js';
import bs58 from 'bs58';
import { decodeEntries } from '../../engine/market/index.ts';
import { isSolrulesError } from '../../engine/errors/index.ts';
import { encodeEntries, legacyTx, v0Tx } from './shred-support.ts';

const key = () => Keypair.generate().publicKey.toBase58();

test('legacy and v0 transactions: signature, static keys and table lookups as web3.js reads them', () => {
  const program = key();
  const pool = key();
  const vaultA = key();
  const vaultB = key();
  const table = { key: key(), addresses: [key(), vaultB, key(), pool] };
  const txs = [legacyTx(program, [pool, vaultA]), v0Tx(program, [pool, vaultA, vaultB], table), v0Tx(program, [vaultA])];
  const entries = decodeEntries(encodeEntries([{ transactions: txs.slice(0, 2) }, { transactions: [] }, { numHashes: 7n, transactions: txs.slice(2) }]));
  assert.equal(entries.length, 3);
  assert.equal(entries[2]!.numHashes, 7n);
  const decoded = entries.flatMap((e) => e.transactions);
  assert.equal(decoded.length, 3);
  txs.forEach((bytes, i) => {
    const ref = VersionedTransaction.deserialize(bytes);
    const got = decoded[i]!;
    assert.equal(got.signature, bs58.encode(ref.signatures[0]!));
    assert.equal(got.version, ref.version);
    assert.deepEqual(got.accountKeys, ref.message.staticAccountKeys.map((k) => k.toBase58()));
    assert.deepEqual(
      got.lookups,
      ref.message.addressTableLookups.map((l) => ({ table: l.accountKey.toBase58(), writableIndexes: [...l.writableIndexes], readonlyIndexes: [...l.readonlyIndexes] })),
    );
  });
  // The v0 transaction reached the pool and vault B only through the table.
  assert.ok(!decoded[1]!.accountKeys.includes(pool));
  assert.deepEqual(decoded[1]!.lookups[0]!.writableIndexes.map((i) => table.addresses[i]).sort(), [pool, vaultB].sort());
});

test('fuzz: truncated and mutated entry bytes never crash, only SCAN_SHRED_DECODE', () => {
  const n = process.env.SOLRULES_FULL ? 100_000 : 20_000;
  const program = key();
  const base = encodeEntries([{ transactions: [legacyTx(program, [key(), key()]), v0Tx(program, [key(), key()], { key: key(), addresses: [key(), key()] })] }]);
  let seed = Number(process.env.SOLRULES_SEED ?? 99);
  const rand = () => ((seed = (seed * 1103515245 + 12345) >>> 0) / 2 ** 32);
  let decoded = 0;
  for (let i = 0; i < n; i++) {
    let bytes = Uint8Array.from(base);
    const kind = i % 3;
    if (kind === 0) bytes = bytes.subarray(0, Math.floor(rand() * bytes.length));
    else {
      const flips = 1 + Math.floor(rand() * 4);
      for (let f = 0; f < flips; f++) bytes[Math.floor(rand() * bytes.length)] = Math.floor(rand() * 256);
      if (kind === 2) bytes = Uint8Array.from([...bytes, ...Array.from({ length: Math.floor(rand() * 9) }, () => 0)]);
    }
    try {
      decodeEntries(bytes);
      decoded++;
    } catch (err) {
      assert.ok(isSolrulesError(err, 'SCAN_SHRED_DECODE'), `case ${i}: ${err}`);
      assert.equal(typeof err.context.offset, 'number');
    }
  }
  assert.ok(decoded > 0 && decoded < n, `${decoded} of ${n} decoded: both outcomes exercised`);
});
