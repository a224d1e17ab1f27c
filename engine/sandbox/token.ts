/**
 * SPL Token and Token-2022 base layouts, read the way the RPC's jsonParsed encoding and
 * transaction token balances read them. Extensions after the base layout are left alone.
 */
import bs58 from 'bs58';

export const TOKEN_PROGRAM = 'TokenkegQfeZyiNwAJbNbGKPFXCWuBvf9Ss623VQ5DA';
export const TOKEN_2022_PROGRAM = 'TokenzQdBNbLqP5VEhdkAS6EPFLC1PHnBqCXEpPxuEb';

const ACCOUNT_LEN = 165;
const MINT_LEN = 82;
const ACCOUNT_TYPE_MINT = 1;
const ACCOUNT_TYPE_ACCOUNT = 2;

export interface TokenAccountFields {
  mint: string;
  owner: string;
  amount: bigint;
  delegate: string | null;
  state: 'uninitialized' | 'initialized' | 'frozen';
  isNative: bigint | null;
  delegatedAmount: bigint;
  closeAuthority: string | null;
}

export interface MintFields {
  mintAuthority: string | null;
  supply: bigint;
  decimals: number;
  isInitialized: boolean;
  freezeAuthority: string | null;
}

export function isTokenProgram(owner: string): boolean {
  return owner === TOKEN_PROGRAM || owner === TOKEN_2022_PROGRAM;
}

function key(data: Uint8Array, at: number): string {
  return bs58.encode(data.subarray(at, at + 32));
}
function u64(data: Uint8Array, at: number): bigint {
  return Buffer.from(data.buffer, data.byteOffset + at, 8).readBigUInt64LE(0);
}
function optionKey(data: Uint8Array, at: number): string | null {
  return Buffer.from(data.buffer, data.byteOffset + at, 4).readUInt32LE(0) === 1 ? key(data, at + 4) : null;
}

function tokenKind(owner: string, data: Uint8Array): 'account' | 'mint' | undefined {
  if (!isTokenProgram(owner)) return undefined;
  if (data.length === ACCOUNT_LEN) return 'account';
  if (data.length === MINT_LEN) return 'mint';
  if (owner === TOKEN_2022_PROGRAM && data.length > ACCOUNT_LEN) {
    if (data[ACCOUNT_LEN] === ACCOUNT_TYPE_ACCOUNT) return 'account';
    if (data[ACCOUNT_LEN] === ACCOUNT_TYPE_MINT) return 'mint';
  }
  return undefined;
}

/** Decodes a token account, or undefined when `data` is not an initialized token account. */
export function decodeTokenAccount(owner: string, data: Uint8Array): TokenAccountFields | undefined {
  if (tokenKind(owner, data) !== 'account') return undefined;
  const stateByte = data[108];
  if (stateByte !== 1 && stateByte !== 2) return undefined;
  const nativeTag = Buffer.from(data.buffer, data.byteOffset + 109, 4).readUInt32LE(0);
  return {
    mint: key(data, 0),
    owner: key(data, 32),
    amount: u64(data, 64),
    delegate: optionKey(data, 72),
    state: stateByte === 1 ? 'initialized' : 'frozen',
    isNative: nativeTag === 1 ? u64(data, 113) : null,
    delegatedAmount: u64(data, 121),
    closeAuthority: optionKey(data, 129),
  };
}

/** Decodes a mint, or undefined when `data` is not an initialized mint. */
export function decodeMint(owner: string, data: Uint8Array): MintFields | undefined {
  if (tokenKind(owner, data) !== 'mint') return undefined;
  if (data[45] !== 1) return undefined;
  return {
    mintAuthority: optionKey(data, 0),
    supply: u64(data, 36),
    decimals: data[44]!,
    isInitialized: true,
    freezeAuthority: optionKey(data, 46),
  };
}

/** `amount` in whole-token units as an exact decimal string ("1.5", "0.000001", "12"). */
export function uiAmountString(amount: bigint, decimals: number): string {
  if (decimals === 0) return amount.toString();
  const digits = amount.toString().padStart(decimals + 1, '0');
  const whole = digits.slice(0, -decimals);
  const frac = digits.slice(-decimals).replace(/0+$/, '');
  return frac ? `${whole}.${frac}` : whole;
}

/** The RPC `UiTokenAmount` shape. `uiAmount` is a display float; `amount` is exact. */
export function uiTokenAmount(amount: bigint, decimals: number): { amount: string; decimals: number; uiAmount: number; uiAmountString: string } {
  const s = uiAmountString(amount, decimals);
  return { amount: amount.toString(), decimals, uiAmount: Number(s), uiAmountString: s };
}

/** jsonParsed `{program, parsed, space}` for a token account or mint; undefined when not parseable. */
export function parseTokenJson(
  owner: string,
  data: Uint8Array,
  mintDecimals: (mint: string) => number | undefined,
): { program: string; parsed: unknown; space: number } | undefined {
  const program = owner === TOKEN_PROGRAM ? 'spl-token' : 'spl-token-2022';
  const account = decodeTokenAccount(owner, data);
  if (account) {
    const decimals = mintDecimals(account.mint);
    if (decimals === undefined) return undefined;
    const info: Record<string, unknown> = {
      isNative: account.isNative !== null,
      mint: account.mint,
      owner: account.owner,
      state: account.state,
      tokenAmount: uiTokenAmount(account.amount, decimals),
    };
    if (account.delegate) {
      info.delegate = account.delegate;
      info.delegatedAmount = uiTokenAmount(account.delegatedAmount, decimals);
    }
    if (account.isNative !== null) info.rentExemptReserve = uiTokenAmount(account.isNative, decimals);
    if (account.closeAuthority) info.closeAuthority = account.closeAuthority;
    return { program, parsed: { info, type: 'account' }, space: data.length };
  }
  const mint = decodeMint(owner, data);
  if (mint) {
    return {
      program,
      parsed: {
        info: {
          decimals: mint.decimals,
          freezeAuthority: mint.freezeAuthority,
          isInitialized: mint.isInitialized,
          mintAuthority: mint.mintAuthority,
          supply: mint.supply.toString(),
        },
        type: 'mint',
      },
      space: data.length,
    };
  }
  return undefined;
}
