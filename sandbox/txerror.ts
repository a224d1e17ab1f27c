/**
 * LiteSVM's transaction errors turned into what Solana RPC sends: the serde JSON of
 * `TransactionError` (`"BlockhashNotFound"`, `{"InstructionError":[0,{"Custom":1}]}`) and the
 * Display text agave puts in preflight error messages.
 */

/** `TransactionError` as RPC JSON. */
export type TxErrorJson = string | Record<string, unknown>;

// Order of litesvm's `TransactionErrorFieldless` (dist/internal.d.ts, litesvm 0.8).
const TX_FIELDLESS = [
  'AccountInUse', 'AccountLoadedTwice', 'AccountNotFound', 'ProgramAccountNotFound', 'InsufficientFundsForFee',
  'InvalidAccountForFee', 'AlreadyProcessed', 'BlockhashNotFound', 'CallChainTooDeep', 'MissingSignatureForFee',
  'InvalidAccountIndex', 'SignatureFailure', 'InvalidProgramForExecution', 'SanitizeFailure', 'ClusterMaintenance',
  'AccountBorrowOutstanding', 'WouldExceedMaxBlockCostLimit', 'UnsupportedVersion', 'InvalidWritableAccount',
  'WouldExceedMaxAccountCostLimit', 'WouldExceedAccountDataBlockLimit', 'TooManyAccountLocks', 'AddressLookupTableNotFound',
  'InvalidAddressLookupTableOwner', 'InvalidAddressLookupTableData', 'InvalidAddressLookupTableIndex',
  'InvalidRentPayingAccount', 'WouldExceedMaxVoteCostLimit', 'WouldExceedAccountDataTotalLimit',
  'MaxLoadedAccountsDataSizeExceeded', 'ResanitizationNeeded', 'InvalidLoadedAccountsDataSizeLimit',
  'UnbalancedTransaction', 'ProgramCacheHitMaxLimit', 'CommitCancelled',
] as const;

// Order of litesvm's `InstructionErrorFieldless`.
const IX_FIELDLESS = [
  'GenericError', 'InvalidArgument', 'InvalidInstructionData', 'InvalidAccountData', 'AccountDataTooSmall',
  'InsufficientFunds', 'IncorrectProgramId', 'MissingRequiredSignature', 'AccountAlreadyInitialized',
  'UninitializedAccount', 'UnbalancedInstruction', 'ModifiedProgramId', 'ExternalAccountLamportSpend',
  'ExternalAccountDataModified', 'ReadonlyLamportChange', 'ReadonlyDataModified', 'DuplicateAccountIndex',
  'ExecutableModified', 'RentEpochModified', 'NotEnoughAccountKeys', 'AccountDataSizeChanged', 'AccountNotExecutable',
  'AccountBorrowFailed', 'AccountBorrowOutstanding', 'DuplicateAccountOutOfSync', 'InvalidError',
  'ExecutableDataModified', 'ExecutableLamportChange', 'ExecutableAccountNotRentExempt', 'UnsupportedProgramId',
  'CallDepth', 'MissingAccount', 'ReentrancyNotAllowed', 'MaxSeedLengthExceeded', 'InvalidSeeds', 'InvalidRealloc',
  'ComputationalBudgetExceeded', 'PrivilegeEscalation', 'ProgramEnvironmentSetupFailure', 'ProgramFailedToComplete',
  'ProgramFailedToCompile', 'Immutable', 'IncorrectAuthority', 'AccountNotRentExempt', 'InvalidAccountOwner',
  'ArithmeticOverflow', 'UnsupportedSysvar', 'IllegalOwner', 'MaxAccountsDataAllocationsExceeded', 'MaxAccountsExceeded',
  'MaxInstructionTraceLengthExceeded', 'BuiltinProgramsMustConsumeComputeUnits', 'BorshIoError',
] as const;

/** Display texts from solana-transaction-error, for the variants clients meet in practice. */
const TX_TEXT: Record<string, string> = {
  AccountInUse: 'Account in use',
  AccountLoadedTwice: 'Account loaded twice',
  AccountNotFound: 'Attempt to debit an account but found no record of a prior credit.',
  ProgramAccountNotFound: 'Attempt to load a program that does not exist',
  InsufficientFundsForFee: 'Insufficient funds for fee',
  InvalidAccountForFee: 'This account may not be used to pay transaction fees',
  AlreadyProcessed: 'This transaction has already been processed',
  BlockhashNotFound: 'Blockhash not found',
  SignatureFailure: 'Transaction did not pass signature verification',
  InvalidProgramForExecution: 'This program may not be used for executing instructions',
  SanitizeFailure: 'Transaction failed to sanitize accounts offsets correctly',
  AddressLookupTableNotFound: "Transaction loads an address table account that doesn't exist",
  InvalidAddressLookupTableOwner: 'Transaction loads an address table account with an invalid owner',
  InvalidAddressLookupTableData: 'Transaction loads an address table account with invalid data',
  InvalidAddressLookupTableIndex: 'Transaction address table lookup uses an invalid index',
  TooManyAccountLocks: 'Transaction locked too many accounts',
  UnbalancedTransaction: 'Sum of account balances before and after transaction do not match',
};

const IX_TEXT: Record<string, string> = {
  GenericError: 'generic instruction error',
  InvalidArgument: 'invalid program argument',
  InvalidInstructionData: 'invalid instruction data',
  InvalidAccountData: 'invalid account data for instruction',
  AccountDataTooSmall: 'account data too small for instruction',
  InsufficientFunds: 'insufficient funds for instruction',
  IncorrectProgramId: 'incorrect program id for instruction',
  MissingRequiredSignature: 'missing required signature for instruction',
  AccountAlreadyInitialized: 'instruction requires an uninitialized account',
  UninitializedAccount: 'instruction requires an initialized account',
  UnbalancedInstruction: 'sum of account balances before and after instruction do not match',
  ComputationalBudgetExceeded: 'Computational budget exceeded',
  ProgramFailedToComplete: 'Program failed to complete',
  InvalidAccountOwner: 'Invalid account owner',
  ArithmeticOverflow: 'Program arithmetic overflowed',
  IllegalOwner: 'Provided owner is not allowed',
  NotEnoughAccountKeys: 'insufficient account keys for instruction',
  MissingAccount: 'An account required by the instruction is missing',
  PrivilegeEscalation: 'Cross-program invocation with unauthorized signer or writable account',
  AccountNotRentExempt: 'An account does not have enough lamports to be rent-exempt',
  IncorrectAuthority: 'Incorrect authority provided',
  Immutable: 'Account is immutable',
};

function humanize(name: string): string {
  return name.replace(/([a-z])([A-Z])/g, '$1 $2').toLowerCase();
}

interface LiteInstructionError {
  code?: number;
  msg?: string;
}

function instructionErrorJson(err: unknown): string | Record<string, unknown> {
  if (typeof err === 'number') return IX_FIELDLESS[err] ?? `InstructionError${err}`;
  const e = err as LiteInstructionError;
  if (typeof e?.code === 'number') return { Custom: e.code };
  if (typeof e?.msg === 'string') return { BorshIoError: e.msg };
  return 'GenericError';
}

/** Converts a LiteSVM `err()` value (number or error class instance) into RPC JSON. */
export function txErrorJson(err: unknown): TxErrorJson {
  if (typeof err === 'number') return TX_FIELDLESS[err] ?? `TransactionError${err}`;
  const e = err as { index?: number; accountIndex?: number; err?: () => unknown; constructor?: { name?: string } };
  const kind = e?.constructor?.name ?? '';
  if (typeof e?.err === 'function') return { InstructionError: [e.index ?? 0, instructionErrorJson(e.err())] };
  if (kind.includes('DuplicateInstruction')) return { DuplicateInstruction: e.index ?? 0 };
  if (kind.includes('InsufficientFundsForRent')) return { InsufficientFundsForRent: { account_index: e.accountIndex ?? 0 } };
  if (kind.includes('ProgramExecutionTemporarilyRestricted')) {
    return { ProgramExecutionTemporarilyRestricted: { account_index: e.accountIndex ?? 0 } };
  }
  return String(err);
}

/** The Display text agave prints for a transaction error, e.g. in "Transaction simulation failed: …". */
export function describeTxError(err: TxErrorJson): string {
  if (typeof err === 'string') return TX_TEXT[err] ?? humanize(err);
  const [kind, value] = Object.entries(err)[0] ?? ['Unknown', null];
  if (kind === 'InstructionError' && Array.isArray(value)) {
    const [index, ixErr] = value as [number, string | Record<string, unknown>];
    let text: string;
    if (typeof ixErr === 'string') text = IX_TEXT[ixErr] ?? humanize(ixErr);
    else if ('Custom' in ixErr) text = `custom program error: 0x${Number(ixErr.Custom).toString(16)}`;
    else text = `${Object.keys(ixErr)[0]}: ${String(Object.values(ixErr)[0])}`;
    return `Error processing Instruction ${index}: ${text}`;
  }
  if (kind === 'InsufficientFundsForRent') {
    return `Transaction results in an account (${(value as { account_index: number }).account_index}) with insufficient funds for rent`;
  }
  if (kind === 'DuplicateInstruction') return `Transaction contains a duplicate instruction (${String(value)}) that is not allowed`;
  return humanize(kind);
}
