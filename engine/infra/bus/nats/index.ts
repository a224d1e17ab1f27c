/** The NATS JetStream bus: streams, durable pull consumers with explicit ack, dedup, dead letters. */
export { NatsBus, type NatsBusOptions } from './bus.ts';
export { natsConnectOptions } from './codec.ts';
export { STREAMS, DUPLICATE_WINDOW_MS, Namespace, covers, streamConfig, streamFor, type StreamKey, type StreamSpec } from './streams.ts';
