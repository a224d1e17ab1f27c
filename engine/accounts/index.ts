/**
 * Account snapshots: the raw state of one Solana account, as read from RPC, a subscription
 * or a JSON file. Decoders in `engine/venues/*` take these; the sandbox loads them onto its chain.
 */
export type { AccountSnapshot } from './snapshot.ts';
export { parseAccountJson, loadAccountFile, loadAccountDir, type LoadAccountDirOptions } from './files.ts';
export { isAddress } from './address.ts';
