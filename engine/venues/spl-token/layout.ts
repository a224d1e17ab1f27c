/**
 * SPL Token and Token-2022 mints and token accounts, including Token-2022 extensions (TLV after
 * the 165-byte base + 1 account-type byte). Layouts follow spl-token / spl-token-2022 `state.rs`.
 */
import type { AccountSnapshot } from '../../accounts/index.ts';
import { AccountReader, accountLabel, requireOwner } from '../codec/index.ts';

export const TOKEN_PROGRAM_ID = 'TokenkegQfeZyiNwAJbNbGKPFXCWuBvf9Ss623VQ5DA';
export const TOKEN_2022_PROGRAM_ID = 'TokenzQdBNbLqP5VEhdkAS6EPFLC1PHnBqCXEpPxuEb';
export const NATIVE_MINT = 'So11111111111111111111111111111111111111112';

export const MINT_LEN = 82;
export const TOKEN_ACCOUNT_LEN = 165;
const MULTISIG_LEN = 355;
const ACCOUNT_TYPE_OFFSET = 165;
const TLV_START = 166;

/** Token-2022 extension type numbers (spl-token-2022 `ExtensionType`). */
export const EXTENSION_NAMES: Readonly<Record<number, string>> = {
  1: 'TransferFeeConfig',
  2: 'TransferFeeAmount',
  3: 'MintCloseAuthority',
  4: 'ConfidentialTransferMint',
  5: 'ConfidentialTransferAccount',
  6: 'DefaultAccountState',
  7: 'ImmutableOwner',
  8: 'MemoTransfer',
  9: 'NonTransferable',
  10: 'InterestBearingConfig',
  11: 'CpiGuard',
  12: 'PermanentDelegate',
  13: 'NonTransferableAccount',
  14: 'TransferHook',
  15: 'TransferHookAccount',
  16: 'ConfidentialTransferFeeConfig',
  17: 'ConfidentialTransferFeeAmount',
  18: 'MetadataPointer',
  19: 'TokenMetadata',
  20: 'GroupPointer',
  21: 'TokenGroup',
  22: 'GroupMemberPointer',
  23: 'TokenGroupMember',
  24: 'ConfidentialMintBurn',
  25: 'ScaledUiAmount',
  26: 'Pausable',
  27: 'PausableAccount',
};

export interface TokenExtension {
  type: number;
  name: string;
  /** Offset of the value in the account data. */
  offset: number;
  length: number;
}

export interface TransferFee {
  /** First epoch this fee applies to. */
  epoch: bigint;
  maximumFee: bigint;
  basisPoints: number;
}

export interface TransferFeeConfig {
  configAuthority: string | null;
  withdrawWithheldAuthority: string | null;
  withheldAmount: bigint;
  /** Used while `epoch < newer.epoch`. */
  older: TransferFee;
  newer: TransferFee;
}

export type TokenProgram = 'spl-token' | 'token-2022';

export interface MintInfo {
  address: string | undefined;
  programId: string;
  program: TokenProgram;
  mintAuthority: string | null;
  supply: bigint;
  decimals: number;
  isInitialized: boolean;
  freezeAuthority: string | null;
  extensions: TokenExtension[];
  transferFeeConfig: TransferFeeConfig | null;
  /** Token-2022 NonTransferable: no transfer can move it, so no swap can. */
  nonTransferable: boolean;
  /** Token-2022 Pausable: `true` while transfers are paused; `null` without the extension. */
  paused: boolean | null;
  /** Token-2022 TransferHook program, if any (swaps then need the hook's extra accounts). */
  transferHookProgramId: string | null;
}

export type TokenAccountState = 'uninitialized' | 'initialized' | 'frozen';

export interface TokenAccountInfo {
  address: string | undefined;
  programId: string;
  program: TokenProgram;
  mint: string;
  owner: string;
  amount: bigint;
  delegate: string | null;
  state: TokenAccountState;
  /** Wrapped SOL: the rent-exempt reserve; `null` for other mints. */
  isNative: bigint | null;
  delegatedAmount: bigint;
  closeAuthority: string | null;
  extensions: TokenExtension[];
  /** Token-2022 TransferFeeAmount: fees withheld in this account. */
  withheldAmount: bigint | null;
}

function coptionPubkey(r: AccountReader, offset: number, field: string): string | null {
  const tag = r.u32(offset, `${field}.tag`);
  if (tag > 1) r.bad(`${field}.tag`, offset, tag, 'must be a COption tag (0 or 1)');
  return tag === 1 ? r.pubkey(offset + 4, field) : null;
}

/** OptionalNonZeroPubkey: all-zero bytes mean none. */
function optionalNonZeroPubkey(r: AccountReader, offset: number, field: string): string | null {
  const bytes = r.bytes(offset, 32, field);
  return bytes.every((b) => b === 0) ? null : r.pubkey(offset, field);
}

function programOf(account: AccountSnapshot, layout: string): TokenProgram {
  requireOwner(account, [TOKEN_PROGRAM_ID, TOKEN_2022_PROGRAM_ID], layout);
  return account.owner === TOKEN_PROGRAM_ID ? 'spl-token' : 'token-2022';
}

/** Walks the TLV area the way spl-token-2022 does; unknown types are kept (named `Unknown`). */
function readExtensions(r: AccountReader, baseLen: number, accountType: 1 | 2): TokenExtension[] {
  if (r.length === baseLen) return [];
  if (r.length === MULTISIG_LEN) r.bad('<length>', undefined, r.length, 'is the multisig length, not a mint or token account');
  r.requireLength(TLV_START, 'accountType');
  for (let i = baseLen; i < ACCOUNT_TYPE_OFFSET; i++) {
    if (r.data[i] !== 0) r.bad('padding', i, r.data[i], 'must be zero between the base state and the account type');
  }
  const type = r.u8(ACCOUNT_TYPE_OFFSET, 'accountType');
  if (type !== accountType) r.bad('accountType', ACCOUNT_TYPE_OFFSET, type, `must be ${accountType} (${accountType === 1 ? 'Mint' : 'Account'})`);
  const out: TokenExtension[] = [];
  let at = TLV_START;
  while (at < r.length) {
    if (r.length - at < 2) break;
    const extType = r.u16(at, 'extension.type');
    if (extType === 0) break;
    const length = r.u16(at + 2, `extension[${extType}].length`);
    const offset = at + 4;
    if (offset + length > r.length) r.bad(`extension[${extType}].length`, at + 2, length, `runs past the end of the data (${r.length} bytes)`);
    out.push({ type: extType, name: EXTENSION_NAMES[extType] ?? 'Unknown', offset, length });
    at = offset + length;
  }
  return out;
}

function requireExtLength(r: AccountReader, ext: TokenExtension, length: number): void {
  if (ext.length !== length) r.bad(`${ext.name}.length`, ext.offset - 2, ext.length, `must be ${length}`);
}

function readTransferFee(r: AccountReader, offset: number, field: string): TransferFee {
  const basisPoints = r.u16(offset + 16, `${field}.transferFeeBasisPoints`);
  if (basisPoints > 10_000) r.bad(`${field}.transferFeeBasisPoints`, offset + 16, basisPoints, 'must be ≤ 10000');
  return { epoch: r.u64(offset, `${field}.epoch`), maximumFee: r.u64(offset + 8, `${field}.maximumFee`), basisPoints };
}

/** Decodes an SPL Token or Token-2022 mint. */
export function decodeMint(account: AccountSnapshot): MintInfo {
  const program = programOf(account, 'Mint');
  const r = new AccountReader(account.data, accountLabel(account), 'Mint');
  if (program === 'spl-token' && r.length !== MINT_LEN) r.bad('<length>', undefined, r.length, `must be ${MINT_LEN} for an SPL Token mint`);
  r.requireLength(MINT_LEN, 'freezeAuthority');
  const isInitialized = r.bool(45, 'isInitialized');
  const extensions = program === 'token-2022' ? readExtensions(r, MINT_LEN, 1) : [];
  let transferFeeConfig: TransferFeeConfig | null = null;
  let nonTransferable = false;
  let paused: boolean | null = null;
  let transferHookProgramId: string | null = null;
  for (const ext of extensions) {
    if (ext.type === 1) {
      requireExtLength(r, ext, 108);
      const o = ext.offset;
      transferFeeConfig = {
        configAuthority: optionalNonZeroPubkey(r, o, 'TransferFeeConfig.configAuthority'),
        withdrawWithheldAuthority: optionalNonZeroPubkey(r, o + 32, 'TransferFeeConfig.withdrawWithheldAuthority'),
        withheldAmount: r.u64(o + 64, 'TransferFeeConfig.withheldAmount'),
        older: readTransferFee(r, o + 72, 'TransferFeeConfig.olderTransferFee'),
        newer: readTransferFee(r, o + 90, 'TransferFeeConfig.newerTransferFee'),
      };
    } else if (ext.type === 9) {
      nonTransferable = true;
    } else if (ext.type === 26) {
      requireExtLength(r, ext, 33);
      paused = r.bool(ext.offset + 32, 'Pausable.paused');
    } else if (ext.type === 14) {
      requireExtLength(r, ext, 64);
      transferHookProgramId = optionalNonZeroPubkey(r, ext.offset + 32, 'TransferHook.programId');
    }
  }
  return {
    address: account.address,
    programId: account.owner,
    program,
    mintAuthority: coptionPubkey(r, 0, 'mintAuthority'),
    supply: r.u64(36, 'supply'),
    decimals: r.u8(44, 'decimals'),
    isInitialized,
    freezeAuthority: coptionPubkey(r, 46, 'freezeAuthority'),
    extensions,
    transferFeeConfig,
    nonTransferable,
    paused,
    transferHookProgramId,
  };
}

/** Decodes an SPL Token or Token-2022 token account. */
export function decodeTokenAccount(account: AccountSnapshot): TokenAccountInfo {
  const program = programOf(account, 'TokenAccount');
  const r = new AccountReader(account.data, accountLabel(account), 'TokenAccount');
  if (program === 'spl-token' && r.length !== TOKEN_ACCOUNT_LEN) {
    r.bad('<length>', undefined, r.length, `must be ${TOKEN_ACCOUNT_LEN} for an SPL Token account`);
  }
  r.requireLength(TOKEN_ACCOUNT_LEN, 'closeAuthority');
  const stateByte = r.u8(108, 'state');
  if (stateByte > 2) r.bad('state', 108, stateByte, 'must be 0 (uninitialized), 1 (initialized) or 2 (frozen)');
  const nativeTag = r.u32(109, 'isNative.tag');
  if (nativeTag > 1) r.bad('isNative.tag', 109, nativeTag, 'must be a COption tag (0 or 1)');
  const extensions = program === 'token-2022' ? readExtensions(r, TOKEN_ACCOUNT_LEN, 2) : [];
  let withheldAmount: bigint | null = null;
  for (const ext of extensions) {
    if (ext.type === 2) {
      requireExtLength(r, ext, 8);
      withheldAmount = r.u64(ext.offset, 'TransferFeeAmount.withheldAmount');
    }
  }
  return {
    address: account.address,
    programId: account.owner,
    program,
    mint: r.pubkey(0, 'mint'),
    owner: r.pubkey(32, 'owner'),
    amount: r.u64(64, 'amount'),
    delegate: coptionPubkey(r, 72, 'delegate'),
    state: (['uninitialized', 'initialized', 'frozen'] as const)[stateByte]!,
    isNative: nativeTag === 1 ? r.u64(113, 'isNative') : null,
    delegatedAmount: r.u64(121, 'delegatedAmount'),
    closeAuthority: coptionPubkey(r, 129, 'closeAuthority'),
    extensions,
    withheldAmount,
  };
}
