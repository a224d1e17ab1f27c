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
        tipFloorUrl: { type: 'string', pattern: '^https?://', description: "Jito's tip floor REST endpoint (e.g. https://bundles.jito.wtf/api/v1/bundles/tip_floor): read by `run --live` so the `tip` fact follows the competition's tips. Unset: no tip fact; tips come from the routing params alone." },
        tipFloorRefreshMs: { type: 'integer', minimum: 500, default: 10000, description: 'How often the tip floor is read again (ms).' },
        ...LIVE_COMMON,
      },
      additionalProperties: false,
    },
    (name, e) => (typeof e.blockEngine === 'string' ? [] : [`strategies.yaml executors.${name}: a jito executor needs blockEngine (a URL for transport json-rpc, host:port for grpc)`]),
  );
