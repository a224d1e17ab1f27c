/** The ledger's valuation of base atoms in quote atoms: floor(atoms · price·10^12 · 10^q / (10^12 · 10^b)), exactly. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { baseToQuoteAtoms, StrategyLedger } from '../../engine/backtest/ledger.ts';

/** The formula as documented, with every power of ten multiplied out (the reference). */
function reference(atoms: bigint, price: number, baseDecimals: number, quoteDecimals: number): bigint {
  const scaled = BigInt(Math.round(price * 1e12));
  return (atoms * scaled * 10n ** BigInt(quoteDecimals)) / (10n ** 12n * 10n ** BigInt(baseDecimals));
}

test('baseToQuoteAtoms equals the documented floor for base and quote decimals either way round', () => {
  // A fixed pseudo-random sequence (no Math.random: the same cases every run).
  let seed = 12345;
  const next = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
  const decimals: Array<[number, number]> = [[9, 6], [6, 6], [6, 9], [0, 18], [2, 9], [18, 6], [0, 0]];
  let checked = 0;
  for (let i = 0; i < 3000; i++) {
    const atoms = BigInt(Math.floor(next() * 1e15)) * BigInt(1 + Math.floor(next() * 1000));
    const price = next() < 0.1 ? Math.floor(next() * 1000) : next() * 10 ** Math.floor(next() * 8 - 3);
    for (const [b, q] of decimals) {
      assert.equal(baseToQuoteAtoms(atoms, price, b, q), reference(atoms, price, b, q), `${atoms} at ${price}, decimals ${b}/${q}`);
      checked++;
    }
  }
  assert.equal(checked, 3000 * decimals.length);
  // Hand-computed: 1.5 SOL (9 decimals) at 123.456789 USDC (6) = 185.1851835 → 185,185,183 atoms (floored).
  assert.equal(baseToQuoteAtoms(1_500_000_000n, 123.456789, 9, 6), 185_185_183n);
});

test('pnlAtoms marks the inventory with the given conversion, or the default one', () => {
  const ledger = new StrategyLedger('s', 'SOL/USDC', { base: 9, quote: 6 });
  assert.equal(ledger.pnlAtoms(100), 0n);
  ledger.buy({ timeMs: 0, barIndex: 0 }, 100, 100_000_000n, 250_000n, 997_500_000n, 'o1', 'enter');
  // -100 USDC of cash, 0.9975 SOL at 110 = 109.725 USDC.
  assert.equal(ledger.pnlAtoms(110), -100_000_000n + 109_725_000n);
  const calls: Array<[bigint, number]> = [];
  assert.equal(ledger.pnlAtoms(110, (atoms, price) => (calls.push([atoms, price]), 5n)), -100_000_000n + 5n);
  assert.deepEqual(calls, [[997_500_000n, 110]]);
});
