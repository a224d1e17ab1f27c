/** Small helpers for the sandbox tests: building signed v0 transactions and waiting on conditions. */
import {
  Connection,
  Keypair,
  TransactionMessage,
  VersionedTransaction,
  type AddressLookupTableAccount,
  type TransactionInstruction,
} from '@solana/web3.js';
import type { Sandbox } from '../../sandbox/index.ts';
import { waitUntil } from '../support/wait.ts';

/** A signed v0 transaction over the sandbox's latest blockhash. */
export function v0(sb: Sandbox, payer: Keypair, ixs: TransactionInstruction[], signers: Keypair[] = [], luts: AddressLookupTableAccount[] = [], blockhash?: string): VersionedTransaction {
  const message = new TransactionMessage({ payerKey: payer.publicKey, recentBlockhash: blockhash ?? sb.latestBlockhash().blockhash, instructions: ixs }).compileToV0Message(luts);
  const tx = new VersionedTransaction(message);
  tx.sign([payer, ...signers]);
  return tx;
}

/** Resolves once `check()` is true; rejects after `timeoutMs`. */
export function waitFor(check: () => boolean | Promise<boolean>, timeoutMs = 3000, what = 'condition'): Promise<void> {
  return waitUntil(check, { what, timeoutMs });
}

/**
 * web3.js closes its WebSocket 500 ms after the last subscription is removed; waiting for that
 * before closing the sandbox keeps the client from reconnecting forever to a closed port.
 */
export async function webSocketsIdle(sb: Sandbox): Promise<void> {
  await waitFor(() => sb.stats().webSocketConnections === 0, 5000, 'web3.js to close its idle WebSocket');
}

/** A Connection on the sandbox with 'confirmed' commitment, as our executors use. */
export function connect(sb: Sandbox, opts: { disableRetryOnRateLimit?: boolean } = {}): Connection {
  return new Connection(sb.rpcUrl, { commitment: 'confirmed', disableRetryOnRateLimit: opts.disableRetryOnRateLimit ?? false });
}

/** POSTs one JSON-RPC request and returns the HTTP status, headers and parsed body. */
export async function rpc(url: string, method: string, params: unknown[] = []): Promise<{ status: number; headers: Headers; body: any }> {
  const res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ jsonrpc: '2.0', id: 1, method, params }) });
  const text = await res.text();
  let body: unknown = text;
  try {
    body = JSON.parse(text);
  } catch {
    // not JSON: leave the text for the assertion message
  }
  return { status: res.status, headers: res.headers, body };
}
