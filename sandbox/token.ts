/**
 * SPL Token and Token-2022 state the way the RPC's jsonParsed encoding and transaction token
 * balances show it. The layouts are read by engine/venues (the engine's SPL Token decoder); this
 * file only picks which layout an account holds, as agave does, and shapes the RPC JSON.
 */
import type { AccountSnapshot } from '../engine/accounts/index.ts';
import {
  decodeMint as decodeDexMint,
  decodeTokenAccount as decodeDexTokenAccount,
  scaledToDecimal,
  TOKEN_2022_PROGRAM_ID,
  TOKEN_PROGRAM_ID,
  type MintInfo,
  type TokenAccountInfo,
} from '../engine/venues/index.ts';
import { isSolrulesError } from '../engine/errors/index.ts';

export { TOKEN_PROGRAM_ID, TOKEN_2022_PROGRAM_ID };

const ACCOUNT_LEN = 165;
const MINT_LEN = 82;
const ACCOUNT_TYPE_MINT = 1;
const ACCOUNT_TYPE_ACCOUNT = 2;

export function isTokenProgram(owner: string): boolean {
  return owner === TOKEN_PROGRAM_ID || owner === TOKEN_2022_PROGRAM_ID;
}

/** Which layout agave's account parser would try: by length, then (Token-2022) by the account-type byte. */
function tokenKind(owner: string, data: Uint8Array): 'account' | 'mint' | undefined {
  if (!isTokenProgram(owner)) return undefined;
  if (data.length === ACCOUNT_LEN) return 'account';
  if (data.length === MINT_LEN) return 'mint';
  if (owner === TOKEN_2022_PROGRAM_ID && data.length > ACCOUNT_LEN) {
    if (data[ACCOUNT_LEN] === ACCOUNT_TYPE_ACCOUNT) return 'account';
    if (data[ACCOUNT_LEN] === ACCOUNT_TYPE_MINT) return 'mint';
  }
  return undefined;
}

/** Runs a dex decoder; data it rejects is simply not token state here (the RPC falls back to base64). */
function tryDecode<T>(owner: string, data: Uint8Array, decode: (account: AccountSnapshot) => T): T | undefined {
  try {
    return decode({ address: undefined, owner, data, lamports: null, executable: false, rentEpoch: null });
  } catch (err) {
    if (isSolrulesError(err)) return undefined;
    throw err;
  }
}

/** Decodes a token account, or undefined when `data` is not an initialized token account. */
export function decodeTokenAccount(owner: string, data: Uint8Array): TokenAccountInfo | undefined {
  if (tokenKind(owner, data) !== 'account') return undefined;
  const account = tryDecode(owner, data, decodeDexTokenAccount);
  return account?.state === 'uninitialized' ? undefined : account;
}

/** Decodes a mint, or undefined when `data` is not an initialized mint. */
export function decodeMint(owner: string, data: Uint8Array): MintInfo | undefined {
  if (tokenKind(owner, data) !== 'mint') return undefined;
  const mint = tryDecode(owner, data, decodeDexMint);
  return mint?.isInitialized ? mint : undefined;
}

/** The RPC `UiTokenAmount` shape: `uiAmountString` exact in whole tokens, `uiAmount` a display float, `amount` in atoms. */
export function uiTokenAmount(amount: bigint, decimals: number): { amount: string; decimals: number; uiAmount: number; uiAmountString: string } {
  const s = scaledToDecimal(amount, -decimals);
  return { amount: amount.toString(), decimals, uiAmount: Number(s), uiAmountString: s };
}

/** jsonParsed `{program, parsed, space}` for a token account or mint; undefined when not parseable. */
export function parseTokenJson(
  owner: string,
  data: Uint8Array,
  mintDecimals: (mint: string) => number | undefined,
): { program: string; parsed: unknown; space: number } | undefined {
  const program = owner === TOKEN_PROGRAM_ID ? 'spl-token' : 'spl-token-2022';
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
