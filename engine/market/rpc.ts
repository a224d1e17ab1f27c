/**
 * JSON-RPC reads through web3.js: batched getMultipleAccounts (at most 100 keys a call, as the
 * RPC allows) and getProgramAccounts with filters, as `AccountUpdate`s.
 */
import { PublicKey, type AccountInfo, type Connection, type GetProgramAccountsFilter } from '@solana/web3.js';
import type { AccountSnapshot } from '../accounts/index.ts';
import { SolrulesError } from '../errors/index.ts';
import type { AccountFilter, Commitment, ProgramWatch } from './config.ts';
import type { AccountUpdate } from './source.ts';

export const SYSTEM_PROGRAM_ID = '11111111111111111111111111111111';
export const MAX_KEYS_PER_CALL = 100;

/** An account as a snapshot; `null` (no such account) becomes an empty System-owned account. */
export function toSnapshot(address: string, info: AccountInfo<Buffer> | null, slot: number): AccountSnapshot {
  if (!info) return { address, owner: SYSTEM_PROGRAM_ID, data: new Uint8Array(0), lamports: 0n, executable: false, rentEpoch: null, slot };
  return {
    address,
    owner: info.owner.toBase58(),
    data: new Uint8Array(info.data.buffer, info.data.byteOffset, info.data.byteLength),
    lamports: BigInt(info.lamports),
    executable: info.executable,
    // web3.js reads rentEpoch as a JS number: u64::MAX does not survive, so keep only exact values.
    rentEpoch: info.rentEpoch !== undefined && Number.isSafeInteger(info.rentEpoch) ? BigInt(info.rentEpoch) : null,
    slot,
  };
}

export function web3Filters(filters: readonly AccountFilter[]): GetProgramAccountsFilter[] {
  return filters.map((f) => ('dataSize' in f ? { dataSize: f.dataSize } : { memcmp: { offset: f.memcmp.offset, bytes: f.memcmp.bytes } }));
}

/**
 * The one place a web3.js failure is classified: web3.js gives only text, so the HTTP status and
 * a timeout are read from it here, at the boundary, into typed context that the rest reads.
 */
export function rpcFailureContext(err: unknown): { status?: number; timeout?: true } {
  const text = String((err as Error)?.message ?? err);
  const status = /\b(429|5\d\d)\b/.exec(text)?.[1];
  return { ...(status ? { status: Number(status) } : {}), ...(/timed? ?out/i.test(text) ? { timeout: true as const } : {}) };
}

function rpcError(what: string, err: unknown, context: Record<string, unknown>): SolrulesError<'SCAN_RPC_FAILED'> {
  return new SolrulesError('SCAN_RPC_FAILED', `${what} failed: ${(err as Error)?.message ?? err}`, { ...context, ...rpcFailureContext(err) }, { cause: err });
}

/** Reads accounts in batches of at most `batchSize` (≤ 100) keys; the result's slot is the oldest batch's. */
export async function fetchAccounts(connection: Connection, addresses: readonly string[], opts: { commitment: Commitment; batchSize?: number; via?: AccountUpdate['via']; now?: () => number }): Promise<{ slot: number | undefined; updates: AccountUpdate[] }> {
  const size = Math.min(opts.batchSize ?? MAX_KEYS_PER_CALL, MAX_KEYS_PER_CALL);
  const batches: string[][] = [];
  for (let i = 0; i < addresses.length; i += size) batches.push(addresses.slice(i, i + size));
  const now = opts.now ?? Date.now;
  const results = await Promise.all(
    batches.map(async (batch) => {
      try {
        return { batch, res: await connection.getMultipleAccountsInfoAndContext(batch.map((a) => new PublicKey(a)), { commitment: opts.commitment }) };
      } catch (err) {
        throw rpcError('getMultipleAccounts', err, { keys: batch.length });
      }
    }),
  );
  let slot: number | undefined;
  const updates: AccountUpdate[] = [];
  for (const { batch, res } of results) {
    const s = res.context.slot;
    slot = slot === undefined ? s : Math.min(slot, s);
    const receivedAt = now();
    batch.forEach((address, i) => updates.push({ address, account: toSnapshot(address, res.value[i] ?? null, s), slot: s, receivedAt, via: opts.via ?? 'poll' }));
  }
  return { slot, updates };
}

/** Reads every account of a program matching its filters. */
export async function fetchProgramAccounts(connection: Connection, program: ProgramWatch, opts: { commitment: Commitment; via?: AccountUpdate['via']; now?: () => number }): Promise<{ slot: number; updates: AccountUpdate[] }> {
  try {
    const res = await connection.getProgramAccounts(new PublicKey(program.programId), { commitment: opts.commitment, filters: web3Filters(program.filters), withContext: true });
    const slot = res.context.slot;
    const receivedAt = (opts.now ?? Date.now)();
    return {
      slot,
      updates: res.value.map(({ pubkey, account }) => {
        const address = pubkey.toBase58();
        return { address, account: toSnapshot(address, account, slot), slot, receivedAt, via: opts.via ?? 'poll', programId: program.programId };
      }),
    };
  } catch (err) {
    throw rpcError('getProgramAccounts', err, { programId: program.programId });
  }
}
