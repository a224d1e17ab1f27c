/** What crosses the wire: JSON payloads, headers without NATS's own, connection URLs. */
import { headers as natsHeaders, type MsgHdrs } from '@nats-io/transport-node';
import { payloadJson } from '../delivery.ts';

/** Header carrying the inbox of a request made on a stored subject. */
export const REPLY_HEADER = 'solrules-reply-to';
export const enc = new TextEncoder();
export const dec = new TextDecoder();

/** JSON bytes of a payload; BUS_ENCODE naming the subject when it is not JSON (bigints). */
export function encode(subject: string, data: unknown): Uint8Array {
  return enc.encode(payloadJson(subject, data));
}

/** NATS headers from a plain record (undefined when empty). */
export function toHeaders(h: Record<string, string>): MsgHdrs | undefined {
  const keys = Object.keys(h);
  if (!keys.length) return undefined;
  const out = natsHeaders();
  for (const k of keys) out.set(k, h[k]!);
  return out;
}

/** A plain record of the headers, without NATS's own `Nats-*`. */
export function fromHeaders(h: MsgHdrs | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  if (!h) return out;
  for (const k of h.keys()) if (!k.startsWith('Nats-')) out[k] = h.get(k);
  return out;
}

/** Consumer names may not hold '.', '*', '>' or spaces. */
export function consumerName(s: string): string {
  return s.replace(/[^A-Za-z0-9_-]/g, '_');
}

/** Parses `nats://[user:pass@]host:port[,host2:port2]` into connect options. */
export function natsConnectOptions(servers: string | string[]): { servers: string[]; user?: string; pass?: string } {
  const list = (Array.isArray(servers) ? servers : servers.split(',')).map((s) => s.trim()).filter(Boolean);
  let user: string | undefined;
  let pass: string | undefined;
  const clean = list.map((s) => {
    const u = new URL(s.includes('://') ? s : `nats://${s}`);
    if (u.username) {
      user = decodeURIComponent(u.username);
      pass = decodeURIComponent(u.password);
    }
    return `${u.hostname}:${u.port || '4222'}`;
  });
  return { servers: clean, ...(user ? { user, pass: pass ?? '' } : {}) };
}
