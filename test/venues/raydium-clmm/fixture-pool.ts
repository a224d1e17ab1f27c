/**
 * The real Raydium CLMM fixture pool (PoolState AcPS8Srz…, AmmConfig 9iFER3…) made quotable: the
 * carbon fixtures hold no tick array of this pool, so positions are laid around its current tick
 * (one carrying the pool's whole in-range liquidity) and written as tick arrays, pool bitmap bits
 * and the bitmap extension (tick 71168 lies beyond the pool bitmap for spacing 1). Used by tests
 * and by `bench/quotes/raydium-clmm.ts`.
 */
import { loadAccountFile, type AccountSnapshot } from '../../../engine/accounts/index.ts';
import { bitmapExtensionAddress, decodePoolState, tickArrayAddress } from '../../../engine/venues/raydium-clmm/index.ts';
import { sharedFixture } from '../../support/paths.ts';
import { encodeExtension, encodeTickArray, PROGRAM_ID, type TickSpec } from './support.ts';

const tick = (t: number, gross: bigint, net: bigint): TickSpec => ({ tick: t, liquidityGross: gross, liquidityNet: net, ordersAmount: 0n, partFilledOrdersRemaining: 0n });

export function fixturePool() {
  const dir = (f: string) => sharedFixture('accounts/raydium-clmm/carbon', f);
  const poolFile = loadAccountFile(dir('pool_state_account.json'));
  const configFile = loadAccountFile(dir('amm_config_account.json'));
  const address = 'AcPS8SrzXDwPxk6LLz2tykwFEsSeD5LtctMLVeh2shq8';
  const pool = decodePoolState(poolFile.data, address);
  const L = pool.liquidity;
  // Positions: one holds the pool's whole in-range liquidity around the current tick (71168), more
  // liquidity further out, a gap, and a far range — several ticks and tick arrays to cross.
  const positions: [number, number, bigint][] = [
    [71100, 71250, L],
    [71020, 71400, L / 3n],
    [70800, 71060, L * 2n],
    [71500, 71800, L],
    [70000, 70700, L / 2n],
  ];
  const ticks = new Map<number, TickSpec>();
  for (const [lo, hi, liq] of positions) {
    for (const [t, net] of [[lo, liq], [hi, -liq]] as const) {
      const s = ticks.get(t) ?? tick(t, 0n, 0n);
      s.liquidityGross += liq;
      s.liquidityNet += net;
      ticks.set(t, s);
    }
  }
  const inRange = positions.filter(([lo, hi]) => lo <= pool.tickCurrent && pool.tickCurrent < hi).reduce((a, [, , l]) => a + l, 0n);
  const byStart = new Map<number, TickSpec[]>();
  for (const s of ticks.values()) {
    const start = Math.floor(s.tick / 60) * 60;
    byStart.set(start, [...(byStart.get(start) ?? []), s]);
  }
  const poolBytes = new Uint8Array(poolFile.data);
  const view = new DataView(poolBytes.buffer);
  view.setBigUint64(237, inRange & ((1n << 64n) - 1n), true);
  view.setBigUint64(245, inRange >> 64n, true);
  const arrays = new Map<string, { start: number; data: Buffer }>();
  for (const [start, list] of byStart) {
    const bit = start / 60 + 512;
    if (bit >= 0 && bit < 1024) view.setBigUint64(904 + (bit >> 6) * 8, view.getBigUint64(904 + (bit >> 6) * 8, true) | (1n << BigInt(bit & 63)), true);
    arrays.set(tickArrayAddress(address, start), { start, data: encodeTickArray(address, start, 1, list) });
  }
  const accounts = new Map<string, AccountSnapshot>();
  const snap = (addr: string, data: Uint8Array): AccountSnapshot => ({ address: addr, owner: PROGRAM_ID, data, lamports: null, executable: false, rentEpoch: null });
  accounts.set(pool.ammConfig, snap(pool.ammConfig, configFile.data));
  for (const [addr, a] of arrays) accounts.set(addr, snap(addr, a.data));
  // the pool's tick (71168 = array 1186) is beyond the pool bitmap's ±512 arrays for spacing 1: the extension is needed
  const extension = encodeExtension(address, Array.from({ length: 14 }, () => new Array(8).fill(0n)), Array.from({ length: 14 }, () => new Array(8).fill(0n)));
  const extView = new DataView(extension.buffer, extension.byteOffset);
  for (const start of byStart.keys()) {
    const b = 30720;
    if (start >= b) {
      const o = Math.floor(start / b) - 1;
      const bit = (start - (o + 1) * b) / 60;
      const off = 40 + o * 64 + (bit >> 6) * 8;
      extView.setBigUint64(off, extView.getBigUint64(off, true) | (1n << BigInt(bit & 63)), true);
    }
  }
  const extAddress = bitmapExtensionAddress(address);
  accounts.set(extAddress, snap(extAddress, extension));
  return { address, poolSnapshot: snap(address, poolBytes), accounts, configData: configFile.data, arrays, extension };
}

