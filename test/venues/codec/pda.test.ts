/** Memoized PDAs: the same address as a fresh derivation, per program, and the seeds are built once per key. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { PublicKey } from '@solana/web3.js';
import { addressSeed, programAddress } from '../../../engine/venues/codec/index.ts';

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
