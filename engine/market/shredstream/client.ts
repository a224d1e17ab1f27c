/**
 * gRPC client of a Jito shredstream proxy (`shredstream.ShredstreamProxy/SubscribeEntries`, a
 * server stream of `{ slot, entries }`). jito-ts 4.x ships only the block engine's heartbeat
 * service (`Shredstream/SendHeartbeat`, which keeps a proxy registered), not this one, so the
 * service is declared here from jito-labs/mev-protos `shredstream.proto` and served by grpc-js.
 */
import * as grpc from '@grpc/grpc-js';
import { fromJSON } from '@grpc/proto-loader';

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
export function shredstreamProxyService(): grpc.ServiceClientConstructor {
  const pkg = grpc.loadPackageDefinition(fromJSON(SHREDSTREAM_PROXY_PROTO as Parameters<typeof fromJSON>[0], { longs: String, defaults: true })) as unknown as { shredstream: { ShredstreamProxy: grpc.ServiceClientConstructor } };
  return pkg.shredstream.ShredstreamProxy;
}

/** A client for `host:port` (plaintext, as the proxy serves) or `https://host:port` (TLS). */
export function shredstreamProxyClient(url: string): grpc.Client & { SubscribeEntries(req: object): grpc.ClientReadableStream<ShredstreamEntryMessage> } {
  const Client = shredstreamProxyService();
  const tls = url.startsWith('https://');
  const address = url.replace(/^(https?|grpc):\/\//, '');
  return new Client(address, tls ? grpc.credentials.createSsl() : grpc.credentials.createInsecure()) as never;
}
