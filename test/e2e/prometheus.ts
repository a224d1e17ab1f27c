/** What both observability e2e scripts need of a real Prometheus: starting it, instant queries, waiting, and child exits. */
import { spawn, type ChildProcess } from 'node:child_process';
import { copyFileSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { REPO_ROOT } from '../support/paths.ts';
import { freePort } from '../support/servers.ts';

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export interface Sample {
  metric: Record<string, string>;
  value: [number, string];
}

/** An instant PromQL query against the Prometheus at `base`; throws on a failed query. */
export async function query(base: string, promql: string): Promise<Sample[]> {
  const res = await fetch(`${base}/api/v1/query?query=${encodeURIComponent(promql)}`);
  const body = (await res.json()) as { status: string; error?: string; data?: { result: Sample[] } };
  if (body.status !== 'success') throw new Error(`Prometheus query failed: ${promql}: ${body.error}`);
  return body.data!.result;
}

/** Polls `check` every 200 ms (errors count as "not yet") until it holds or `timeoutMs` passes. */
export async function waitFor(what: string, timeoutMs: number, check: () => Promise<boolean>): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      if (await check()) return;
    } catch {
      // not up yet
    }
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await sleep(200);
  }
}

/** Resolves with the child's exit code once it has exited. */
export function exited(child: ChildProcess): Promise<number | null> {
  return new Promise((resolve) => (child.exitCode !== null ? resolve(child.exitCode) : child.once('exit', (code) => resolve(code))));
}

/** A Prometheus of the script's own, scraping the engine's telemetry port with the project's alert rules. */
export interface OwnPrometheus {
  url: string;
  port: number;
  enginePort: number;
  proc: ChildProcess;
  /** What Prometheus wrote to standard error so far (printed when a check fails). */
  log(): string;
}

/**
 * Starts `prometheusBin` with its data and config in `dir`, scraping 127.0.0.1:<a free engine port>
 * every `scrapeInterval` with deploy/prometheus/rules, and waits until it is ready.
 */
export async function startPrometheus(prometheusBin: string, dir: string, scrapeInterval: string): Promise<OwnPrometheus> {
  const [enginePort, port] = [await freePort(), await freePort()];
  mkdirSync(join(dir, 'rules'));
  copyFileSync(join(REPO_ROOT, 'deploy/prometheus/rules/solrules-alerts.yml'), join(dir, 'rules/solrules-alerts.yml'));
  writeFileSync(
    join(dir, 'prometheus.yml'),
    ['global:', `  scrape_interval: ${scrapeInterval}`, `  evaluation_interval: ${scrapeInterval}`, 'rule_files: [rules/solrules-alerts.yml]', 'scrape_configs:', '  - job_name: solrules', `    scrape_interval: ${scrapeInterval}`, `    scrape_timeout: ${scrapeInterval}`, `    static_configs: [{ targets: ['127.0.0.1:${enginePort}'] }]`, ''].join('\n'),
  );
  const proc = spawn(prometheusBin, [`--config.file=${join(dir, 'prometheus.yml')}`, `--storage.tsdb.path=${join(dir, 'data')}`, `--web.listen-address=127.0.0.1:${port}`, '--log.level=warn'], { stdio: ['ignore', 'ignore', 'pipe'] });
  let log = '';
  proc.stderr!.on('data', (d: Buffer) => (log += d.toString()));
  const url = `http://127.0.0.1:${port}`;
  await waitFor('Prometheus to be ready', 30_000, async () => (await fetch(`${url}/-/ready`)).ok);
  return { url, port, enginePort, proc, log: () => log };
}
