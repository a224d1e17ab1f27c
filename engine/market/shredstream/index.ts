/** Shredstream: entries from a Jito shredstream proxy as a trigger for RPC refreshes of the watched accounts. */
export { ShredstreamSource } from './source.ts';
export { decodeEntries, type ShredEntry, type ShredTransaction } from './entries.ts';
export { shredstreamProxyClient, shredstreamProxyService, SHREDSTREAM_PROXY_PROTO, type ShredstreamEntryMessage } from './client.ts';
