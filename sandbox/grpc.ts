/**
 * The block engine's gRPC face: `searcher.SearcherService` and `auth.AuthService`, served with
 * @grpc/grpc-js from the service definitions jito-ts ships, over TLS (jito-ts' searcherClient
 * only dials TLS). The auth service does the real challenge/response: it checks the ed25519
 * signature over "<pubkey>-<challenge>" and issues opaque expiring tokens.
 */
import { createPublicKey, randomBytes, verify } from 'node:crypto';
import * as grpc from '@grpc/grpc-js';
import bs58 from 'bs58';
import { SearcherServiceService } from 'jito-ts/dist/gen/block-engine/searcher.js';
import { AuthServiceService } from 'jito-ts/dist/gen/block-engine/auth.js';
import type { BundleResult } from 'jito-ts/dist/gen/block-engine/bundle.js';
import type { SandboxChain } from './chain.ts';
import type { Faults } from './faults.ts';
import { BlockEngine, BundleRefused, type BundleRecord } from './jito.ts';
import type { SandboxTls } from './tls.ts';

const ACCESS_TTL_MS = 30 * 60_000;
const REFRESH_TTL_MS = 24 * 3600_000;
const CHALLENGE_TTL_MS = 5 * 60_000;
const ED25519_SPKI_PREFIX = Buffer.from('302a300506032b6570032100', 'hex');
const REGION = 'sandbox';

export interface GrpcOptions {
  /** Refuse searcher calls without a valid access token (default: tokens are checked only when sent). */
  requireAuth?: boolean;
}

type Status = { code: grpc.status; details: string };
const fail = (code: grpc.status, details: string): Status => ({ code, details });

export class BlockEngineGrpc {
  readonly server = new grpc.Server();
  private readonly challenges = new Map<string, { pubkey: string; expires: number }>();
  private readonly tokens = new Map<string, { pubkey: string; expires: number; kind: 'access' | 'refresh' }>();
  private readonly streams = new Set<grpc.ServerWritableStream<unknown, BundleResult>>();
  private readonly pendingFinal = new Map<string, number>();
  private readonly detach: (() => void)[] = [];

  constructor(
    private readonly engine: BlockEngine,
    private readonly chain: SandboxChain,
    private readonly faults: Faults,
    private readonly opts: GrpcOptions = {},
  ) {
    const onBundle = (b: BundleRecord) => this.onBundle(b);
    const onSlot = () => this.flushFinalized();
    engine.on('bundle', onBundle);
    chain.on('slot', onSlot);
    this.detach.push(() => engine.off('bundle', onBundle), () => chain.off('slot', onSlot));
    this.server.addService(SearcherServiceService as unknown as grpc.ServiceDefinition, this.searcher() as unknown as grpc.UntypedServiceImplementation);
    this.server.addService(AuthServiceService as unknown as grpc.ServiceDefinition, this.auth() as unknown as grpc.UntypedServiceImplementation);
  }

  /** Binds host:port with the sandbox certificate; resolves the bound port. */
  bind(host: string, port: number, tls: SandboxTls): Promise<number> {
    const creds = grpc.ServerCredentials.createSsl(null, [{ cert_chain: Buffer.from(tls.certPem), private_key: Buffer.from(tls.keyPem) }], false);
    return new Promise((resolve, reject) => {
      this.server.bindAsync(`${host}:${port}`, creds, (err, bound) => {
        if (err) return reject(err);
        resolve(bound);
      });
    });
  }

  /** Fault gate and token check shared by every searcher call. */
  private async admit(metadata: grpc.Metadata, searcher: boolean): Promise<Status | undefined> {
    await this.faults.gate();
    if (this.faults.rateLimited) {
      this.faults.counters.rateLimited += 1;
      return fail(grpc.status.RESOURCE_EXHAUSTED, 'Rate limit exceeded (solrules sandbox fault)');
    }
    if (!searcher) return undefined;
    const header = metadata.get('authorization')[0];
    if (header === undefined) return this.opts.requireAuth ? fail(grpc.status.UNAUTHENTICATED, 'missing authorization token') : undefined;
    const token = String(header).replace(/^Bearer\s+/i, '');
    const entry = this.tokens.get(token);
    if (!entry || entry.kind !== 'access' || entry.expires < Date.now()) return fail(grpc.status.UNAUTHENTICATED, 'invalid or expired access token');
    return undefined;
  }

  private unary<Req, Res>(searcher: boolean, body: (req: Req) => Res) {
    return async (call: grpc.ServerUnaryCall<Req, Res>, callback: grpc.sendUnaryData<Res>) => {
      const refused = await this.admit(call.metadata, searcher);
      if (refused) return callback(refused);
      try {
        callback(null, body(call.request));
      } catch (err) {
        if (err instanceof BundleRefused) return callback(fail(grpc.status.INVALID_ARGUMENT, err.message));
        const status = (err as Partial<Status>).code;
        if (typeof status === 'number') return callback(err as Status);
        callback(fail(grpc.status.INTERNAL, (err as Error).message));
      }
    };
  }

  private searcher() {
    const leaders = () => {
      const slots: number[] = [];
      for (let s = this.chain.slot; s < this.chain.slot + 4; s++) slots.push(s);
      return { connectedValidators: { [this.chain.identity]: { slots } } };
    };
    return {
      sendBundle: this.unary(true, (req: { bundle?: { packets: { data: Uint8Array }[] } }) => {
        const packets = req.bundle?.packets ?? [];
        return { uuid: this.engine.sendBundle(packets.map((p) => p.data)).bundleId };
      }),
      getTipAccounts: this.unary(true, () => ({ accounts: [...this.engine.tipAccounts] })),
      // Every sandbox slot is led by the sandbox's own (Jito-running) identity.
      getNextScheduledLeader: this.unary(true, () => ({
        currentSlot: this.chain.slot,
        nextLeaderSlot: this.chain.slot,
        nextLeaderIdentity: this.chain.identity,
        nextLeaderRegion: REGION,
      })),
      getConnectedLeaders: this.unary(true, leaders),
      getConnectedLeadersRegioned: this.unary(true, () => ({ connectedValidators: { [REGION]: leaders() } })),
      getRegions: this.unary(true, () => ({ currentRegion: REGION, availableRegions: [REGION] })),
      subscribeBundleResults: async (call: grpc.ServerWritableStream<unknown, BundleResult>) => {
        const refused = await this.admit(call.metadata, true);
        if (refused) {
          call.emit('error', refused);
          return;
        }
        this.streams.add(call);
        call.on('cancelled', () => this.streams.delete(call));
        call.on('close', () => this.streams.delete(call));
      },
    };
  }

  private issue(pubkey: string, kind: 'access' | 'refresh'): { value: string; expiresAtUtc: Date } {
    const value = randomBytes(24).toString('base64url');
    const expires = Date.now() + (kind === 'access' ? ACCESS_TTL_MS : REFRESH_TTL_MS);
    this.tokens.set(value, { pubkey, expires, kind });
    return { value, expiresAtUtc: new Date(expires) };
  }

  private auth() {
    return {
      generateAuthChallenge: this.unary(false, (req: { role: number; pubkey: Uint8Array }) => {
        if (req.pubkey.length !== 32) throw fail(grpc.status.INVALID_ARGUMENT, 'pubkey must be 32 bytes');
        const challenge = randomBytes(6).toString('base64url').slice(0, 9);
        this.challenges.set(challenge, { pubkey: bs58.encode(req.pubkey), expires: Date.now() + CHALLENGE_TTL_MS });
        return { challenge };
      }),
      generateAuthTokens: this.unary(false, (req: { challenge: string; clientPubkey: Uint8Array; signedChallenge: Uint8Array }) => {
        const pubkey = bs58.encode(req.clientPubkey);
        const dash = req.challenge.indexOf('-');
        const issued = this.challenges.get(req.challenge.slice(dash + 1));
        if (dash < 0 || req.challenge.slice(0, dash) !== pubkey || !issued || issued.pubkey !== pubkey || issued.expires < Date.now()) {
          throw fail(grpc.status.PERMISSION_DENIED, 'unknown or expired challenge');
        }
        const key = createPublicKey({ key: Buffer.concat([ED25519_SPKI_PREFIX, Buffer.from(req.clientPubkey)]), format: 'der', type: 'spki' });
        if (!verify(null, Buffer.from(req.challenge), key, Buffer.from(req.signedChallenge))) throw fail(grpc.status.PERMISSION_DENIED, 'challenge signature does not verify');
        this.challenges.delete(req.challenge.slice(dash + 1));
        return { accessToken: this.issue(pubkey, 'access'), refreshToken: this.issue(pubkey, 'refresh') };
      }),
      refreshAccessToken: this.unary(false, (req: { refreshToken: string }) => {
        const entry = this.tokens.get(req.refreshToken);
        if (!entry || entry.kind !== 'refresh' || entry.expires < Date.now()) throw fail(grpc.status.UNAUTHENTICATED, 'invalid or expired refresh token');
        return { accessToken: this.issue(entry.pubkey, 'access') };
      }),
    };
  }

  private broadcast(result: BundleResult): void {
    for (const s of this.streams) {
      try {
        s.write(result);
      } catch {
        this.streams.delete(s); // a stream that went away between events
      }
    }
  }

  private onBundle(b: BundleRecord): void {
    const base = { bundleId: b.bundleId };
    if (b.status === 'Landed') {
      this.broadcast({ ...base, accepted: { slot: b.slot!, validatorIdentity: this.chain.identity } });
      this.broadcast({ ...base, processed: { validatorIdentity: this.chain.identity, slot: b.slot!, bundleIndex: 0 } });
      this.pendingFinal.set(b.bundleId, b.slot!);
      this.flushFinalized();
      return;
    }
    const msg = b.failure?.message ?? 'bundle failed';
    if (b.failure?.kind === 'simulation') this.broadcast({ ...base, rejected: { simulationFailure: { txSignature: b.failure.signature ?? '', msg } } });
    else if (b.failure?.kind === 'tip') this.broadcast({ ...base, rejected: { stateAuctionBidRejected: { auctionId: `sandbox-${this.chain.slot}`, simulatedBidLamports: 0, msg } } });
    else this.broadcast({ ...base, rejected: { droppedBundle: { msg } } });
  }

  private flushFinalized(): void {
    for (const [id, slot] of this.pendingFinal) {
      if (this.chain.commitmentOf(slot).status !== 'finalized') continue;
      this.pendingFinal.delete(id);
      this.broadcast({ bundleId: id, finalized: {} });
    }
  }

  async close(): Promise<void> {
    for (const d of this.detach) d();
    for (const s of this.streams) s.end();
    this.streams.clear();
    await new Promise<void>((resolve) => {
      const timer = setTimeout(() => {
        this.server.forceShutdown();
        resolve();
      }, 500);
      this.server.tryShutdown(() => {
        clearTimeout(timer);
        resolve();
      });
    });
  }
}
