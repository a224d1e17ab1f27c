/**
 * A Meteora DLMM pair created by the real DLMM program with its own instructions: the pair
 * (`initialize_customizable_permissionless_lb_pair2`, the one pair kind a non-admin can create
 * without a PresetParameter), its bin arrays, positions and liquidity. Everything the program
 * writes is real program state; only the instruction bytes are encoded here (Anchor discriminator
 * and Borsh arguments, account lists as in the program's IDL).
 */
import { Keypair, PublicKey, SystemProgram, SYSVAR_RENT_PUBKEY, TransactionInstruction, type AccountMeta } from '@solana/web3.js';
import { SolrulesError } from '../../engine/errors/index.ts';
import { instructionDiscriminator, dlmmBinArrayAddress as binArrayAddress, dlmmPriceFromId as getPriceFromId, METEORA_DLMM_PROGRAM_ID, TOKEN_PROGRAM_ID } from '../../engine/venues/index.ts';
import type { SandboxChain } from '../chain.ts';
import { sendInstructions } from './send.ts';
import { associatedTokenAddress } from './tokens.ts';

const PROGRAM = new PublicKey(METEORA_DLMM_PROGRAM_ID);
const TOKEN_PROGRAM = new PublicKey(TOKEN_PROGRAM_ID);
/** Seed base of customizable permissionless pairs (the program's ILM_BASE constant). */
const ILM_BASE = new PublicKey('MFGQxwAmB91SwuYX36okv2Qmdc9aMuHTwWGUrp4AtB1');
const BINS_PER_ARRAY = 70;
/** The program's maximum position width. */
export const MAX_POSITION_WIDTH = 70;
/** StrategyType::SpotImBalanced: uniform liquidity, X above the active bin and Y below, amounts as given. */
const SPOT_IMBALANCED = 6;

const pda = (seeds: (Buffer | Uint8Array)[]) => PublicKey.findProgramAddressSync(seeds, PROGRAM)[0];
const meta = (pubkey: PublicKey, isWritable: boolean, isSigner = false): AccountMeta => ({ pubkey, isWritable, isSigner });
const i32 = (v: number) => {
  const b = Buffer.alloc(4);
  b.writeInt32LE(v);
  return b;
};
const u16 = (v: number) => {
  const b = Buffer.alloc(2);
  b.writeUInt16LE(v);
  return b;
};
const u64 = (v: bigint) => {
  const b = Buffer.alloc(8);
  b.writeBigUInt64LE(v);
  return b;
};
const i64 = (v: number) => {
  const b = Buffer.alloc(8);
  b.writeBigInt64LE(BigInt(v));
  return b;
};

function compareBytes(a: PublicKey, b: PublicKey): number {
  return Buffer.compare(a.toBuffer(), b.toBuffer());
}

/** Pair address of the customizable permissionless pair of two mints (seeds ILM_BASE, smaller mint, larger mint). */
export function customizablePairAddress(mintX: string, mintY: string): PublicKey {
  const [a, b] = [new PublicKey(mintX), new PublicKey(mintY)].sort(compareBytes);
  return pda([ILM_BASE.toBuffer(), a!.toBuffer(), b!.toBuffer()]);
}

/** Bin array index holding bin `id` (floor division by 70). */
export function binArrayIndexOf(id: number): number {
  return Math.floor(id / BINS_PER_ARRAY);
}

/** The bin whose price (Y atoms per X atom, Q64.64) is nearest `priceQ64`. */
export function binIdForPrice(priceQ64: bigint, binStep: number): number {
  const guess = Math.round(Math.log(Number(priceQ64) / 2 ** 64) / Math.log(1 + binStep / 10_000));
  let best = guess;
  let bestDiff: bigint | undefined;
  for (let id = guess - 2; id <= guess + 2; id++) {
    const p = getPriceFromId(id, binStep);
    const diff = p > priceQ64 ? p - priceQ64 : priceQ64 - p;
    if (bestDiff === undefined || diff < bestDiff) [best, bestDiff] = [id, diff];
  }
  return best;
}

export interface DlmmPairSpec {
  mintX: string;
  mintY: string;
  binStep: number;
  /** Base factor (base fee = base_factor × bin_step × 10 / 1e9 of the amount). */
  baseFactor: number;
  activeId: number;
  /** Positions of up to 70 bins each, centred on the active bin. */
  positions: number;
  /** X deposited over the bins above the active bin, Y over the bins below (atoms, split evenly per bin). */
  amountX: bigint;
  amountY: bigint;
}

export interface CreatedDlmmPair {
  address: string;
  reserveX: string;
  reserveY: string;
  oracle: string;
  binArrays: string[];
  positions: string[];
  lowerBinId: number;
  upperBinId: number;
}

/** Creates the pair, its bin arrays, positions and liquidity with the program's own instructions, signed by `owner` (who holds the tokens). */
export function createDlmmPair(chain: SandboxChain, owner: Keypair, spec: DlmmPairSpec, keypair: (label: string) => Keypair = () => Keypair.generate()): CreatedDlmmPair {
  if (spec.positions < 1) throw new SolrulesError('MARKET_BAD_OPTION', `dlmm positions must be at least 1, got ${spec.positions}`, { field: 'dlmm.positions', value: spec.positions });
  const mintX = new PublicKey(spec.mintX);
  const mintY = new PublicKey(spec.mintY);
  const pair = customizablePairAddress(spec.mintX, spec.mintY);
  const reserveX = pda([pair.toBuffer(), mintX.toBuffer()]);
  const reserveY = pda([pair.toBuffer(), mintY.toBuffer()]);
  const oracle = pda([Buffer.from('oracle'), pair.toBuffer()]);
  const eventAuthority = pda([Buffer.from('__event_authority')]);
  const userX = associatedTokenAddress(spec.mintX, owner.publicKey);
  const userY = associatedTokenAddress(spec.mintY, owner.publicKey);

  // CustomizableParams: active_id, bin_step, base_factor, activation_type (0 slot), has_alpha_vault,
  // activation_point None, creator_pool_on_off_control, base_fee_power_factor, then padding.
  const params = Buffer.concat([i32(spec.activeId), u16(spec.binStep), u16(spec.baseFactor), Buffer.from([0, 0, 0, 0, 0]), Buffer.alloc(64)]);
  sendInstructions(chain, owner, [
    new TransactionInstruction({
      programId: PROGRAM,
      keys: [
        meta(pair, true),
        meta(PROGRAM, false), // bin_array_bitmap_extension: None
        meta(mintX, false),
        meta(mintY, false),
        meta(reserveX, true),
        meta(reserveY, true),
        meta(oracle, true),
        meta(userX, false),
        meta(owner.publicKey, true, true),
        meta(PROGRAM, false), // token_badge_x: None
        meta(PROGRAM, false), // token_badge_y: None
        meta(TOKEN_PROGRAM, false),
        meta(TOKEN_PROGRAM, false),
        meta(SystemProgram.programId, false),
        meta(userY, false),
        meta(eventAuthority, false),
        meta(PROGRAM, false),
      ],
      data: Buffer.concat([instructionDiscriminator('initialize_customizable_permissionless_lb_pair2'), params]),
    }),
  ]);

  const width = MAX_POSITION_WIDTH;
  const lowerBinId = spec.activeId - Math.floor((width * spec.positions) / 2);
  const upperBinId = lowerBinId + width * spec.positions - 1;
  const arrayIndexes: number[] = [];
  for (let i = binArrayIndexOf(lowerBinId); i <= binArrayIndexOf(upperBinId); i++) arrayIndexes.push(i);
  const binArrays = arrayIndexes.map((i) => binArrayAddress(pair.toBase58(), i));
  // initialize_bin_array costs about 190,000 compute units: five per transaction.
  for (let start = 0; start < arrayIndexes.length; start += 5) {
    sendInstructions(
      chain,
      owner,
      arrayIndexes.slice(start, start + 5).map(
        (index, k) =>
          new TransactionInstruction({
            programId: PROGRAM,
            keys: [meta(pair, false), meta(new PublicKey(binArrays[start + k]!), true), meta(owner.publicKey, true, true), meta(SystemProgram.programId, false)],
            data: Buffer.concat([instructionDiscriminator('initialize_bin_array'), i64(index)]),
          }),
      ),
    );
  }

  const binsAbove = upperBinId - spec.activeId; // bins strictly above the active bin hold X
  const binsBelow = spec.activeId - lowerBinId; // bins strictly below hold Y
  const positions: string[] = [];
  for (let p = 0; p < spec.positions; p++) {
    const lower = lowerBinId + p * width;
    const upper = lower + width - 1;
    const above = Math.max(0, upper - Math.max(lower - 1, spec.activeId));
    const below = Math.max(0, Math.min(upper + 1, spec.activeId) - lower);
    const amountX = binsAbove > 0 ? (spec.amountX * BigInt(above)) / BigInt(binsAbove) : 0n;
    const amountY = binsBelow > 0 ? (spec.amountY * BigInt(below)) / BigInt(binsBelow) : 0n;
    const position = keypair(`dlmm-position-${p}`);
    positions.push(position.publicKey.toBase58());
    const arrays = [binArrayIndexOf(lower), binArrayIndexOf(upper)].filter((v, i, a) => a.indexOf(v) === i).map((i) => new PublicKey(binArrayAddress(pair.toBase58(), i)));
    // LiquidityParameterByStrategy: amount_x, amount_y, active_id, max_active_bin_slippage, strategy { min, max, type, 64 parameter bytes }; then RemainingAccountsInfo { slices: [] }.
    const liquidity = Buffer.concat([u64(amountX), u64(amountY), i32(spec.activeId), i32(3), i32(lower), i32(upper), Buffer.from([SPOT_IMBALANCED]), Buffer.alloc(64), Buffer.alloc(4)]);
    sendInstructions(
      chain,
      owner,
      [
        new TransactionInstruction({
          programId: PROGRAM,
          keys: [
            meta(owner.publicKey, true, true),
            meta(position.publicKey, true, true),
            meta(pair, false),
            meta(owner.publicKey, false, true),
            meta(SystemProgram.programId, false),
            meta(SYSVAR_RENT_PUBKEY, false),
            meta(eventAuthority, false),
            meta(PROGRAM, false),
          ],
          data: Buffer.concat([instructionDiscriminator('initialize_position'), i32(lower), i32(width)]),
        }),
        new TransactionInstruction({
          programId: PROGRAM,
          keys: [
            meta(position.publicKey, true),
            meta(pair, true),
            meta(PROGRAM, false), // bin_array_bitmap_extension: None
            meta(userX, true),
            meta(userY, true),
            meta(reserveX, true),
            meta(reserveY, true),
            meta(mintX, false),
            meta(mintY, false),
            meta(owner.publicKey, false, true),
            meta(TOKEN_PROGRAM, false),
            meta(TOKEN_PROGRAM, false),
            meta(eventAuthority, false),
            meta(PROGRAM, false),
            ...arrays.map((a) => meta(a, true)),
          ],
          data: Buffer.concat([instructionDiscriminator('add_liquidity_by_strategy2'), liquidity]),
        }),
      ],
      { signers: [position] },
    );
  }
  return { address: pair.toBase58(), reserveX: reserveX.toBase58(), reserveY: reserveY.toBase58(), oracle: oracle.toBase58(), binArrays, positions, lowerBinId, upperBinId };
}
