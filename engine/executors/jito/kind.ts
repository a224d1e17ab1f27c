/** The jito executor kind: bundles to a Jito block engine. */
import { LIVE_COMMON, liveKind } from '../live/kind.ts';

export const jitoKind = liveKind(
    'jito',
    'Jito bundles (jito-ts gRPC or JSON-RPC) with a tip from the routing rule.',
    {
      type: 'object',
      properties: {
        type: { const: 'jito' },
        transport: { enum: ['grpc', 'json-rpc'], default: 'grpc' },
        blockEngine: { type: 'string', description: 'host:port for grpc, a URL for json-rpc.' },
        tipPlacement: { enum: ['inline', 'separate'] },
        maxBundleSends: { type: 'integer', minimum: 1 },
        ...LIVE_COMMON,
      },
      additionalProperties: false,
    },
    (name, e) => (typeof e.blockEngine === 'string' ? [] : [`strategies.yaml executors.${name}: a jito executor needs blockEngine (a URL for transport json-rpc, host:port for grpc)`]),
  );
