/**
 * simulateTransaction's replaceRecentBlockhash patches the blockhash in the wire bytes: the result
 * must be what web3.js gives by deserializing, setting the blockhash and serializing again, for
 * legacy and v0 messages (with address lookups), one or several signatures.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { AddressLookupTableAccount, Keypair, PublicKey, SystemProgram, Transaction, TransactionMessage, VersionedTransaction } from '@solana/web3.js';
import bs58 from 'bs58';
import { withRecentBlockhash } from '../../sandbox/chain.ts';

const payer = Keypair.generate();
const cosigner = Keypair.generate();
const oldHash = bs58.encode(Buffer.alloc(32, 7));
const newHash = bs58.encode(Buffer.alloc(32, 42));
const recipients = Array.from({ length: 60 }, () => Keypair.generate().publicKey);
const transfers = (n: number) => recipients.slice(0, n).map((to, i) => SystemProgram.transfer({ fromPubkey: payer.publicKey, toPubkey: to, lamports: i + 1 }));

function web3Replaced(bytes: Uint8Array): Uint8Array {
  const tx = VersionedTransaction.deserialize(bytes);
  tx.message.recentBlockhash = newHash;
  return tx.serialize();
}

test('legacy message, one signature and two, few and many account keys', () => {
  for (const n of [1, 12]) {
    for (const signers of [[payer], [payer, cosigner]]) {
      const ixs = transfers(n);
      if (signers.length === 2) ixs.push(SystemProgram.transfer({ fromPubkey: cosigner.publicKey, toPubkey: payer.publicKey, lamports: 1 }));
      const tx = new Transaction({ feePayer: payer.publicKey, recentBlockhash: oldHash }).add(...ixs);
      tx.sign(...signers);
      const bytes = tx.serialize({ verifySignatures: false });
      const original = Buffer.from(bytes);
      const patched = withRecentBlockhash(bytes, bs58.decode(newHash));
      assert.deepEqual(Buffer.from(patched), Buffer.from(web3Replaced(bytes)), `${n} transfers, ${signers.length} signer(s)`);
      assert.equal(VersionedTransaction.deserialize(patched).message.recentBlockhash, newHash);
      assert.deepEqual(Buffer.from(bytes), original, 'the input is left as it was');
    }
  }
});

test('v0 message with address lookups', () => {
  const table = new AddressLookupTableAccount({ key: new PublicKey(Buffer.alloc(32, 3)), state: { deactivationSlot: BigInt('18446744073709551615'), lastExtendedSlot: 0, lastExtendedSlotStartIndex: 0, authority: undefined, addresses: recipients } });
  const message = new TransactionMessage({ payerKey: payer.publicKey, recentBlockhash: oldHash, instructions: transfers(40) }).compileToV0Message([table]);
  assert.ok(message.addressTableLookups.length === 1, 'the recipients come from the table');
  const tx = new VersionedTransaction(message);
  tx.sign([payer]);
  const bytes = tx.serialize();
  const patched = withRecentBlockhash(bytes, bs58.decode(newHash));
  assert.deepEqual(Buffer.from(patched), Buffer.from(web3Replaced(bytes)));
  assert.equal(VersionedTransaction.deserialize(patched).message.recentBlockhash, newHash);
});
