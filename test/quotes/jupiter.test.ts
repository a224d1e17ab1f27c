/**
 * Jupiter client against a loopback server of the test's own serving the real fixture answers
 * (../shared/fixtures/jupiter/), plus scripted failures: 429s, slow answers, 5xx, malformed bodies.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import bs58 from 'bs58';
import { MemoryCache } from '../../engine/infra/cache/index.ts';
import { isSolrulesError } from '../../engine/errors/index.ts';
import { JupiterClient, type JupiterOptions } from '../../engine/quotes/index.ts';
import { FakeJupiter, jupiterFixture, QUOTE_SLOT_299, QUOTE_SLOT_324, SWAP_IX_CB, SWAP_IX_JITO } from './jupiter-server.ts';

const SOL = 'So11111111111111111111111111111111111111112';
const USDC = 'EPjFWdd5AufqSSqeM2qN1xzybapC8G4wEGGkZwyTDt1v';
const USER = 'BXzmfHxfEMcMj8hDccUNdrwXVNeybyfb2iV2nktE1VnJ';
const REQ = { inputMint: SOL, outputMint: USDC, amount: 100_000_000n, mode: 'exact-in' as const, slippageBps: 50 };

async function withServer(fn: (server: FakeJupiter) => Promise<void>): Promise<void> {
  const server = await new FakeJupiter().start();
  try {
    await fn(server);
  } finally {
    await server.close();
  }
}

function client(server: FakeJupiter, extra: Partial<JupiterOptions> = {}): JupiterClient {
  return new JupiterClient({ baseUrl: server.url, cache: new MemoryCache(), timeoutMs: 1_000, ...extra });
}

async function rejectsWith(p: Promise<unknown>, code: string, check?: (ctx: Record<string, unknown>, message: string) => void): Promise<void> {
  await assert.rejects(p, (err: unknown) => {
    assert.ok(isSolrulesError(err), `expected a SolrulesError, got ${err}`);
    assert.equal(err.code, code, err.message);
    check?.(err.context as Record<string, unknown>, err.message);
    return true;
  });
}

test('GET /quote: request parameters and every field of the real answer', async () => {
  await withServer(async (server) => {
    const jup = client(server);
    const q = await jup.getQuote(REQ);
    const sent = server.requests[0]!;
    assert.equal(sent.method, 'GET');
    assert.equal(sent.path, '/swap/v1/quote');
    assert.deepEqual(Object.fromEntries(sent.query), { inputMint: SOL, outputMint: USDC, amount: '100000000', slippageBps: '50', swapMode: 'ExactIn' });
    assert.equal(q.inAmount, 100_000_000n);
    assert.equal(q.outAmount, 16_198_753n);
    assert.equal(q.otherAmountThreshold, 16_117_760n);
    assert.equal(q.platformFee, null);
    assert.equal(q.contextSlot, 299_283_763);
    assert.equal(q.routePlan.length, 1);
    assert.deepEqual(q.routePlan[0]!.swapInfo, {
      ammKey: '5BKxfWMbmYBAEWvyPZS9esPducUba9GqyMjtLCfbaqyF',
      label: 'Meteora DLMM',
      inputMint: SOL,
      outputMint: USDC,
      inAmount: 100_000_000n,
      outAmount: 16_198_753n,
      feeAmount: 24_825n,
      feeMint: SOL,
    });
    const rq = await jup.quote(REQ);
    assert.equal(rq.source, 'jupiter');
    assert.equal(rq.amountOut, 16_198_753n);
    assert.equal(rq.otherAmountThreshold, 16_117_760n);
    assert.deepEqual(rq.accounts, ['5BKxfWMbmYBAEWvyPZS9esPducUba9GqyMjtLCfbaqyF']);
    assert.equal(rq.slot, 299_283_763);
  });
});

test('platformFee as an object and a fee charged in the output mint', async () => {
  await withServer(async (server) => {
    server.handler = () => ({ body: jupiterFixture(QUOTE_SLOT_324) });
    const q = await client(server).getQuote({ ...REQ, slippageBps: 100 });
    assert.deepEqual(q.platformFee, { amount: 0n, feeBps: 0 });
    assert.equal(q.outAmount, 17_057_460n);
    assert.equal(q.otherAmountThreshold, 16_886_885n);
    assert.equal(q.routePlan[0]!.swapInfo.feeMint, USDC);
    assert.equal(q.priceImpactPct, '0.0001');
  });
});

test('POST /swap-instructions sends the quote back unchanged and reads both real answers', async () => {
  await withServer(async (server) => {
    const jup = client(server);
    const quote = await jup.getQuote(REQ);
    const jito = await jup.swapInstructions(quote, { userPublicKey: USER, prioritizationFeeLamports: { jitoTipLamports: 1000 } });
    const sent = server.requests[1]!;
    assert.equal(sent.method, 'POST');
    assert.equal(sent.path, '/swap/v1/swap-instructions');
    const body = sent.body as Record<string, unknown>;
    assert.deepEqual(body.quoteResponse, jupiterFixture(QUOTE_SLOT_299));
    assert.equal(body.userPublicKey, USER);
    assert.deepEqual(body.prioritizationFeeLamports, { jitoTipLamports: 1000 });

    // The values ilkamo/jupiter-go asserts on the same files.
    assert.equal(jito.setupInstructions.length, 4);
    assert.equal(jito.otherInstructions.length, 1);
    assert.ok(jito.swapInstruction.accounts.length > 0);
    assert.ok(jito.cleanupInstruction);
    assert.equal(jito.tokenLedgerInstruction, null);
    assert.equal(jito.computeUnitLimit, 247_073);
    assert.equal(jito.prioritizationFeeLamports, 1000n);
    assert.equal(jito.addressLookupTableAddresses.length, 2);
    const raw = jupiterFixture(SWAP_IX_JITO) as { blockhashWithMetadata: { blockhash: number[] } };
    assert.equal(jito.blockhash, bs58.encode(Uint8Array.from(raw.blockhashWithMetadata.blockhash)));
    assert.equal(jito.lastValidBlockHeight, 306_902_157);
    // The tip: a System transfer (instruction 2) of 1000 lamports to a Jito tip account.
    const tip = jito.otherInstructions[0]!;
    assert.equal(tip.programId, '11111111111111111111111111111111');
    assert.equal(tip.accounts[1]!.pubkey, '3AVi9Tg9Uo68tJfuvoKvqKNWKkC5wPdSSdeBnizKZ6jT');
    const view = new DataView(tip.data.buffer, tip.data.byteOffset, tip.data.byteLength);
    assert.equal(view.getUint32(0, true), 2);
    assert.equal(view.getBigUint64(4, true), 1000n);

    server.handler = (req) => ({ body: jupiterFixture(req.path.endsWith('/quote') ? QUOTE_SLOT_299 : SWAP_IX_CB) });
    const cb = await jup.swapInstructions(await jup.quote(REQ), { userPublicKey: USER });
    assert.equal(cb.setupInstructions.length, 4);
    assert.equal(cb.otherInstructions.length, 0);
    assert.equal(cb.computeBudgetInstructions.length, 2);
    assert.equal(cb.addressLookupTableAddresses.length, 3);
    assert.equal(cb.prioritizationFeeLamports, 999n);
    assert.equal(cb.computeUnitLimit, 335_433);
  });
});

test('a local route cannot be turned into Jupiter swap instructions', async () => {
  await withServer(async (server) => {
    const local = { source: 'local' as const, mode: 'exact-in' as const, inputMint: SOL, outputMint: USDC, amountIn: 1n, amountOut: 1n, priceImpactBps: 0, legs: [], accounts: [], slot: 1, quotedAt: 0 };
    await rejectsWith(client(server).swapInstructions(local, { userPublicKey: USER }), 'QUOTE_INVALID_REQUEST');
    assert.equal(server.requests.length, 0);
  });
});

test('malformed answers name the field and value, and count against the breaker', async () => {
  await withServer(async (server) => {
    const jup = client(server, { breaker: { failureThreshold: 3 } });
    const cases: [string, (q: Record<string, any>) => void, string][] = [
      ['outAmount', (q) => (q.outAmount = 16198753), 'outAmount'],
      ['missing feeAmount', (q) => delete q.routePlan[0].swapInfo.feeAmount, 'routePlan[0].swapInfo.feeAmount'],
      ['bad ammKey', (q) => (q.routePlan[0].swapInfo.ammKey = 'not-a-key'), 'routePlan[0].swapInfo.ammKey'],
    ];
    for (const [what, mutate, field] of cases) {
      const body = jupiterFixture(QUOTE_SLOT_299);
      mutate(body);
      server.handler = () => ({ body });
      await rejectsWith(jup.getQuote(REQ), 'QUOTE_BAD_RESPONSE', (ctx) => assert.equal(ctx.field, field, what));
    }
    assert.equal(jup.health().state, 'open');
    assert.equal(jup.health().consecutiveFailures, 3);
    server.handler = () => ({ body: 'upstream exploded', status: 200 });
    await rejectsWith(jup.getQuote(REQ), 'QUOTE_CIRCUIT_OPEN');
    assert.equal(server.requests.length, 3, 'the open circuit kept the fourth request home');
  });
});

test('an answer for a different request is refused', async () => {
  await withServer(async (server) => {
    await rejectsWith(client(server).getQuote({ ...REQ, amount: 200_000_000n }), 'QUOTE_BAD_RESPONSE', (ctx) => {
      assert.equal(ctx.field, 'inAmount');
      assert.equal(ctx.value, '100000000');
    });
  });
});

test('a slow answer times out', async () => {
  await withServer(async (server) => {
    server.handler = () => ({ body: jupiterFixture(QUOTE_SLOT_299), delayMs: 2_000 });
    const started = Date.now();
    await rejectsWith(client(server, { timeoutMs: 150 }).getQuote(REQ), 'QUOTE_TIMEOUT', (ctx) => assert.equal(ctx.timeoutMs, 150));
    assert.ok(Date.now() - started < 1_500, `gave up after ${Date.now() - started} ms`);
  });
});

test('an unreachable upstream is a typed error', async () => {
  const jup = new JupiterClient({ baseUrl: 'http://127.0.0.1:9/swap/v1', cache: new MemoryCache(), timeoutMs: 1_000 });
  await rejectsWith(jup.getQuote(REQ), 'QUOTE_UPSTREAM_UNREACHABLE');
  assert.equal(jup.health().failures, 1);
});

test('"no route" is an answer: QUOTE_NO_ROUTE, and the breaker stays closed', async () => {
  await withServer(async (server) => {
    server.handler = () => ({ status: 400, body: { error: 'Could not find any route', errorCode: 'COULD_NOT_FIND_ANY_ROUTE' } });
    const jup = client(server, { breaker: { failureThreshold: 1 } });
    await rejectsWith(jup.getQuote(REQ), 'QUOTE_NO_ROUTE');
    await rejectsWith(jup.getQuote(REQ), 'QUOTE_NO_ROUTE');
    assert.equal(jup.health().state, 'closed');
    assert.equal(server.requests.length, 2);
  });
});

test('circuit breaker: opens after repeated 5xx, lets one trial through after the cooldown, closes on success', async () => {
  await withServer(async (server) => {
    let now = 1_000_000;
    let status = 503;
    server.handler = () => (status === 200 ? { body: jupiterFixture(QUOTE_SLOT_299) } : { status, body: { error: 'unavailable' } });
    const jup = client(server, { breaker: { failureThreshold: 3, cooldownMs: 10_000 }, now: () => now });
    for (let i = 0; i < 3; i++) await rejectsWith(jup.getQuote(REQ), 'QUOTE_UPSTREAM_HTTP', (ctx) => assert.equal(ctx.status, 503));
    await rejectsWith(jup.getQuote(REQ), 'QUOTE_CIRCUIT_OPEN', (ctx) => assert.equal(ctx.retryInMs, 10_000));
    assert.equal(server.requests.length, 3);
    let h = jup.health();
    assert.equal(h.state, 'open');
    assert.equal(h.healthy, false);
    assert.equal(h.rejected, 1);
    now += 10_000;
    assert.equal(jup.health().state, 'half-open');
    await rejectsWith(jup.getQuote(REQ), 'QUOTE_UPSTREAM_HTTP'); // the trial fails: open again
    assert.equal(jup.health().state, 'open');
    now += 10_000;
    status = 200;
    const q = await jup.getQuote(REQ);
    assert.equal(q.outAmount, 16_198_753n);
    h = jup.health();
    assert.equal(h.state, 'closed');
    assert.equal(h.successes, 1);
    assert.equal(h.failures, 4);
    assert.equal(server.requests.length, 5);
  });
});

test('token bucket: 60/min sustained after a burst; waits are measured; a wait too long is refused', async () => {
  await withServer(async (server) => {
    let now = 5_000_000;
    const cache = new MemoryCache(() => now);
    const slept: number[] = [];
    const sleep = async (ms: number) => {
      slept.push(ms);
      now += ms;
    };
    const jup = client(server, { cache, now: () => now, sleep, rateLimit: { requestsPerMinute: 60, burst: 2, maxWaitMs: 1_500 } });
    await jup.getQuote(REQ);
    await jup.getQuote(REQ);
    assert.deepEqual(slept, [], 'the burst goes out at once');
    await jup.getQuote(REQ);
    assert.deepEqual(slept, [1_000], 'then one request a second');
    const strict = client(server, { cache, now: () => now, sleep, rateLimit: { requestsPerMinute: 60, burst: 2, maxWaitMs: 500 } });
    await rejectsWith(strict.getQuote(REQ), 'QUOTE_RATE_LIMITED', (ctx) => assert.equal(ctx.retryInMs, 1_000));
    assert.equal(server.requests.length, 3, 'the refused request never left');
  });
});

test('token bucket defaults: a burst of 10, then 60/min; a caller waits at most 2 s', async () => {
  await withServer(async (server) => {
    let now = 7_000_000;
    const cache = new MemoryCache(() => now);
    const slept: number[] = [];
    const jup = client(server, { cache, now: () => now, sleep: async (ms: number) => void (slept.push(ms), (now += ms)) });
    for (let i = 0; i < 10; i++) await jup.getQuote(REQ);
    assert.deepEqual(slept, [], 'ten at once');
    await jup.getQuote(REQ);
    assert.deepEqual(slept, [1_000], 'the eleventh waits for the next token: one a second');
    await jup.limiter.backOff(2_001);
    await rejectsWith(jup.getQuote(REQ), 'QUOTE_RATE_LIMITED', (ctx) => assert.equal(ctx.retryInMs, 2_001));
    await jup.limiter.backOff(2_000);
    await jup.getQuote(REQ);
    assert.deepEqual(slept, [1_000, 2_000], 'a 2 s wait is still taken');
    assert.equal(server.requests.length, 12);
  });
});

test('breaker and timeout defaults: open after 5 failures in a row for 30 s; 1.5 s per request', async () => {
  await withServer(async (server) => {
    let now = 3_000_000;
    server.handler = () => ({ status: 503, body: { error: 'unavailable' } });
    const jup = client(server, { now: () => now, timeoutMs: undefined });
    assert.equal(jup.timeoutMs, 1_500);
    for (let i = 0; i < 4; i++) await rejectsWith(jup.getQuote(REQ), 'QUOTE_UPSTREAM_HTTP');
    assert.equal(jup.health().state, 'closed', 'four failures are not enough');
    await rejectsWith(jup.getQuote(REQ), 'QUOTE_UPSTREAM_HTTP');
    await rejectsWith(jup.getQuote(REQ), 'QUOTE_CIRCUIT_OPEN', (ctx) => assert.equal(ctx.retryInMs, 30_000));
    now += 29_999;
    assert.equal(jup.health().state, 'open');
    now += 1;
    assert.equal(jup.health().state, 'half-open');
  });
});

test('a 429 holds back every instance sharing the cache for Retry-After', async () => {
  await withServer(async (server) => {
    let now = 9_000_000;
    const cache = new MemoryCache(() => now);
    let first = true;
    server.handler = () => {
      if (first) {
        first = false;
        return { status: 429, headers: { 'retry-after': '2' }, body: { error: 'Too many requests' } };
      }
      return { body: jupiterFixture(QUOTE_SLOT_299) };
    };
    const opts = { cache, now: () => now, sleep: async (ms: number) => void (now += ms), rateLimit: { maxWaitMs: 0 } };
    const a = client(server, opts);
    const b = client(server, opts);
    await rejectsWith(a.getQuote(REQ), 'QUOTE_RATE_LIMITED', (ctx) => {
      assert.equal(ctx.status, 429);
      assert.equal(ctx.retryInMs, 2_000);
    });
    await rejectsWith(b.getQuote(REQ), 'QUOTE_RATE_LIMITED', (ctx) => assert.ok((ctx.retryInMs as number) > 0));
    assert.equal(server.requests.length, 1, 'the second instance did not ask');
    assert.equal(a.health().state, 'closed', 'a 429 is not a broken upstream');
    now += 2_000;
    assert.equal((await b.getQuote(REQ)).outAmount, 16_198_753n);
  });
});

test('the API key travels as a header', async () => {
  await withServer(async (server) => {
    await client(server, { apiKey: 'k-123' }).getQuote(REQ);
    assert.equal(server.requests[0]!.headers['x-api-key'], 'k-123');
  });
});
