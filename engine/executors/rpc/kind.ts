/** The rpc executor kind: signed transactions over JSON-RPC. */
import { LIVE_COMMON, liveKind } from '../live/kind.ts';

export const rpcKind = liveKind(
    'rpc',
    'Signed transactions over JSON-RPC, rebroadcast until they land or expire, failover across endpoints.',
    { type: 'object', properties: { type: { const: 'rpc' }, endpoints: { type: 'array', items: { type: 'string' }, minItems: 1 }, rebroadcastMs: { type: 'integer', minimum: 1 }, ...LIVE_COMMON }, additionalProperties: false },
    (name, e) => (Array.isArray(e.endpoints) && e.endpoints.length > 0 ? [] : [`strategies.yaml executors.${name}: an rpc executor needs endpoints: [<url>, ...]`]),
  );
