/**
 * `solrules admin pause|resume|kill|release|reload|rollback|status`: operator actions on a running engine,
 * through its telemetry server's admin endpoints (loopback, bearer token from SOLRULES_ADMIN_TOKEN).
 * The engine applies the action and tells every other instance over the bus.
 */
import { ADMIN_ACTIONS, DEFAULT_TELEMETRY_PORT, type AdminAction } from '../infra/telemetry/index.ts';
import { oneOf, parseCommandArgs, UsageError, withUsage } from './args.ts';

export const summary = 'pause, resume, kill switch, reload, rule-set rollback or status of a running engine';

const USAGE = `usage: solrules admin <action> [--reason TEXT] [--url URL] [--format text|json]
       solrules admin rollback [HASH] [--list]

actions:
  pause     stop taking new orders (orders in flight finish)
  resume    take orders again after a pause (does not release the kill switch)
  kill      engage the kill switch on every instance: no new order passes risk
  release   release the kill switch
  reload    reload rules and strategies.yaml now, on every instance
  rollback  bring every instance back to an earlier applied rule set: HASH (a unique prefix) or,
            without one, the previous one; rebuilt from the stored files, validated and
            rule-tested like a reload (refused otherwise: the running rules stay). The files on
            disk are unchanged. --list shows the applied versions.
  status    show this instance's control state, rule-set hash and readiness

options:
  --reason TEXT   recorded with the action and shown by status
  --url URL       the engine's telemetry server (default http://127.0.0.1:$SOLRULES_METRICS_PORT,
                  port ${DEFAULT_TELEMETRY_PORT} when unset)
  --format F      text (default) or json

The bearer token comes from SOLRULES_ADMIN_TOKEN (the engine reads the same variable).`;

/** Where the engine's telemetry server is, from --url or the environment. */
export function adminUrl(flag: string | undefined, env: NodeJS.ProcessEnv = process.env): string {
  if (flag) return flag.replace(/\/$/, '');
  const port = env.SOLRULES_METRICS_PORT || String(DEFAULT_TELEMETRY_PORT);
  return `http://127.0.0.1:${port}`;
}

export async function run(argv: string[]): Promise<number> {
  return withUsage(USAGE, async () => {
    const { values, positionals } = parseCommandArgs(argv, {
      list: { type: 'boolean' },
      reason: { type: 'string' },
      url: { type: 'string' },
      format: { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    });
    if (values.help) {
      console.log(USAGE);
      return 0;
    }
    const format = oneOf('format', values.format, ['text', 'json'] as const, 'text');
    if (!positionals.length) throw new UsageError('an action is required');
    const rollbackHash = positionals[0] === 'rollback' ? positionals[1] : undefined;
    if (positionals.length > (positionals[0] === 'rollback' && !values.list ? 2 : 1)) throw new UsageError(`one action expected${positionals[0] === 'rollback' ? ' (rollback takes at most one HASH)' : ''}; got ${positionals.join(' ')}`);
    if (values.list && positionals[0] !== 'rollback') throw new UsageError('--list goes with rollback (admin rollback --list)');
    if (rollbackHash !== undefined && !/^[0-9a-fA-F]{4,64}$/.test(rollbackHash)) throw new UsageError(`HASH must be a rule-set hash or a prefix of at least 4 hex digits; got '${rollbackHash}'`);
    // rollback --list reads the versions (GET /admin/versions); `versions` is not an action of its own on the command line.
    const action = values.list ? 'versions' : positionals[0]!;
    if (action === 'versions' && !values.list) throw new UsageError('use admin rollback --list to see the rule-set versions');
    if (!(ADMIN_ACTIONS as readonly string[]).includes(action)) throw new UsageError(`unknown action '${action}' (expected one of ${ADMIN_ACTIONS.filter((a) => a !== 'versions').join(', ')})`);
    const token = process.env.SOLRULES_ADMIN_TOKEN;
    if (!token) {
      console.error('error: SOLRULES_ADMIN_TOKEN is not set (the engine refuses admin requests without its token)');
      return 1;
    }
    const base = adminUrl(values.url);
    const isStatus = (action as AdminAction) === 'status' || action === 'versions';
    let res: Response;
    try {
      res = await fetch(`${base}/admin/${action}`, {
        method: isStatus ? 'GET' : 'POST',
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
        ...(isStatus ? {} : { body: JSON.stringify({ ...(values.reason ? { reason: values.reason } : {}), ...(rollbackHash ? { hash: rollbackHash.toLowerCase() } : {}) }) }),
        signal: AbortSignal.timeout(10_000),
      });
    } catch (err) {
      const cause = (err as { cause?: { code?: string } }).cause?.code ?? (err as Error).message;
      console.error(`error: no engine answered at ${base} (${cause}); is it running with its telemetry server on that port?`);
      return 1;
    }
    const body = (await res.json().catch(() => ({}))) as { ok?: boolean; error?: string; result?: Record<string, unknown> };
    if (!res.ok) {
      console.error(`error: ${action} refused by ${base}: HTTP ${res.status} ${body.error ?? ''}`.trimEnd());
      return 1;
    }
    if (format === 'json') console.log(JSON.stringify(body.result ?? {}, null, 2));
    else console.log(action === 'versions' ? describeVersions(body.result ?? {}) : describe(action, body.result ?? {}));
    const result = body.result as { reload?: { ok?: boolean }; rollback?: { ok?: boolean } } | undefined;
    return result?.reload?.ok === false || result?.rollback?.ok === false ? 1 : 0;
  });
}

function describe(action: string, r: Record<string, unknown>): string {
  const lines = [`${action}: ok (instance ${String(r.instance ?? '?')})`];
  lines.push(`  kill switch: ${r.killSwitch ? 'ENGAGED' : 'off'}`, `  paused:      ${r.paused ? 'yes' : 'no'}`);
  if (r.reason) lines.push(`  reason:      ${String(r.reason)}`);
  const reload = r.reload as { ok?: boolean; hash?: string; detail?: string } | undefined;
  if (reload) lines.push(`  reload:      ${reload.ok ? 'applied' : 'refused'}${reload.hash ? ` (rule set ${reload.hash})` : ''}${reload.detail ? ` — ${reload.detail}` : ''}`);
  const rollback = r.rollback as { ok?: boolean; hash?: string; detail?: string; code?: string } | undefined;
  if (rollback) lines.push(`  rollback:    ${rollback.ok ? 'ok' : `REFUSED${rollback.code ? ` (${rollback.code})` : ''}`}${rollback.hash ? ` — running rule set ${rollback.hash}` : ''}${rollback.detail ? `\n               ${rollback.detail}` : ''}`);
  for (const [k, v] of Object.entries(r)) {
    if (['instance', 'killSwitch', 'paused', 'reason', 'reload', 'rollback', 'changedAtMs', 'changedBy'].includes(k)) continue;
    lines.push(`  ${`${k}:`.padEnd(12)} ${typeof v === 'object' ? JSON.stringify(v) : String(v)}`);
  }
  return lines.join('\n');
}

/** The applied rule-set versions, oldest first, the running one marked. */
function describeVersions(r: Record<string, unknown>): string {
  const versions = (r.versions ?? []) as Array<{ hash: string; source: string; appliedAt: string; running?: boolean }>;
  if (!versions.length) return 'no rule-set versions stored';
  const lines = ['rule-set versions, oldest first (admin rollback HASH goes back to one; without HASH: the latest that is not running):'];
  for (const v of versions) lines.push(`${v.running ? '*' : ' '} ${v.hash.slice(0, 12)}  ${v.appliedAt}  ${v.source}`);
  return lines.join('\n');
}
