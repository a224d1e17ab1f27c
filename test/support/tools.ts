/**
 * Command-line tools tests run (promtool, prometheus). Like services: with CI=true a missing tool
 * fails the run (.ci/run installs them); elsewhere the test skips with a loud notice.
 */
import { spawnSync } from 'node:child_process';
import type { TestContext } from 'node:test';
import { missingPrerequisite } from './services.ts';

const INSTALL: Record<string, string> = {
  promtool: 'apt-get install prometheus',
  prometheus: 'apt-get install prometheus',
  amtool: 'apt-get install prometheus-alertmanager',
};

/** The tool's path when it is on PATH. */
export function whichTool(name: string): string | undefined {
  const r = spawnSync('sh', ['-c', `command -v ${name}`], { encoding: 'utf8' });
  const path = r.stdout.trim();
  return r.status === 0 && path ? path : undefined;
}

/** Returns the tool's path; fails under CI=true, skips loudly otherwise when it is missing. */
export function requireTool(t: TestContext, name: string): string | undefined {
  const path = whichTool(name);
  if (path) return path;
  missingPrerequisite(t, `${name} is not installed`, INSTALL[name] ?? 'install it');
  return undefined;
}
