/** The admin actions (HTTP and `solrules admin`) on top of a ControlState. */
import type { AdminActions } from '../infra/telemetry/index.ts';
import type { ControlState } from './state.ts';

/**
 * AdminActions for the telemetry server; `status` adds what `extraStatus` returns (rule-set hash,
 * orders pending, ...); `versions` lists the applied rule sets (`listVersions`, the store's).
 */
export function controlAdmin(
  state: ControlState,
  extraStatus: () => Record<string, unknown> | Promise<Record<string, unknown>> = () => ({}),
  listVersions: () => Promise<unknown[]> = async () => [],
): AdminActions {
  return {
    pause: (reason) => state.command('pause', reason),
    resume: (reason) => state.command('resume', reason),
    kill: (reason) => state.command('kill', reason),
    release: (reason) => state.command('release', reason),
    reload: (reason) => state.command('reload', reason),
    rollback: (reason, hash) => state.command('rollback', reason, hash ? { hash } : {}),
    status: async () => ({ ...state.snapshot(), ...(await extraStatus()) }),
    versions: async () => ({ versions: await listVersions() }),
  };
}
