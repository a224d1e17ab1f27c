/**
 * Shredstream test material: transactions built and signed with web3.js, framed the way a
 * shredstream proxy sends them (bincode of Vec<solana_entry::Entry>: u64 count, then per entry
 * u64 num_hashes, 32-byte hash, u64 transaction count and each transaction in wire format), a
 * lookup-table account in the program's layout, and a loopback gRPC ShredstreamProxy of the test's own.
 */
import * as grpc from '@grpc/grpc-js';
import {
  AddressLookupTableAccount,
  Keypair,
  PublicKey,
  Transaction,
  TransactionInstruction,
  TransactionMessage,
  VersionedTransaction,
} from '@solana/web3.js';
import { randomBytes } from 'node:crypto';
import bs58 from 'bs58';
import { shredstreamProxyService } from '../../engine/market/index.ts';

export const ALT_PROGRAM_ID = 'AddressLookupTab1e1111111111111111111111111';

function u64(n: bigint): Uint8Array {
  const b = new Uint8Array(8);
  new DataView(b.buffer).setBigUint64(0, n, true);
  return b;
}

/** bincode of Vec<Entry> from wire-format transactions. */
export function encodeEntries(entries: { numHashes?: bigint; transactions: Uint8Array[] }[]): Buffer {
  const parts: Uint8Array[] = [u64(BigInt(entries.length))];
  for (const e of entries) {
    parts.push(u64(e.numHashes ?? 12_500n), randomBytes(32), u64(BigInt(e.transactions.length)), ...e.transactions);
  }
  return Buffer.concat(parts);
}

const blockhash = () => bs58.encode(randomBytes(32));

/** A signed legacy transaction with one instruction of `program` over `keys`. */
export function legacyTx(program: string, keys: string[]): Uint8Array {
  const payer = Keypair.generate();
  const tx = new Transaction({ feePayer: payer.publicKey, recentBlockhash: blockhash() });
  tx.add(new TransactionInstruction({ programId: new PublicKey(program), keys: keys.map((k) => ({ pubkey: new PublicKey(k), isSigner: false, isWritable: true })), data: Buffer.from([9, 1, 2, 3]) }));
  tx.sign(payer);
  return tx.serialize();
}

/** A signed v0 transaction whose keys found in `table` are loaded through it. */
export function v0Tx(program: string, keys: string[], table?: { key: string; addresses: string[] }): Uint8Array {
  const payer = Keypair.generate();
  const ix = new TransactionInstruction({ programId: new PublicKey(program), keys: keys.map((k) => ({ pubkey: new PublicKey(k), isSigner: false, isWritable: true })), data: Buffer.from([9]) });
  const luts = table
    ? [new AddressLookupTableAccount({ key: new PublicKey(table.key), state: { deactivationSlot: 2n ** 64n - 1n, lastExtendedSlot: 0, lastExtendedSlotStartIndex: 0, authority: undefined, addresses: table.addresses.map((a) => new PublicKey(a)) } })]
    : [];
  const message = new TransactionMessage({ payerKey: payer.publicKey, recentBlockhash: blockhash(), instructions: [ix] }).compileToV0Message(luts);
  const tx = new VersionedTransaction(message);
  tx.sign([payer]);
  return tx.serialize();
}

/** Account data of an active address lookup table (56-byte header, then the addresses). */
export function lookupTableData(addresses: string[]): Uint8Array {
  const data = new Uint8Array(56 + 32 * addresses.length);
  const view = new DataView(data.buffer);
  view.setUint32(0, 1, true); // LookupTable
  view.setBigUint64(4, 2n ** 64n - 1n, true); // never deactivated
  addresses.forEach((a, i) => data.set(new PublicKey(a).toBytes(), 56 + 32 * i));
  return data;
}

/** A ShredstreamProxy on a loopback port: tests push entries to every subscriber. */
export class FakeShredstreamProxy {
  readonly server = new grpc.Server();
  readonly calls = new Set<grpc.ServerWritableStream<object, { slot: string; entries: Buffer }>>();
  subscriptions = 0;
  address = '';

  async start(): Promise<this> {
    this.server.addService(shredstreamProxyService().service, {
      SubscribeEntries: (call: grpc.ServerWritableStream<object, { slot: string; entries: Buffer }>) => {
        this.subscriptions += 1;
        this.calls.add(call);
        call.on('cancelled', () => this.calls.delete(call));
        call.on('close', () => this.calls.delete(call));
      },
    });
    const port = await new Promise<number>((resolve, reject) => this.server.bindAsync('127.0.0.1:0', grpc.ServerCredentials.createInsecure(), (err, p) => (err ? reject(err) : resolve(p))));
    this.address = `127.0.0.1:${port}`;
    return this;
  }

  push(slot: number, entries: Buffer): void {
    for (const call of this.calls) call.write({ slot: String(slot), entries });
  }

  /** Ends every open stream (a proxy restart, from the client's side). */
  endStreams(): void {
    for (const call of this.calls) call.end();
    this.calls.clear();
  }

  async close(): Promise<void> {
    this.endStreams();
    await new Promise<void>((resolve) => this.server.tryShutdown(() => resolve()));
  }
}
