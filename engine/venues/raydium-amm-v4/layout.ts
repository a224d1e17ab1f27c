/**
 * Raydium AMM v4 `AmmInfo` (752 bytes, no Anchor discriminator), layout of raydium-amm
 * `program/src/state.rs`. Only the fields a quote or a swap needs are interpreted; the rest are
 * kept raw enough to check against the fixtures.
 */
import type { AccountSnapshot } from '../../accounts/index.ts';
import { AccountReader, accountLabel, requireOwner } from '../codec/index.ts';

export const RAYDIUM_AMM_V4_PROGRAM_ID = '675kPX9MHTjS2zt1qfr1NYHuzeLXfQM9H24wFSUt1Mp8';
export const AMM_INFO_LEN = 752;

/** `AmmStatus` (state.rs). */
export const AMM_STATUS_NAMES: readonly string[] = [
  'Uninitialized',
  'Initialized',
  'Disabled',
  'WithdrawOnly',
  'LiquidityOnly',
  'OrderBookOnly',
  'SwapOnly',
  'WaitingTrade',
];

export interface Fraction {
  numerator: bigint;
  denominator: bigint;
}

export interface AmmInfo {
  address: string | undefined;
  status: number;
  nonce: bigint;
  orderNum: bigint;
  depth: bigint;
  coinDecimals: number;
  pcDecimals: number;
  state: bigint;
  resetFlag: bigint;
  minSize: bigint;
  volMaxCutRatio: bigint;
  amountWave: bigint;
  coinLotSize: bigint;
  pcLotSize: bigint;
  minPriceMultiplier: bigint;
  maxPriceMultiplier: bigint;
  sysDecimalValue: bigint;
  minSeparate: Fraction;
  /** Order-book fee; the swap instructions use `swapFee`. */
  tradeFee: Fraction;
  pnl: Fraction;
  swapFee: Fraction;
  needTakePnlCoin: bigint;
  needTakePnlPc: bigint;
  totalPnlPc: bigint;
  totalPnlCoin: bigint;
  poolOpenTime: bigint;
  orderbookToInitTime: bigint;
  swapCoinInAmount: bigint;
  swapPcOutAmount: bigint;
  swapAccPcFee: bigint;
  swapPcInAmount: bigint;
  swapCoinOutAmount: bigint;
  swapAccCoinFee: bigint;
  coinVault: string;
  pcVault: string;
  coinMint: string;
  pcMint: string;
  lpMint: string;
  openOrders: string;
  market: string;
  marketProgram: string;
  targetOrders: string;
  ammOwner: string;
  lpAmount: bigint;
  clientOrderId: bigint;
  recentEpoch: bigint;
}

function fraction(r: AccountReader, offset: number, field: string): Fraction {
  return { numerator: r.u64(offset, `${field}Numerator`), denominator: r.u64(offset + 8, `${field}Denominator`) };
}

/** `validate_fraction`: numerator < denominator, denominator ≠ 0. */
function requireFraction(r: AccountReader, f: Fraction, offset: number, field: string): void {
  if (f.denominator === 0n || f.numerator >= f.denominator) {
    r.bad(field, offset, `${f.numerator}/${f.denominator}`, 'must be a fraction with numerator < denominator ≠ 0');
  }
}

/** Decodes an `AmmInfo` account owned by the Raydium AMM v4 program. */
export function decodeAmmInfo(account: AccountSnapshot): AmmInfo {
  requireOwner(account, [RAYDIUM_AMM_V4_PROGRAM_ID], 'AmmInfo');
  const r = new AccountReader(account.data, accountLabel(account), 'AmmInfo');
  if (r.length !== AMM_INFO_LEN) {
    // load_checked requires exactly size_of::<AmmInfo>()
    if (r.length < AMM_INFO_LEN) r.requireLength(AMM_INFO_LEN, 'padding2');
    r.bad('<length>', undefined, r.length, `must be exactly ${AMM_INFO_LEN}`);
  }
  const status = r.u64(0, 'status');
  if (status > 7n) r.bad('status', 0, status, 'must be an AmmStatus (0..7)');
  const coinDecimals = r.u64(32, 'coinDecimals');
  const pcDecimals = r.u64(40, 'pcDecimals');
  if (coinDecimals > 255n) r.bad('coinDecimals', 32, coinDecimals, 'must fit a u8');
  if (pcDecimals > 255n) r.bad('pcDecimals', 40, pcDecimals, 'must fit a u8');
  const swapFee = fraction(r, 176, 'swapFee');
  requireFraction(r, swapFee, 176, 'swapFee');
  return {
    address: account.address,
    status: Number(status),
    nonce: r.u64(8, 'nonce'),
    orderNum: r.u64(16, 'orderNum'),
    depth: r.u64(24, 'depth'),
    coinDecimals: Number(coinDecimals),
    pcDecimals: Number(pcDecimals),
    state: r.u64(48, 'state'),
    resetFlag: r.u64(56, 'resetFlag'),
    minSize: r.u64(64, 'minSize'),
    volMaxCutRatio: r.u64(72, 'volMaxCutRatio'),
    amountWave: r.u64(80, 'amountWave'),
    coinLotSize: r.u64(88, 'coinLotSize'),
    pcLotSize: r.u64(96, 'pcLotSize'),
    minPriceMultiplier: r.u64(104, 'minPriceMultiplier'),
    maxPriceMultiplier: r.u64(112, 'maxPriceMultiplier'),
    sysDecimalValue: r.u64(120, 'sysDecimalValue'),
    minSeparate: fraction(r, 128, 'minSeparate'),
    tradeFee: fraction(r, 144, 'tradeFee'),
    pnl: fraction(r, 160, 'pnl'),
    swapFee,
    needTakePnlCoin: r.u64(192, 'needTakePnlCoin'),
    needTakePnlPc: r.u64(200, 'needTakePnlPc'),
    totalPnlPc: r.u64(208, 'totalPnlPc'),
    totalPnlCoin: r.u64(216, 'totalPnlCoin'),
    poolOpenTime: r.u64(224, 'poolOpenTime'),
    orderbookToInitTime: r.u64(248, 'orderbookToInitTime'),
    swapCoinInAmount: r.u128(256, 'swapCoinInAmount'),
    swapPcOutAmount: r.u128(272, 'swapPcOutAmount'),
    swapAccPcFee: r.u64(288, 'swapAccPcFee'),
    swapPcInAmount: r.u128(296, 'swapPcInAmount'),
    swapCoinOutAmount: r.u128(312, 'swapCoinOutAmount'),
    swapAccCoinFee: r.u64(328, 'swapAccCoinFee'),
    coinVault: r.pubkey(336, 'coinVault'),
    pcVault: r.pubkey(368, 'pcVault'),
    coinMint: r.pubkey(400, 'coinVaultMint'),
    pcMint: r.pubkey(432, 'pcVaultMint'),
    lpMint: r.pubkey(464, 'lpMint'),
    openOrders: r.pubkey(496, 'openOrders'),
    market: r.pubkey(528, 'market'),
    marketProgram: r.pubkey(560, 'marketProgram'),
    targetOrders: r.pubkey(592, 'targetOrders'),
    ammOwner: r.pubkey(688, 'ammOwner'),
    lpAmount: r.u64(720, 'lpAmount'),
    clientOrderId: r.u64(728, 'clientOrderId'),
    recentEpoch: r.u64(736, 'recentEpoch'),
  };
}
