/** Pyth v2 price accounts: price, confidence, exponent, status, publish slot (and the rest of the header). */
export {
  decodePythPrice,
  scaledToDecimal,
  PYTH_MAGIC,
  PYTH_PROGRAM_ID,
  PYTH_VERSION_2,
  PYTH_ACCOUNT_TYPE_PRICE,
} from './layout.ts';
export type { PythPrice, PythPriceStatus, PythPriceComponent } from './layout.ts';
