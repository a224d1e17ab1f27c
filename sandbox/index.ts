/**
 * The local Solana sandbox: a simulated cluster (not a validator) on loopback over LiteSVM, with
 * HTTP JSON-RPC, WebSocket PubSub, a Jito block engine (JSON-RPC and gRPC), a slot clock, account
 * loading and fault switches. See docs/sandbox.md.
 *
 * Import this module before anything that loads @grpc/grpc-js or jito-ts (see trust-env.ts).
 */
import './trust-env.ts';

export { startSandbox, type Sandbox, type SandboxOptions, type SandboxStats, type AccountLoadReport } from './sandbox.ts';
export type { AccountState, AccountWrite, TxRecord, SandboxChain, Commitment } from './chain.ts';
export { MAX_PROCESSING_AGE } from './chain.ts';
export type { FaultSettings, FaultCounters, Faults } from './faults.ts';
export { JITO_TIP_ACCOUNTS, MIN_TIP_LAMPORTS, MAX_BUNDLE_TRANSACTIONS, TIP_LOCK_MESSAGE, bundleIdOf, type BundleRecord, type BundleStatus } from './jito.ts';
export { createLoopbackCertificate, ensureSandboxTls, trustSandboxTls, writeTrustBundle, sandboxTlsDir, type SandboxTls } from './tls.ts';
export type { WireTap, TipFloorSample } from './types.ts';
