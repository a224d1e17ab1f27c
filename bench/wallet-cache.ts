/**
 * Settling trades into the shared expected balances (`Cache.updateHashes`): 2,000 settlements,
 * each two exact adds (one of −(2^64 − 1)/1000 atoms: beyond Redis' i64 integers once summed), a
 * delete and a once-marker, on the in-memory cache (the baseline: no round trip) and on Redis
 * (one Lua script each). Prints wall and CPU time (the machine is shared) and checks the sums.
 * Run: node --import tsx bench/wallet-cache.ts [redis://127.0.0.1:6379]
 */
import { MemoryCache, type Cache } from '../engine/infra/cache/index.ts';
import { RedisCache } from '../engine/infra/cache/redis/index.ts';

const N = 2_000;
const BIG = -(2n ** 64n - 1n) / 1000n;

async function settle(name: string, c: Cache): Promise<void> {
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  for (let i = 0; i < N; i++) {
    await c.updateHashes({ once: { key: `bench:settled:${i}`, ttlMs: 60_000 }, ops: [{ op: 'add', key: 'bench:expected', field: 'w|SOL', atoms: BIG }, { op: 'add', key: 'bench:expected', field: 'w|usdc', atoms: 12_345n }, { op: 'delete', key: 'bench:pending', field: `sig${i}` }] });
  }
  const ms = performance.now() - t0;
  const cpu = process.cpuUsage(cpu0);
  const got = await c.readHash('bench:expected');
  const ok = got['w|SOL'] === (BIG * BigInt(N)).toString() && got['w|usdc'] === (12_345n * BigInt(N)).toString();
  console.log(`${name.padEnd(7)} ${N} settlements: ${ms.toFixed(0)} ms wall, ${((cpu.user + cpu.system) / 1000).toFixed(0)} ms CPU (this process), ${((ms / N) * 1000).toFixed(0)} µs each; sums exact: ${ok} (${got['w|SOL']})`);
  if (!ok) process.exitCode = 1;
}

await settle('memory', new MemoryCache());
const prefix = `bench-wallet-cache-${process.pid}:`;
const redis = await RedisCache.connect(process.argv[2] ?? 'redis://127.0.0.1:6379', { keyPrefix: prefix });
try {
  await settle('redis', redis);
} finally {
  const keys = await redis.client.keys(`${prefix}*`);
  if (keys.length) await redis.client.del(...keys.map((k) => k.slice(prefix.length)));
  await redis.close();
}
