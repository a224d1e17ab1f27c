/**
 * The telemetry HTTP server: GET /metrics (Prometheus text), /healthz, /readyz, and the admin
 * actions (POST /admin/pause | resume | kill | release | reload, GET /admin/status).
 *
 * It listens on loopback by default. Admin requests need `Authorization: Bearer <token>` with
 * the token from SOLRULES_ADMIN_TOKEN; without a configured token every admin request is
 * refused, and admin requests from a non-loopback peer are refused even when the server is bound
 * wider (so /metrics can be scraped from a container network while control stays local).
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { SolrulesError } from '../../errors/index.ts';
import { health as defaultHealth, type Health } from './health.ts';
import { logger } from './log.ts';
import { enableProcessMetrics, metrics, registry as defaultRegistry } from './metrics.ts';
import type { Registry } from 'prom-client';

/** What the admin endpoints do; engine/control implements it (apply here, then tell every instance over the bus). */
export interface AdminActions {
  pause(reason?: string): Promise<unknown>;
  resume(reason?: string): Promise<unknown>;
  kill(reason?: string): Promise<unknown>;
  release(reason?: string): Promise<unknown>;
  reload(reason?: string): Promise<unknown>;
  /** Back to the applied rule set `hash` (a unique prefix; undefined: the previous one), on every instance. */
  rollback(reason?: string, hash?: string): Promise<unknown>;
  status(): Promise<unknown>;
  /** The applied rule-set versions, oldest first, the running one marked. */
  versions(): Promise<unknown>;
}

export const ADMIN_ACTIONS = ['pause', 'resume', 'kill', 'release', 'reload', 'rollback', 'status', 'versions'] as const;
/** Admin actions that only read (GET); the others change something (POST). */
const READ_ACTIONS: readonly string[] = ['status', 'versions'];
export type AdminAction = (typeof ADMIN_ACTIONS)[number];

const READINESS_REFRESH_MS = 5_000;

/** Default port (SOLRULES_METRICS_PORT overrides; 0 picks a free one). */
export const DEFAULT_TELEMETRY_PORT = 9464;

export interface TelemetryServerOptions {
  /** Default SOLRULES_METRICS_HOST, then 127.0.0.1. */
  host?: string;
  /** Default SOLRULES_METRICS_PORT, then 9464. 0 = any free port. */
  port?: number;
  /** Default SOLRULES_ADMIN_TOKEN. Unset or empty: admin endpoints refuse every request. */
  adminToken?: string;
  admin?: AdminActions;
  health?: Health;
  registry?: Registry;
  /** Add process and Node.js metrics (default true). */
  processMetrics?: boolean;
}

export interface TelemetryServer {
  readonly url: string;
  readonly host: string;
  readonly port: number;
  close(): Promise<void>;
}

const sha = (s: string) => createHash('sha256').update(s).digest();

/** Constant-time bearer check; false for a missing or malformed header. */
export function bearerMatches(header: string | undefined, token: string): boolean {
  const m = /^Bearer\s+(\S+)\s*$/i.exec(header ?? '');
  if (!m) return false;
  return timingSafeEqual(sha(m[1]!), sha(token));
}

function isLoopback(address: string | undefined): boolean {
  if (!address) return false;
  return address === '::1' || address.startsWith('127.') || address.startsWith('::ffff:127.');
}

function send(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  const text = typeof body === 'string' ? body : `${JSON.stringify(body)}\n`;
  res.writeHead(status, { 'content-type': typeof body === 'string' ? 'text/plain; charset=utf-8' : 'application/json', 'cache-control': 'no-store', ...headers });
  res.end(text);
}

async function readBody(req: IncomingMessage, limit = 4096): Promise<Record<string, unknown>> {
  let size = 0;
  const chunks: Buffer[] = [];
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > limit) throw new SolrulesError('TELEMETRY_BODY_TOO_LARGE', `admin request body over ${limit} bytes`, { limit });
    chunks.push(chunk as Buffer);
  }
  const text = Buffer.concat(chunks).toString('utf8').trim();
  if (!text) return {};
  try {
    const parsed = JSON.parse(text) as unknown;
    return parsed && typeof parsed === 'object' && !Array.isArray(parsed) ? (parsed as Record<string, unknown>) : {};
  } catch {
    throw new SolrulesError('TELEMETRY_BAD_BODY', 'admin request body must be a JSON object such as {"reason": "..."}', {});
  }
}

/** Starts the server; resolves once it listens. */
export async function startTelemetryServer(opts: TelemetryServerOptions = {}): Promise<TelemetryServer> {
  const host = opts.host ?? process.env.SOLRULES_METRICS_HOST ?? '127.0.0.1';
  const envPort = process.env.SOLRULES_METRICS_PORT;
  const port = opts.port ?? (envPort !== undefined && envPort !== '' ? Number(envPort) : DEFAULT_TELEMETRY_PORT);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new SolrulesError('TELEMETRY_BAD_PORT', `metrics port must be an integer 0..65535; got ${String(envPort ?? opts.port)}`, { field: 'port', value: envPort ?? opts.port });
  const token = opts.adminToken ?? process.env.SOLRULES_ADMIN_TOKEN ?? '';
  const health = opts.health ?? defaultHealth;
  const registry = opts.registry ?? defaultRegistry;
  if (opts.processMetrics !== false && registry === defaultRegistry) enableProcessMetrics();
  const log = logger().child({ component: 'telemetry-server' });
  let readinessAt = 0;

  const admin = async (req: IncomingMessage, res: ServerResponse, action: string): Promise<void> => {
    const known = (ADMIN_ACTIONS as readonly string[]).includes(action);
    const label = known ? action : 'other';
    const refuse = (status: number, result: 'unauthorized' | 'disabled', error: string) => {
      metrics.control.adminRequests.inc({ action: label, result });
      log.warn({ action: label, status, peer: req.socket.remoteAddress }, `admin request refused: ${error}`);
      send(res, status, { error }, status === 401 ? { 'www-authenticate': 'Bearer realm="solrules-admin"' } : {});
    };
    if (!isLoopback(req.socket.remoteAddress)) return refuse(403, 'disabled', 'admin actions are accepted from loopback only');
    if (!token) return refuse(403, 'disabled', 'admin actions are disabled: set SOLRULES_ADMIN_TOKEN to enable them');
    if (!bearerMatches(req.headers.authorization, token)) return refuse(401, 'unauthorized', 'missing or wrong bearer token');
    if (!known) return send(res, 404, { error: `unknown admin action '${action}'`, actions: ADMIN_ACTIONS });
    const reads = READ_ACTIONS.includes(action);
    const wantMethod = reads ? 'GET' : 'POST';
    if (req.method !== wantMethod) return send(res, 405, { error: `use ${wantMethod} for /admin/${action}` }, { allow: wantMethod });
    if (!opts.admin) return send(res, 503, { error: 'no control plane attached to this server' });
    try {
      const body = reads ? {} : await readBody(req);
      const reason = typeof body.reason === 'string' ? body.reason.slice(0, 200) : undefined;
      const hash = typeof body.hash === 'string' ? body.hash.slice(0, 64) : undefined;
      const result =
        action === 'status' ? await opts.admin.status()
        : action === 'versions' ? await opts.admin.versions()
        : action === 'rollback' ? await opts.admin.rollback(reason, hash)
        : await opts.admin[action as 'pause' | 'resume' | 'kill' | 'release' | 'reload'](reason);
      metrics.control.adminRequests.inc({ action, result: 'ok' });
      if (!reads) log.info({ action, reason, ...(hash ? { hash } : {}) }, `admin ${action}`);
      send(res, 200, { ok: true, action, result });
    } catch (err) {
      metrics.control.adminRequests.inc({ action, result: 'error' });
      const e = err as Error;
      log.error({ action, err: e.message }, `admin ${action} failed`);
      send(res, err instanceof SolrulesError && err.code.startsWith('TELEMETRY_') ? 400 : 500, { error: e.message, ...(err instanceof SolrulesError ? { code: err.code } : {}) });
    }
  };

  const server: Server = createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0]!;
    void (async () => {
      if (path === '/metrics' && req.method === 'GET') {
        // solrules_ready follows /readyz: refreshed by scrapes, at most every few seconds
        if (Date.now() - readinessAt > READINESS_REFRESH_MS) {
          readinessAt = Date.now();
          await health.readiness(1_000);
        }
        const body = await registry.metrics();
        res.writeHead(200, { 'content-type': registry.contentType, 'cache-control': 'no-store' });
        res.end(body);
      } else if (path === '/healthz') {
        send(res, 200, { status: 'ok', uptimeSeconds: Math.round(health.uptimeSeconds()) });
      } else if (path === '/readyz') {
        const r = await health.readiness();
        send(res, r.ready ? 200 : 503, { status: r.ready ? 'ready' : 'not ready', checks: r.checks });
      } else if (path.startsWith('/admin/')) {
        await admin(req, res, path.slice('/admin/'.length));
      } else {
        send(res, 404, { error: `no such endpoint '${path}'`, endpoints: ['/metrics', '/healthz', '/readyz', '/admin/<action>'] });
      }
    })().catch((err: unknown) => {
      if (!res.headersSent) send(res, 500, { error: (err as Error).message });
      else res.destroy();
    });
  });

  await new Promise<void>((resolve, reject) => {
    const onError = (err: NodeJS.ErrnoException) =>
      reject(
        new SolrulesError(
          'TELEMETRY_LISTEN',
          `telemetry server cannot listen on ${host}:${port}: ${err.code ?? err.message}${err.code === 'EADDRINUSE' ? ' (set SOLRULES_METRICS_PORT to another port, or 0 for any free one)' : ''}`,
          { host, port },
          { cause: err },
        ),
      );
    server.once('error', onError);
    server.listen(port, host, () => {
      server.off('error', onError);
      resolve();
    });
  });
  const address = server.address() as AddressInfo;
  const urlHost = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  return {
    url: `http://${urlHost}:${address.port}`,
    host: address.address,
    port: address.port,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
