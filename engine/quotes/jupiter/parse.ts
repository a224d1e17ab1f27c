/**
 * Strict readers for Jupiter's swap API answers (v6 / swap-v1 shape, as in
 * ../shared/fixtures/jupiter/). Amounts arrive as decimal strings and become bigint; `platformFee`
 * may be null or an object; `blockhashWithMetadata.blockhash` is an array of 32 bytes; several
 * fields may be null. Anything else unexpected is `QUOTE_BAD_RESPONSE` naming the field and value.
 */
import { isAddress } from '../../accounts/index.ts';
import bs58 from 'bs58';
import { quoteError } from '../errors.ts';

export interface JupiterSwapInfo {
  ammKey: string;
  label: string;
  inputMint: string;
  outputMint: string;
  inAmount: bigint;
  outAmount: bigint;
  feeAmount: bigint;
  feeMint: string;
}

export interface JupiterQuote {
  inputMint: string;
  outputMint: string;
  inAmount: bigint;
  outAmount: bigint;
  otherAmountThreshold: bigint;
  swapMode: 'ExactIn' | 'ExactOut';
  slippageBps: number;
  /** Price impact as Jupiter states it, a decimal string in percent. */
  priceImpactPct: string;
  platformFee: { amount: bigint; feeBps: number } | null;
  routePlan: { swapInfo: JupiterSwapInfo; percent: number }[];
  contextSlot: number | undefined;
  timeTaken: number | undefined;
  /** The response as received: /swap-instructions wants it back unchanged. */
  raw: Record<string, unknown>;
}

export interface JupiterAccountMeta {
  pubkey: string;
  isSigner: boolean;
  isWritable: boolean;
}

export interface JupiterInstruction {
  programId: string;
  accounts: JupiterAccountMeta[];
  data: Uint8Array;
}

export interface JupiterSwapInstructions {
  tokenLedgerInstruction: JupiterInstruction | null;
  computeBudgetInstructions: JupiterInstruction[];
  setupInstructions: JupiterInstruction[];
  swapInstruction: JupiterInstruction;
  cleanupInstruction: JupiterInstruction | null;
  /** E.g. the Jito tip transfer when the tip was asked of Jupiter. */
  otherInstructions: JupiterInstruction[];
  addressLookupTableAddresses: string[];
  prioritizationFeeLamports: bigint | undefined;
  computeUnitLimit: number | undefined;
  simulationSlot: number | undefined;
  simulationError: unknown;
  /** Base58 blockhash Jupiter simulated against (sent as 32 bytes), when given. */
  blockhash: string | undefined;
  lastValidBlockHeight: number | undefined;
}

class Reader {
  constructor(private readonly endpoint: string) {}

  fail(field: string, value: unknown, expected: string): never {
    const shown = typeof value === 'string' && value.length > 80 ? `${value.slice(0, 80)}…` : value;
    throw quoteError('QUOTE_BAD_RESPONSE', `Jupiter ${this.endpoint}: field '${field}' must be ${expected}; got ${JSON.stringify(shown)}`, { endpoint: this.endpoint, field, value: shown, expected });
  }

  object(v: unknown, field: string): Record<string, unknown> {
    if (v === null || typeof v !== 'object' || Array.isArray(v)) this.fail(field, v, 'an object');
    return v as Record<string, unknown>;
  }

  array(v: unknown, field: string): unknown[] {
    if (!Array.isArray(v)) this.fail(field, v, 'an array');
    return v as unknown[];
  }

  string(v: unknown, field: string): string {
    if (typeof v !== 'string') this.fail(field, v, 'a string');
    return v as string;
  }

  pubkey(v: unknown, field: string): string {
    if (!isAddress(v)) this.fail(field, v, 'a base58 address');
    return v as string;
  }

  atoms(v: unknown, field: string): bigint {
    if (typeof v !== 'string' || !/^\d{1,20}$/.test(v) || BigInt(v) > 0xffff_ffff_ffff_ffffn) this.fail(field, v, 'atoms as a decimal string (u64)');
    return BigInt(v as string);
  }

  integer(v: unknown, field: string): number {
    if (typeof v !== 'number' || !Number.isSafeInteger(v) || v < 0) this.fail(field, v, 'a non-negative integer');
    return v as number;
  }

  optionalInteger(v: unknown, field: string): number | undefined {
    return v === undefined || v === null ? undefined : this.integer(v, field);
  }

  boolean(v: unknown, field: string): boolean {
    if (typeof v !== 'boolean') this.fail(field, v, 'true or false');
    return v as boolean;
  }

  instruction(v: unknown, field: string): JupiterInstruction {
    const o = this.object(v, field);
    const data = this.string(o.data, `${field}.data`);
    if (!/^[A-Za-z0-9+/]*={0,2}$/.test(data)) this.fail(`${field}.data`, data, 'base64');
    return {
      programId: this.pubkey(o.programId, `${field}.programId`),
      accounts: this.array(o.accounts, `${field}.accounts`).map((a, i) => {
        const m = this.object(a, `${field}.accounts[${i}]`);
        return {
          pubkey: this.pubkey(m.pubkey, `${field}.accounts[${i}].pubkey`),
          isSigner: this.boolean(m.isSigner, `${field}.accounts[${i}].isSigner`),
          isWritable: this.boolean(m.isWritable, `${field}.accounts[${i}].isWritable`),
        };
      }),
      data: new Uint8Array(Buffer.from(data, 'base64')),
    };
  }

  instructions(v: unknown, field: string): JupiterInstruction[] {
    if (v === undefined || v === null) return [];
    return this.array(v, field).map((ix, i) => this.instruction(ix, `${field}[${i}]`));
  }
}

/** Parses a GET /quote answer. */
export function parseQuoteResponse(body: unknown): JupiterQuote {
  const r = new Reader('/quote');
  const o = r.object(body, '(response)');
  const swapMode = o.swapMode;
  if (swapMode !== 'ExactIn' && swapMode !== 'ExactOut') r.fail('swapMode', swapMode, "'ExactIn' or 'ExactOut'");
  const impact = r.string(o.priceImpactPct, 'priceImpactPct');
  if (!/^-?\d+(\.\d+)?(e-?\d+)?$/i.test(impact)) r.fail('priceImpactPct', impact, 'a decimal string');
  let platformFee: JupiterQuote['platformFee'] = null;
  if (o.platformFee !== null && o.platformFee !== undefined) {
    const pf = r.object(o.platformFee, 'platformFee');
    platformFee = { amount: r.atoms(pf.amount, 'platformFee.amount'), feeBps: r.integer(pf.feeBps, 'platformFee.feeBps') };
  }
  const plan = r.array(o.routePlan, 'routePlan');
  if (!plan.length) r.fail('routePlan', plan, 'at least one step');
  const routePlan = plan.map((step, i) => {
    const s = r.object(step, `routePlan[${i}]`);
    const si = r.object(s.swapInfo, `routePlan[${i}].swapInfo`);
    const f = (name: string) => `routePlan[${i}].swapInfo.${name}`;
    const percent = s.percent;
    if (typeof percent !== 'number' || !(percent > 0 && percent <= 100)) r.fail(`routePlan[${i}].percent`, percent, 'a number in (0, 100]');
    return {
      swapInfo: {
        ammKey: r.pubkey(si.ammKey, f('ammKey')),
        label: si.label === undefined || si.label === null ? 'unknown' : r.string(si.label, f('label')),
        inputMint: r.pubkey(si.inputMint, f('inputMint')),
        outputMint: r.pubkey(si.outputMint, f('outputMint')),
        inAmount: r.atoms(si.inAmount, f('inAmount')),
        outAmount: r.atoms(si.outAmount, f('outAmount')),
        feeAmount: r.atoms(si.feeAmount, f('feeAmount')),
        feeMint: r.pubkey(si.feeMint, f('feeMint')),
      },
      percent: percent as number,
    };
  });
  const timeTaken = o.timeTaken;
  return {
    inputMint: r.pubkey(o.inputMint, 'inputMint'),
    outputMint: r.pubkey(o.outputMint, 'outputMint'),
    inAmount: r.atoms(o.inAmount, 'inAmount'),
    outAmount: r.atoms(o.outAmount, 'outAmount'),
    otherAmountThreshold: r.atoms(o.otherAmountThreshold, 'otherAmountThreshold'),
    swapMode: swapMode as 'ExactIn' | 'ExactOut',
    slippageBps: r.integer(o.slippageBps, 'slippageBps'),
    priceImpactPct: impact,
    platformFee,
    routePlan,
    contextSlot: r.optionalInteger(o.contextSlot, 'contextSlot'),
    timeTaken: typeof timeTaken === 'number' ? timeTaken : undefined,
    raw: o,
  };
}

/** Parses a POST /swap-instructions answer. */
export function parseSwapInstructionsResponse(body: unknown): JupiterSwapInstructions {
  const r = new Reader('/swap-instructions');
  const o = r.object(body, '(response)');
  if (o.swapInstruction === undefined || o.swapInstruction === null) r.fail('swapInstruction', o.swapInstruction, 'an instruction');
  let blockhash: string | undefined;
  let lastValidBlockHeight: number | undefined;
  if (o.blockhashWithMetadata !== undefined && o.blockhashWithMetadata !== null) {
    const b = r.object(o.blockhashWithMetadata, 'blockhashWithMetadata');
    const bytes = r.array(b.blockhash, 'blockhashWithMetadata.blockhash');
    if (bytes.length !== 32 || !bytes.every((x) => Number.isInteger(x) && (x as number) >= 0 && (x as number) <= 255)) {
      r.fail('blockhashWithMetadata.blockhash', bytes, 'an array of 32 bytes');
    }
    blockhash = bs58.encode(Uint8Array.from(bytes as number[]));
    lastValidBlockHeight = r.optionalInteger(b.lastValidBlockHeight, 'blockhashWithMetadata.lastValidBlockHeight');
  }
  const prio = o.prioritizationFeeLamports;
  return {
    tokenLedgerInstruction: o.tokenLedgerInstruction === null || o.tokenLedgerInstruction === undefined ? null : r.instruction(o.tokenLedgerInstruction, 'tokenLedgerInstruction'),
    computeBudgetInstructions: r.instructions(o.computeBudgetInstructions, 'computeBudgetInstructions'),
    setupInstructions: r.instructions(o.setupInstructions, 'setupInstructions'),
    swapInstruction: r.instruction(o.swapInstruction, 'swapInstruction'),
    cleanupInstruction: o.cleanupInstruction === null || o.cleanupInstruction === undefined ? null : r.instruction(o.cleanupInstruction, 'cleanupInstruction'),
    otherInstructions: r.instructions(o.otherInstructions, 'otherInstructions'),
    addressLookupTableAddresses: (o.addressLookupTableAddresses === null || o.addressLookupTableAddresses === undefined ? [] : r.array(o.addressLookupTableAddresses, 'addressLookupTableAddresses')).map((a, i) =>
      r.pubkey(a, `addressLookupTableAddresses[${i}]`),
    ),
    prioritizationFeeLamports: prio === undefined || prio === null ? undefined : BigInt(r.integer(prio, 'prioritizationFeeLamports')),
    computeUnitLimit: r.optionalInteger(o.computeUnitLimit, 'computeUnitLimit'),
    simulationSlot: r.optionalInteger(o.simulationSlot, 'simulationSlot'),
    simulationError: o.simulationError ?? null,
    blockhash,
    lastValidBlockHeight,
  };
}
