/** Wire size of a v0 transaction, computed without serializing (web3.js throws past 1232 bytes). */
import type { MessageV0 } from '@solana/web3.js';

/** Solana's packet limit for one transaction. */
export const PACKET_DATA_SIZE = 1232;

function shortVecLen(n: number): number {
  return n < 0x80 ? 1 : n < 0x4000 ? 2 : 3;
}

/** Bytes of a signed v0 transaction with this message. */
export function transactionSize(message: MessageV0): number {
  const sigs = message.header.numRequiredSignatures;
  let size = shortVecLen(sigs) + 64 * sigs;
  size += 1 + 3; // version prefix, header
  size += shortVecLen(message.staticAccountKeys.length) + 32 * message.staticAccountKeys.length;
  size += 32; // blockhash
  size += shortVecLen(message.compiledInstructions.length);
  for (const ix of message.compiledInstructions) {
    size += 1 + shortVecLen(ix.accountKeyIndexes.length) + ix.accountKeyIndexes.length + shortVecLen(ix.data.length) + ix.data.length;
  }
  size += shortVecLen(message.addressTableLookups.length);
  for (const l of message.addressTableLookups) {
    size += 32 + shortVecLen(l.writableIndexes.length) + l.writableIndexes.length + shortVecLen(l.readonlyIndexes.length) + l.readonlyIndexes.length;
  }
  return size;
}
