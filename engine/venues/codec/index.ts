/** Shared decoding helpers for DEX accounts: bounds-checked reader, Anchor discriminators, typed `DEX_` errors, memoized PDAs. */
export { AccountReader, addressMatcher } from './reader.ts';
export { anchorDiscriminator, anchorSighash, instructionDiscriminator, anchorReader, hasDiscriminator, requireDiscriminator } from './anchor.ts';
export { dexError, accountLabel } from './errors.ts';
export type { DexErrorCode } from './errors.ts';
export { requireOwner, requireAccount, SYSTEM_PROGRAM_ID, isNonexistent } from './owner.ts';
export { programAddress, addressSeed, isOnCurve } from './pda.ts';
export { oldestSlot } from './slot.ts';
