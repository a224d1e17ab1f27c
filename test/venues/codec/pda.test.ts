/** Memoized PDAs: the same address as a fresh derivation, per program, and the seeds are built once per key; the curve check is web3.js's. */
import { randomBytes } from 'node:crypto';
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { PublicKey } from '@solana/web3.js';
import { getAssociatedTokenAddressSync } from '@solana/spl-token';
import { addressSeed, isOnCurve, programAddress } from '../../../engine/venues/codec/index.ts';
import { associatedTokenAddress, TOKEN_2022_PROGRAM, TOKEN_PROGRAM } from '../../../engine/venues/index.ts';

const PROGRAM = 'CAMMCzo5YL8w4VFF8KVHrK22GGUsp5VTaW7grrKgrWqK';
const POOLS = ['AcPS8SrzXDwPxk6LLz2tykwFEsSeD5LtctMLVeh2shq8', 'HJPjoWUrhoZzkNfRpHuieeFk9WcZWjwy6PBjZ81ngndJ'];

test('programAddress equals findProgramAddressSync and derives each key once', () => {
  let built = 0;
  const seeds = (pool: string, start: number) => () => {
    built += 1;
    const s = Buffer.alloc(4);
    s.writeInt32BE(start);
    return [Buffer.from('tick_array'), addressSeed(pool), s];
  };
  const seen = new Set<string>();
  for (let round = 0; round < 3; round++) {
    for (const pool of POOLS) {
      for (const start of [-120, 0, 60, 71160]) {
        const ours = programAddress(PROGRAM, `pda-test:${pool}:${start}`, seeds(pool, start));
        const fresh = PublicKey.findProgramAddressSync(seeds(pool, start)(), new PublicKey(PROGRAM))[0].toBase58();
        built -= 1; // the fresh derivation above is not the memo's
        assert.equal(ours, fresh, `${pool} ${start}`);
        seen.add(ours);
      }
    }
  }
  assert.equal(seen.size, POOLS.length * 4, 'distinct seeds give distinct addresses');
  assert.equal(built, POOLS.length * 4, 'each key is derived once across three rounds');
  // the memo is per program: the same key under another program is another address
  const other = 'LBUZKhRxPF3XUpBCjp4YzTKgLccjZhTSDM9YuVaPwxo';
  const key = `pda-test:${POOLS[0]}:0`;
  assert.equal(programAddress(other, key, seeds(POOLS[0]!, 0)), PublicKey.findProgramAddressSync(seeds(POOLS[0]!, 0)(), new PublicKey(other))[0].toBase58());
  assert.throws(() => addressSeed('not-an-address'));
});

test('isOnCurve gives web3.js PublicKey.isOnCurve verdict on random and edge encodings', () => {
  const P = (1n << 255n) - 19n;
  const le = (x: bigint, sign: boolean) => {
    const out = new Uint8Array(32);
    for (let i = 0; i < 32; i++, x >>= 8n) out[i] = Number(x & 255n);
    if (sign) out[31]! |= 0x80;
    return out;
  };
  // y = ±1 (x = 0), y ≥ p (not canonical), small values, with and without the sign bit
  const edges = [0n, 1n, 2n, P - 2n, P - 1n, P, P + 1n, (1n << 255n) - 1n].flatMap((y) => [le(y, false), le(y, true)]);
  let on = 0;
  const random = Array.from({ length: 5_000 }, () => randomBytes(32));
  for (const b of [...edges, ...random]) {
    const expected = PublicKey.isOnCurve(b);
    assert.equal(isOnCurve(b), expected, Buffer.from(b).toString('hex'));
    if (expected) on++;
  }
  assert.ok(on > 2_000 && on < 3_100, `about half of random encodings are points (${on})`);
});

test('programAddress equals findProgramAddressSync for many seeds (bumps below 255 included)', () => {
  const program = 'LBUZKhRxPF3XUpBCjp4YzTKgLccjZhTSDM9YuVaPwxo';
  const bumps = new Set<number>();
  for (let i = 0; i < 300; i++) {
    const seed = randomBytes(1 + (i % 32));
    const [expected, bump] = PublicKey.findProgramAddressSync([Buffer.from('pda-test'), seed], new PublicKey(program));
    assert.equal(programAddress(program, `pda-random:${seed.toString('hex')}`, () => [Buffer.from('pda-test'), seed]), expected.toBase58());
    bumps.add(bump);
  }
  assert.ok(bumps.size > 3, 'several bumps were needed');
  assert.throws(() => programAddress(program, 'pda-too-long', () => [Buffer.alloc(33)]), TypeError);
});

test('associatedTokenAddress (memoized) equals spl-token getAssociatedTokenAddressSync, off-curve owners included', () => {
  const usdc = 'EPjFWdd5AufqSSqeM2qN1xzybapC8G4wEGGkZwyTDt1v';
  const owners = [new PublicKey('9WzDXwBbmkg8ZTbNMqUxvQRAyrZzDsGYdLVL9zYtAWWM'), PublicKey.findProgramAddressSync([Buffer.from('vault')], new PublicKey(PROGRAM))[0]];
  for (const owner of owners) {
    for (const program of [TOKEN_PROGRAM, TOKEN_2022_PROGRAM]) {
      for (let i = 0; i < 2; i++) assert.equal(associatedTokenAddress(usdc, owner, program).toBase58(), getAssociatedTokenAddressSync(new PublicKey(usdc), owner, true, program).toBase58());
    }
  }
});
