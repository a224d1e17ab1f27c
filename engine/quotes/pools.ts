/** A fixed set of pools as a `PoolProvider` (tests, one-off quotes from account files). */
import type { PoolEntry, PoolProvider } from './types.ts';

function pairKey(a: string, b: string): string {
  return a < b ? `${a}|${b}` : `${b}|${a}`;
}

export class StaticPoolProvider implements PoolProvider {
  private readonly byPair = new Map<string, PoolEntry[]>();

  constructor(
    entries: Iterable<PoolEntry>,
    private readonly slot: () => number | undefined = () => undefined,
  ) {
    for (const e of entries) this.add(e);
  }

  add(entry: PoolEntry): void {
    const key = pairKey(entry.state.mintA, entry.state.mintB);
    const list = (this.byPair.get(key) ?? []).filter((e) => e.state.address !== entry.state.address);
    list.push(entry);
    this.byPair.set(key, list);
  }

  poolsFor(mintA: string, mintB: string): readonly PoolEntry[] {
    return this.byPair.get(pairKey(mintA, mintB)) ?? [];
  }

  currentSlot(): number | undefined {
    return this.slot();
  }
}

export { pairKey };
