/**
 * The executors' HTTP client for JSON-RPC: `fetch`'s shape over `node:http(s)` with keep-alive
 * agents. Node's built-in fetch (undici) costs several times the CPU of a plain `http.request`
 * per call (measured on this 2-core machine: ~1.0–2.8 ms against ~0.3–0.5 ms per loopback
 * round trip, client and server), and a send makes several calls (the guard's account read and
 * simulation, the send itself), on the same event loop as the scanners and the rules.
 */
import { Agent as HttpAgent, request as httpRequest, type IncomingHttpHeaders } from 'node:http';
import { Agent as HttpsAgent, request as httpsRequest } from 'node:https';

// No socket limit, as undici's default: a send never waits client-side behind a slow answer.
const httpAgent = new HttpAgent({ keepAlive: true });
const httpsAgent = new HttpsAgent({ keepAlive: true });

/** Statuses whose response has no body (a Response built with one throws). */
const NULL_BODY = new Set([101, 204, 205, 304]);

function plainHeaders(h: IncomingHttpHeaders): [string, string][] {
  const out: [string, string][] = [];
  for (const [k, v] of Object.entries(h)) if (v !== undefined) out.push([k, Array.isArray(v) ? v.join(', ') : v]);
  return out;
}

/**
 * `fetch` for requests whose body is a string (or none) and whose headers are a plain object — what
 * the executors send; anything else goes to the built-in fetch. Honors `init.signal` (a timeout's
 * `TimeoutError` is the rejection, as with fetch).
 */
export const keepAliveFetch: typeof fetch = (input, init) => {
  const body = init?.body;
  const headers = init?.headers;
  const href = typeof input === 'string' ? input : input instanceof URL ? input.href : undefined;
  if (href === undefined || (body != null && typeof body !== 'string') || headers instanceof Headers || Array.isArray(headers)) return fetch(input, init);
  const url = new URL(href);
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return fetch(input, init);
  const signal = init?.signal ?? undefined;
  return new Promise<Response>((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason);
    const https = url.protocol === 'https:';
    const send = https ? httpsRequest : httpRequest;
    const outHeaders: Record<string, string | number> = { ...(headers as Record<string, string> | undefined) };
    if (body != null) outHeaders['content-length'] = Buffer.byteLength(body);
    const onAbort = () => {
      req.destroy();
      reject(signal!.reason);
    };
    const req = send(url, { method: init?.method ?? 'GET', agent: https ? httpsAgent : httpAgent, headers: outHeaders }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('error', reject);
      res.on('end', () => {
        signal?.removeEventListener('abort', onAbort);
        const status = res.statusCode ?? 0;
        resolve(new Response(NULL_BODY.has(status) ? null : Buffer.concat(chunks), { status, statusText: res.statusMessage ?? '', headers: plainHeaders(res.headers) }));
      });
    });
    signal?.addEventListener('abort', onAbort, { once: true });
    req.on('error', (err) => {
      signal?.removeEventListener('abort', onAbort);
      reject(err);
    });
    req.end(body ?? undefined);
  });
};
