/**
 * Rendezvous (highest-random-weight) hashing: every member scores every key and the highest
 * score owns it. Each instance computes the same owner from the same member list with no
 * coordination, and when a member leaves only its keys move (about 1/n of them).
 */

/** 32-bit FNV-1a of `text` finished with murmur3's fmix32, so near-identical inputs spread well. */
function weight(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

/** The member that owns `key` among `members` (ties broken by name); undefined when there is none. */
export function rendezvousOwner(key: string, members: readonly string[]): string | undefined {
  let owner: string | undefined;
  let best = -1;
  for (const member of members) {
    const w = weight(`${member}\u0000${key}`);
    if (w > best || (w === best && owner !== undefined && member < owner)) {
      best = w;
      owner = member;
    }
  }
  return owner;
}

/** `keys` grouped by owner (every member present, possibly with no key). */
export function rendezvousAssign(keys: Iterable<string>, members: readonly string[]): Map<string, string[]> {
  const shares = new Map<string, string[]>(members.map((m) => [m, []]));
  for (const key of keys) {
    const owner = rendezvousOwner(key, members);
    if (owner !== undefined) shares.get(owner)!.push(key);
  }
  return shares;
}
