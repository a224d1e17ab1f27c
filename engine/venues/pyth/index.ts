/** Pyth oracles: legacy v2 price accounts (push) and PriceUpdateV2 accounts (pull, the Pyth Solana Receiver). */
export {
  decodePythPrice,
  scaledToDecimal,
  PYTH_MAGIC,
  PYTH_PROGRAM_ID,
  PYTH_VERSION_2,
  PYTH_ACCOUNT_TYPE_PRICE,
} from './layout.ts';
export type { PythPrice, PythPriceStatus, PythPriceComponent } from './layout.ts';
export { decodePythPriceUpdate, encodePythPriceUpdate, PYTH_RECEIVER_PROGRAM_ID, PRICE_UPDATE_V2_LEN } from './pull.ts';
export type { PythPriceUpdate, PythVerificationLevel } from './pull.ts';
