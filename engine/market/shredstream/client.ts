/**
 * gRPC client of a Jito shredstream proxy (`shredstream.ShredstreamProxy/SubscribeEntries`, a
 * server stream of `{ slot, entries }`). jito-ts 4.x ships only the block engine's heartbeat
 * service (`Shredstream/SendHeartbeat`, which keeps a proxy registered), not this one, so the
 * service is declared here from jito-labs/mev-protos `shredstream.proto` and served by grpc-js.
 */
import { createRequire } from 'node:module';
import type * as Grpc from '@grpc/grpc-js';
import type * as ProtoLoader from '@grpc/proto-loader';

/**
 * grpc-js and proto-loader load on the first shredstream client, not with the market module:
 * every chain run imports engine/market, few use shredstream, and the two cost ~4 MB resident.
 */
const load = (() => {
  let mods: { grpc: typeof Grpc; fromJSON: typeof ProtoLoader.fromJSON } | undefined;
  return () => {
    if (!mods) {
      const require = createRequire(import.meta.url);
      mods = { grpc: require('@grpc/grpc-js') as typeof Grpc, fromJSON: (require('@grpc/proto-loader') as typeof ProtoLoader).fromJSON };
    }
    return mods;
  };
})();

/** `shredstream.proto` (ShredstreamProxy part) as a protobufjs JSON descriptor. */
export const SHREDSTREAM_PROXY_PROTO = {
  nested: {
    shredstream: {
      nested: {
        ShredstreamProxy: {
          methods: {
            SubscribeEntries: { requestType: 'SubscribeEntriesRequest', responseType: 'Entry', responseStream: true },
          },
        },
        SubscribeEntriesRequest: { fields: {} },
        Entry: {
          fields: {
            /** The slot the entries are from. */
            slot: { type: 'uint64', id: 1 },
            /** bincode of Vec<solana_entry::Entry>. */
            entries: { type: 'bytes', id: 2 },
          },
        },
      },
    },
  },
};

export interface ShredstreamEntryMessage {
  /** u64 as a decimal string. */
  slot: string;
  entries: Buffer;
}

/** The service definition and client constructor (servers in tests use the same definition). */
export function shredstreamProxyService(): Grpc.ServiceClientConstructor {
  const { grpc, fromJSON } = load();
  const pkg = grpc.loadPackageDefinition(fromJSON(SHREDSTREAM_PROXY_PROTO as Parameters<typeof fromJSON>[0], { longs: String, defaults: true })) as unknown as { shredstream: { ShredstreamProxy: Grpc.ServiceClientConstructor } };
  return pkg.shredstream.ShredstreamProxy;
}

/** A client for `host:port` (plaintext, as the proxy serves) or `https://host:port` (TLS). */
export function shredstreamProxyClient(url: string): Grpc.Client & { SubscribeEntries(req: object): Grpc.ClientReadableStream<ShredstreamEntryMessage> } {
  const { grpc } = load();
  const Client = shredstreamProxyService();
  const tls = url.startsWith('https://');
  const address = url.replace(/^(https?|grpc):\/\//, '');
  return new Client(address, tls ? grpc.credentials.createSsl() : grpc.credentials.createInsecure()) as never;
}
