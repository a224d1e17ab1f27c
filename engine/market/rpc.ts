/**
 * JSON-RPC reads of accounts: the one batched `getMultipleAccounts` reader (at most 100 keys a
 * call, as the RPC allows; a few calls in flight; each call retried; every call counted) that
 * the initializer, the scanners' start / flush / resync and the polling source share, and
 * getProgramAccounts with filters, as `AccountSnapshot`s / `AccountUpdate`s.
 *
 * getMultipleAccounts is spoken directly (HTTP keep-alive, the answer parsed without its account
 * data, which is base64-decoded from the body's bytes): web3.js validates every field of a ~1 MB
 * answer with superstruct and turns each owner into a PublicKey and back, which cost several times
 * the call itself. Bytes equal to what the caller already holds
 * (`known`) are not copied again: the held array is handed back, so an unchanged account costs no
 * memory and compares as the same object downstream.
 */
import { isAscii } from 'node:buffer';
import { Agent as HttpAgent, request as httpRequest } from 'node:http';
import { Agent as HttpsAgent, request as httpsRequest } from 'node:https';
import { Connection, PublicKey, type AccountInfo, type GetProgramAccountsFilter } from '@solana/web3.js';
import type { AccountSnapshot } from '../accounts/index.ts';
import { SolrulesError } from '../errors/index.ts';
import type { AccountFilter, Commitment, ProgramWatch } from './config.ts';
import type { AccountUpdate } from './source.ts';

export const SYSTEM_PROGRAM_ID = '11111111111111111111111111111111';
export const MAX_KEYS_PER_CALL = 100;
/** A call that has not answered in this long fails (typed `timeout`), so a stuck RPC cannot hang a read. */
export const RPC_TIMEOUT_MS = 30_000;

const NO_DATA = new Uint8Array(0);

/** An account as a snapshot; `null` (no such account) becomes an empty System-owned account. */
export function toSnapshot(address: string, info: AccountInfo<Buffer> | null, slot: number): AccountSnapshot {
  if (!info) return { address, owner: SYSTEM_PROGRAM_ID, data: NO_DATA, lamports: 0n, executable: false, rentEpoch: null, slot };
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
  if (err instanceof SolrulesError && err.code === 'SCAN_RPC_FAILED') return err.context as { status?: number; timeout?: true };
  const text = String((err as Error)?.message ?? err);
  const status = /\b(429|5\d\d)\b/.exec(text)?.[1];
  return { ...(status ? { status: Number(status) } : {}), ...(/timed? ?out/i.test(text) ? { timeout: true as const } : {}) };
}

function rpcError(what: string, err: unknown, context: Record<string, unknown>): SolrulesError<'SCAN_RPC_FAILED'> {
  if (err instanceof SolrulesError && err.code === 'SCAN_RPC_FAILED') return new SolrulesError('SCAN_RPC_FAILED', `${what} failed: ${err.message}`, { ...context, ...err.context }, { cause: err });
  return new SolrulesError('SCAN_RPC_FAILED', `${what} failed: ${(err as Error)?.message ?? err}`, { ...context, ...rpcFailureContext(err) }, { cause: err });
}

/** The snapshot the caller holds for an address (its bytes are reused when the chain's are the same). */
export type KnownAccount = (address: string) => AccountSnapshot | undefined;

/** One getMultipleAccounts answer: a snapshot per key, in key order, as of `slot`. */
export interface AccountsAnswer {
  slot: number;
  accounts: AccountSnapshot[];
}

/** Bytes of base64 decoded to compare with what is held, reused from call to call (decoding is synchronous). */
let scratch = Buffer.alloc(64 * 1024);

/** An account's data from its base64: the held array when the bytes are the same, else a fresh array of its own. */
function decodeData(base64: string, held: Uint8Array | undefined, address: string): Uint8Array {
  const length = Buffer.byteLength(base64, 'base64');
  if (length === 0) return NO_DATA;
  if (held && held.length === length) {
    if (scratch.length < length) scratch = Buffer.alloc(Math.max(length, scratch.length * 2));
    const written = scratch.write(base64, 0, 'base64');
    if (written !== length) throw malformed(address, 'data', 'is not valid base64');
    if (scratch.compare(held, 0, length, 0, length) === 0) return held;
    return new Uint8Array(scratch.subarray(0, length));
  }
  // Own memory (not a slice of Node's shared 8 KB pool, which one long-lived account would pin).
  const out = new Uint8Array(length);
  if (Buffer.from(out.buffer, 0, length).write(base64, 0, 'base64') !== length) throw malformed(address, 'data', 'is not valid base64');
  return out;
}

function malformed(address: string, field: string, what: string): SolrulesError<'SCAN_RPC_FAILED'> {
  return new SolrulesError('SCAN_RPC_FAILED', `getMultipleAccounts answered malformed account ${address}: ${field} ${what}`, { account: address, field });
}

interface WireAccount {
  data: [string, string];
  owner: string;
  lamports: number;
  executable: boolean;
  rentEpoch?: number;
}

function snapshotOf(address: string, wire: WireAccount | null, slot: number, held: AccountSnapshot | undefined, answer: JsonAnswer): AccountSnapshot {
  if (wire === null) return { address, owner: SYSTEM_PROGRAM_ID, data: NO_DATA, lamports: 0n, executable: false, rentEpoch: null, slot };
  if (typeof wire !== 'object' || !Array.isArray(wire.data) || typeof wire.data[0] !== 'string' || wire.data[1] !== 'base64') throw malformed(address, 'data', 'is not [base64, "base64"]');
  if (typeof wire.owner !== 'string') throw malformed(address, 'owner', 'is not a string');
  if (typeof wire.lamports !== 'number' || !Number.isInteger(wire.lamports)) throw malformed(address, 'lamports', 'is not an integer');
  const data = decodeData(answer.string(wire.data[0]), held?.data, address);
  return {
    address,
    owner: held?.owner === wire.owner ? held.owner : wire.owner,
    data,
    lamports: BigInt(wire.lamports),
    executable: wire.executable === true,
    // A JSON number: u64::MAX (the usual rent epoch) does not survive, so keep only exact values.
    rentEpoch: typeof wire.rentEpoch === 'number' && Number.isSafeInteger(wire.rentEpoch) ? BigInt(wire.rentEpoch) : null,
    slot,
  };
}

/** Strings at least this long are left out of the text JSON.parse reads, and decoded from the body's bytes. */
const LONG_STRING = 512;

/** `body[from, to)` as text: a one-byte copy when the body is ASCII (base64 answers are), UTF-8 otherwise (cuts fall on ASCII quotes). */
function textOf(body: Buffer, ascii: boolean, from: number, to: number): string {
  return body.toString(ascii ? 'latin1' : 'utf8', from, to);
}

/** Whether the quote at `at` is escaped (an odd run of backslashes before it). */
function escapedQuote(body: Buffer, at: number): boolean {
  let n = 0;
  while (at - 1 - n >= 0 && body[at - 1 - n] === 0x5c) n++;
  return n % 2 === 1;
}

/**
 * A JSON answer parsed without making its long strings (account data) into JS strings first: one
 * ~1 MB string per answer costs more than the rest of the call (a large-object allocation and its
 * page faults). Each long string becomes a marker ("\u0000" and its number) in the text parsed; its
 * bytes stay in the body for `longString` to decode.
 */
class JsonAnswer {
  readonly value: unknown;
  private readonly ascii: boolean;
  private readonly spans: number[] = [];

  constructor(private readonly body: Buffer) {
    this.ascii = isAscii(body);
    const parts: string[] = [];
    let from = 0;
    let at = 0;
    for (;;) {
      const open = body.indexOf(0x22, at);
      if (open < 0) break;
      let close = open;
      do {
        close = body.indexOf(0x22, close + 1);
        if (close < 0) throw new SyntaxError('unterminated string');
      } while (escapedQuote(body, close));
      if (close - open - 1 >= LONG_STRING) {
        parts.push(textOf(body, this.ascii, from, open), `"\\u0000${this.spans.length / 2}"`);
        this.spans.push(open + 1, close);
        from = close + 1;
      }
      at = close + 1;
    }
    parts.push(textOf(body, this.ascii, from, body.length));
    this.value = JSON.parse(parts.join(''));
  }

  /** A string of the answer: a long one's marker read back from the body, a short one as is (only where a NUL cannot start a real value: base64, messages). */
  string(value: string): string {
    if (value.charCodeAt(0) !== 0) return value; // a short string kept inline
    const k = Number(value.slice(1));
    const from = this.spans[2 * k]!;
    const to = this.spans[2 * k + 1]!;
    // An escape inside (a server writing "\/"): let JSON read the string; base64 has none otherwise.
    return this.body.indexOf(0x5c, from) >= 0 && this.body.indexOf(0x5c, from) < to ? (JSON.parse(textOf(this.body, this.ascii, from - 1, to + 1)) as string) : textOf(this.body, this.ascii, from, to);
  }
}

const agents = { http: new HttpAgent({ keepAlive: true }), https: new HttpsAgent({ keepAlive: true }) };

/**
 * Answer bodies are read into buffers reused from call to call (at most one per call in flight is
 * kept). A poll of 1,000 pools reads ~115 MB of answers: a fresh buffer for each answer (its
 * chunks joined) left tens of MB of dead ArrayBuffers waiting for each GC, and, once freed, holes
 * in the C heap that the process's resident memory kept.
 */
const BODIES_KEPT = 8;
const bodies: Buffer[] = [];

/** A body buffer from the pool (or a new one); give it back with `releaseBody` once nothing reads it. */
function takeBody(): Buffer {
  return bodies.pop() ?? Buffer.allocUnsafeSlow(64 * 1024);
}

function releaseBody(buffer: Buffer): void {
  if (bodies.length < BODIES_KEPT) bodies.push(buffer);
}

/** A POST's answer: `bytes` is a view of a pooled buffer, valid until `release()`. */
interface Posted {
  status: number;
  statusText: string;
  bytes: Buffer;
  release(): void;
}

/** POSTs a JSON-RPC body; resolves the status and the answer's bytes (in a pooled buffer: call `release` when done with them). */
function post(endpoint: string, body: string, timeoutMs: number): Promise<Posted> {
  return new Promise((resolve, reject) => {
    const url = new URL(endpoint);
    const secure = url.protocol === 'https:';
    const req = (secure ? httpsRequest : httpRequest)(url, { method: 'POST', agent: secure ? agents.https : agents.http, headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) } }, (res) => {
      let buffer = takeBody();
      let length = 0;
      res.on('data', (c: Buffer) => {
        if (length + c.length > buffer.length) {
          const bigger = Buffer.allocUnsafeSlow(Math.max(buffer.length * 2, length + c.length));
          buffer.copy(bigger, 0, 0, length);
          buffer = bigger; // the smaller one is dropped: a buffer grows to the largest answer once
        }
        length += c.copy(buffer, length);
      });
      res.on('end', () => {
        const held = buffer;
        resolve({ status: res.statusCode ?? 0, statusText: res.statusMessage ?? '', bytes: held.subarray(0, length), release: () => releaseBody(held) });
      });
      res.on('error', reject);
    });
    req.setTimeout(timeoutMs, () => req.destroy(new SolrulesError('SCAN_RPC_FAILED', `no answer from ${url.origin} within ${timeoutMs} ms`, { timeout: true })));
    req.on('error', reject);
    req.end(body);
  });
}

/** One getMultipleAccounts call (≤ 100 keys) over HTTP JSON-RPC; `SCAN_RPC_FAILED` (with `status` / `timeout`) when it fails. */
async function getMultipleAccountsJson(endpoint: string, addresses: readonly string[], commitment: Commitment, known: KnownAccount | undefined, timeoutMs: number): Promise<AccountsAnswer> {
  const request = JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'getMultipleAccounts', params: [addresses, { encoding: 'base64', commitment }] });
  let res: Posted;
  try {
    res = await post(endpoint, request, timeoutMs);
  } catch (err) {
    if (err instanceof SolrulesError) throw err;
    throw new SolrulesError('SCAN_RPC_FAILED', String((err as Error)?.message ?? err), {}, { cause: err });
  }
  // Everything read from the body is copied out (strings, account bytes) before its buffer goes back to the pool.
  try {
    if (res.status < 200 || res.status > 299) throw new SolrulesError('SCAN_RPC_FAILED', `HTTP ${res.status} ${res.statusText}: ${res.bytes.toString('utf8', 0, 200)}`, { status: res.status });
    let answer: JsonAnswer;
    try {
      answer = new JsonAnswer(res.bytes);
    } catch (err) {
      throw new SolrulesError('SCAN_RPC_FAILED', `the answer is not JSON: ${(err as Error).message}`, {}, { cause: err });
    }
    const reply = answer.value as { result?: { context?: { slot?: unknown }; value?: unknown }; error?: { code?: unknown; message?: unknown } } | null;
    if (reply?.error) throw new SolrulesError('SCAN_RPC_FAILED', `RPC error ${String(reply.error.code)}: ${typeof reply.error.message === 'string' ? answer.string(reply.error.message) : String(reply.error.message)}`, {});
    const slot = reply?.result?.context?.slot;
    const value = reply?.result?.value;
    if (typeof slot !== 'number' || !Array.isArray(value) || value.length !== addresses.length) {
      throw new SolrulesError('SCAN_RPC_FAILED', `the answer is not a getMultipleAccounts result for ${addresses.length} key(s)`, {});
    }
    return { slot, accounts: addresses.map((address, i) => snapshotOf(address, value[i] as WireAccount | null, slot, known?.(address), answer)) };
  } finally {
    res.release();
  }
}

/**
 * One getMultipleAccounts call of ≤ 100 keys. A web3.js `Connection` is read through its endpoint
 * directly (see the file's doc); any other object with web3.js's `getMultipleAccountsInfoAndContext`
 * (a stand-in RPC in tests) through that method.
 */
export async function getMultipleAccounts(connection: Connection, addresses: readonly string[], opts: { commitment: Commitment; known?: KnownAccount; timeoutMs?: number }): Promise<AccountsAnswer> {
  if (connection instanceof Connection) return getMultipleAccountsJson(connection.rpcEndpoint, addresses, opts.commitment, opts.known, opts.timeoutMs ?? RPC_TIMEOUT_MS);
  const stand = connection as Pick<Connection, 'getMultipleAccountsInfoAndContext'>;
  const res = await stand.getMultipleAccountsInfoAndContext(addresses.map((a) => new PublicKey(a)), { commitment: opts.commitment });
  return { slot: res.context.slot, accounts: addresses.map((address, i) => toSnapshot(address, res.value[i] ?? null, res.context.slot)) };
}

/**
 * A slot's block time in unix seconds, or null when the node has none for it. A web3.js `Connection`
 * is read through its endpoint directly, like getMultipleAccounts: the scanner reads one per slot in
 * the background, and web3.js's fetch and validation of this one number cost ~10 % of the engine
 * thread under 100 updates a second. Anything else — a stand-in, or a Connection whose
 * `getBlockTime` was replaced (tests hold answers back that way) — through its `getBlockTime`.
 */
export async function getBlockTime(connection: Connection, slot: number, timeoutMs = RPC_TIMEOUT_MS): Promise<number | null> {
  if (!(connection instanceof Connection) || connection.getBlockTime !== Connection.prototype.getBlockTime) return (connection as Pick<Connection, 'getBlockTime'>).getBlockTime(slot);
  const res = await post(connection.rpcEndpoint, `{"jsonrpc":"2.0","id":1,"method":"getBlockTime","params":[${slot}]}`, timeoutMs);
  try {
    if (res.status < 200 || res.status > 299) throw new SolrulesError('SCAN_RPC_FAILED', `HTTP ${res.status} ${res.statusText}: ${res.bytes.toString('utf8', 0, 200)}`, { status: res.status });
    const reply = JSON.parse(res.bytes.toString('utf8')) as { result?: unknown; error?: { code?: unknown; message?: unknown } };
    if (reply.error) throw new SolrulesError('SCAN_RPC_FAILED', `RPC error ${String(reply.error.code)}: ${String(reply.error.message)}`, {});
    if (reply.result === null) return null;
    if (typeof reply.result !== 'number') throw new SolrulesError('SCAN_RPC_FAILED', 'the answer is not a getBlockTime result', {});
    return reply.result;
  } finally {
    res.release();
  }
}

export interface BatchReaderOptions {
  commitment: Commitment;
  /** Keys per call, capped at 100 (the RPC's limit). */
  batchSize?: number;
  /** Calls in flight at once (default 8). */
  concurrency?: number;
  /** Attempts per call before its accounts are reported unreadable (default 3). */
  attempts?: number;
  /** Delay before the first retry, doubled after each (default 100 ms). */
  retryMs?: number;
  /** What the caller holds: equal bytes are handed back instead of copied. */
  known?: KnownAccount;
}

export interface ReadCounts {
  /** getMultipleAccounts calls made (retries included). */
  calls: number;
  /** Accounts asked for. */
  accounts: number;
  /** The largest call, in keys. */
  maxKeysPerCall: number;
  /** Calls that failed (each retried until `attempts`). */
  failures: number;
}

/**
 * The batched reader: `read` remembers every account (an address is fetched at most once: the
 * initializer's rounds), `stream` hands each answer over as it arrives and keeps nothing (polls).
 */
export class BatchReader {
  readonly counts: ReadCounts = { calls: 0, accounts: 0, maxKeysPerCall: 0, failures: 0 };
  /** Every account `read`, as of the slot of the call that read it. */
  readonly accounts = new Map<string, AccountSnapshot>();
  /** Addresses whose call kept failing, with the error. */
  readonly unreadable = new Map<string, SolrulesError<'SCAN_RPC_FAILED'>>();
  private readonly size: number;
  private readonly concurrency: number;

  constructor(
    private readonly connection: Connection,
    private readonly opts: BatchReaderOptions,
  ) {
    this.size = Math.max(1, Math.min(opts.batchSize ?? MAX_KEYS_PER_CALL, MAX_KEYS_PER_CALL));
    this.concurrency = Math.max(1, opts.concurrency ?? 8);
  }

  /** Reads every address not read yet; resolves when all calls are done (failures land in `unreadable`). */
  async read(addresses: Iterable<string>): Promise<void> {
    const todo = [...new Set(addresses)].filter((a) => !this.accounts.has(a) && !this.unreadable.has(a));
    await this.stream(todo, (answer) => {
      for (const a of answer.accounts) this.accounts.set(a.address!, a);
    });
  }

  /** Reads `addresses` in batches, handing each answer to `onAnswer` as it arrives (in no set order); failures land in `unreadable`. */
  async stream(addresses: readonly string[], onAnswer: (answer: AccountsAnswer) => void): Promise<void> {
    let next = 0;
    const worker = async () => {
      while (next < addresses.length) {
        const batch = addresses.slice(next, (next += this.size));
        const answer = await this.readBatch(batch);
        if (answer) onAnswer(answer);
      }
    };
    await Promise.all(Array.from({ length: Math.min(this.concurrency, Math.ceil(addresses.length / this.size)) }, worker));
  }

  /** The first failure, if any call kept failing. */
  get failure(): SolrulesError<'SCAN_RPC_FAILED'> | undefined {
    return this.unreadable.values().next().value;
  }

  private async readBatch(batch: string[]): Promise<AccountsAnswer | undefined> {
    const attempts = Math.max(1, this.opts.attempts ?? 3);
    let delay = this.opts.retryMs ?? 100;
    for (let attempt = 1; ; attempt++) {
      this.counts.calls += 1;
      this.counts.accounts += batch.length;
      this.counts.maxKeysPerCall = Math.max(this.counts.maxKeysPerCall, batch.length);
      try {
        return await getMultipleAccounts(this.connection, batch, { commitment: this.opts.commitment, ...(this.opts.known ? { known: this.opts.known } : {}) });
      } catch (err) {
        this.counts.failures += 1;
        if (attempt >= attempts) {
          const e = rpcError(`getMultipleAccounts of ${batch.length} account(s) (${attempts} attempt(s))`, err, { keys: batch.length });
          for (const a of batch) this.unreadable.set(a, e);
          return undefined;
        }
        await new Promise((r) => setTimeout(r, delay));
        delay *= 2;
      }
    }
  }
}

/**
 * Reads accounts in batches of at most `batchSize` (≤ 100) keys, a few calls in flight, each
 * retried; throws the first call that kept failing. The result's slot is the oldest answer's.
 */
export async function fetchAccounts(connection: Connection, addresses: readonly string[], opts: { commitment: Commitment; batchSize?: number; via?: AccountUpdate['via']; now?: () => number; known?: KnownAccount }): Promise<{ slot: number | undefined; updates: AccountUpdate[] }> {
  const reader = new BatchReader(connection, { commitment: opts.commitment, ...(opts.batchSize !== undefined ? { batchSize: opts.batchSize } : {}), ...(opts.known ? { known: opts.known } : {}) });
  const now = opts.now ?? Date.now;
  const answers: AccountsAnswer[] = [];
  await reader.stream([...addresses], (a) => void answers.push(a));
  if (reader.failure) throw reader.failure;
  let slot: number | undefined;
  const byAddress = new Map<string, AccountUpdate>();
  for (const { slot: s, accounts } of answers) {
    slot = slot === undefined ? s : Math.min(slot, s);
    const receivedAt = now();
    for (const account of accounts) byAddress.set(account.address!, { address: account.address!, account, slot: s, receivedAt, via: opts.via ?? 'poll' });
  }
  return { slot, updates: addresses.map((a) => byAddress.get(a)!) };
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
