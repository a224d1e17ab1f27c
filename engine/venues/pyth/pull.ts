/**
 * Pyth pull-oracle `PriceUpdateV2` accounts (owned by the Pyth Solana Receiver), the oracle of
 * today beside the retiring v2 push accounts: 8-byte Anchor discriminator, write authority,
 * verification level (Partial { num_signatures } or Full), the price message (feed id, price,
 * conf, exponent, publish times, EMA price and conf) and the slot it was posted at.
 */
import { PublicKey } from '@solana/web3.js';
import type { AccountSnapshot } from '../../accounts/index.ts';
import { anchorDiscriminator, anchorReader, accountLabel, requireOwner } from '../codec/index.ts';

/** The Pyth Solana Receiver program that owns PriceUpdateV2 accounts. */
export const PYTH_RECEIVER_PROGRAM_ID = 'rec5EKMGg6MxZYaMdyBfgwp4d5rB9T1VQH5pJv5LtFJ';
/** Allocated size of a PriceUpdateV2 account (the Partial variant's length; Full leaves one byte unused). */
export const PRICE_UPDATE_V2_LEN = 134;
const DISCRIMINATOR = anchorDiscriminator('PriceUpdateV2');
const MAX_ABS_EXPONENT = 30;

export type PythVerificationLevel = { kind: 'full' } | { kind: 'partial'; numSignatures: number };

export interface PythPriceUpdate {
  address: string | undefined;
  writeAuthority: string;
  verification: PythVerificationLevel;
  /** Feed id, 0x-prefixed hex (SOL/USD is 0xef0d8b6f…). */
  feedId: string;
  /** Price = `price × 10^exponent`. */
  price: bigint;
  conf: bigint;
  exponent: number;
  /** Unix seconds the price was published at. */
  publishTime: bigint;
  prevPublishTime: bigint;
  emaPrice: bigint;
  emaConf: bigint;
  /** Slot the update was posted to Solana at. */
  postedSlot: bigint;
}

/** Decodes a PriceUpdateV2 account; wrong owner, discriminator, verification tag, exponent or short data raise `DEX_` errors. */
export function decodePythPriceUpdate(account: AccountSnapshot): PythPriceUpdate {
  requireOwner(account, [PYTH_RECEIVER_PROGRAM_ID], 'PriceUpdateV2');
  const r = anchorReader(account.data, accountLabel(account), 'PriceUpdateV2', DISCRIMINATOR, 42, 'verification_level');
  const tag = r.u8(40, 'verification_level');
  let verification: PythVerificationLevel;
  let o: number;
  if (tag === 0) {
    verification = { kind: 'partial', numSignatures: r.u8(41, 'verification_level.num_signatures') };
    o = 42;
  } else if (tag === 1) {
    verification = { kind: 'full' };
    o = 41;
  } else {
    return r.bad('verification_level', 40, tag, 'must be 0 (Partial) or 1 (Full)');
  }
  r.requireLength(o + 92, 'posted_slot');
  const exponent = r.i32(o + 48, 'price_message.exponent');
  if (Math.abs(exponent) > MAX_ABS_EXPONENT) r.bad('price_message.exponent', o + 48, exponent, `must be within ±${MAX_ABS_EXPONENT}`);
  return {
    address: account.address,
    writeAuthority: r.pubkey(8, 'write_authority'),
    verification,
    feedId: `0x${Buffer.from(r.bytes(o, 32, 'price_message.feed_id')).toString('hex')}`,
    price: r.i64(o + 32, 'price_message.price'),
    conf: r.u64(o + 40, 'price_message.conf'),
    exponent,
    publishTime: r.i64(o + 52, 'price_message.publish_time'),
    prevPublishTime: r.i64(o + 60, 'price_message.prev_publish_time'),
    emaPrice: r.i64(o + 68, 'price_message.ema_price'),
    emaConf: r.u64(o + 76, 'price_message.ema_conf'),
    postedSlot: r.u64(o + 84, 'posted_slot'),
  };
}

/** The account bytes of a PriceUpdateV2 (Full verification) — for the sandbox, which posts its own updates. */
export function encodePythPriceUpdate(u: Omit<PythPriceUpdate, 'address' | 'verification'>): Uint8Array {
  const b = Buffer.alloc(PRICE_UPDATE_V2_LEN);
  Buffer.from(DISCRIMINATOR).copy(b, 0);
  new PublicKey(u.writeAuthority).toBuffer().copy(b, 8);
  b[40] = 1; // Full
  const o = 41;
  const feed = Buffer.from(u.feedId.replace(/^0x/, ''), 'hex');
  feed.copy(b, o, 0, 32);
  b.writeBigInt64LE(u.price, o + 32);
  b.writeBigUInt64LE(u.conf, o + 40);
  b.writeInt32LE(u.exponent, o + 48);
  b.writeBigInt64LE(u.publishTime, o + 52);
  b.writeBigInt64LE(u.prevPublishTime, o + 60);
  b.writeBigInt64LE(u.emaPrice, o + 68);
  b.writeBigUInt64LE(u.emaConf, o + 76);
  b.writeBigUInt64LE(u.postedSlot, o + 84);
  return b;
}
