/** Client-side checks of the server-side filters (some RPCs ignore them) and the dedup window. */
import { createHash } from 'node:crypto';
import bs58 from 'bs58';
import type { Cache } from '../infra/cache/index.ts';
import type { AccountFilter } from './config.ts';
import type { AccountUpdate } from './source.ts';

/** Whether account data passes every dataSize / memcmp filter. */
export function matchesFilters(data: Uint8Array, filters: readonly AccountFilter[]): boolean {
  for (const f of filters) {
    if ('dataSize' in f) {
      if (data.length !== f.dataSize) return false;
      continue;
    }
    const bytes = bs58.decode(f.memcmp.bytes);
    if (f.memcmp.offset + bytes.length > data.length) return false;
    for (let i = 0; i < bytes.length; i++) if (data[f.memcmp.offset + i] !== bytes[i]) return false;
  }
  return true;
}

/** Content digest of an account: owner, lamports and data. */
export function accountDigest(u: AccountUpdate): string {
  return createHash('sha1').update(u.account.owner).update(String(u.account.lamports)).update(u.account.data).digest('base64url');
}

/**
 * Drops an update already seen (same account, slot and content) within the window — the same
 * change delivered by an account and a program subscription, a resync, or a redundant source.
 * The window lives in the cache, so scanners sharing a cache and a scope dedup against each other.
 */
export class Deduplicator {
  constructor(
    private readonly cache: Cache,
    private readonly windowMs: number,
    private readonly scope: string,
  ) {}

  async firstSeen(u: AccountUpdate): Promise<boolean> {
    return this.cache.setIfAbsent(`scan:dedup:${this.scope}:${u.address}:${u.slot}:${accountDigest(u)}`, 1, this.windowMs);
  }
}

/** When each slot was first seen, the newest slot, and the current slot estimated between observations. */
export class SlotClock {
  private readonly firstSeen = new Map<number, number>();
  private top: { slot: number; at: number } | undefined;

  constructor(
    private readonly slotMs: number,
    private readonly now: () => number = Date.now,
  ) {}

  observe(slot: number, at: number): void {
    if (!this.firstSeen.has(slot)) {
      this.firstSeen.set(slot, at);
      if (this.firstSeen.size > 1024) this.firstSeen.delete(this.firstSeen.keys().next().value!);
    }
    if (!this.top || slot > this.top.slot) this.top = { slot, at };
  }

  firstSeenAt(slot: number): number | undefined {
    return this.firstSeen.get(slot);
  }

  get highest(): number | undefined {
    return this.top?.slot;
  }

  /** The newest slot seen plus the slots that have passed since, at `slotMs` each. */
  estimate(): number | undefined {
    if (!this.top) return undefined;
    return this.top.slot + Math.max(0, Math.floor((this.now() - this.top.at) / this.slotMs));
  }
}
