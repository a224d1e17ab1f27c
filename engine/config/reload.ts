/**
 * Hot reload. A running engine watches strategies.yaml, wallets.yaml and rules/. A change is
 * loaded, validated and its rule tests run off to the side; only a set that passes everything
 * is swapped in — atomically, as one reference. Evaluations in flight hold the set they
 * started with and finish on it. An invalid edit leaves the last good set serving and logs
 * every error with file:line:column.
 */
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join, sep } from 'node:path';
import chokidar, { type FSWatcher } from 'chokidar';
import { buildRuleSet, diffRuleSets, canonicalJson, type EvaluatorFactory, type RuleSet, type RuleSetDiff } from '../rules/index.ts';
import { logger, metrics, reportRuleSet, type Logger } from '../infra/telemetry/index.ts';
import { errorsOf, fullMessage, warningsOf, type Diagnostic } from './diagnostics.ts';
import { loadProject, projectFiles, runProjectTests, type Project } from './project.ts';
import { prescreenFiles } from './prescreen.ts';
import type { StrategiesConfig } from './strategies.ts';
import { diagnosticAt } from './yaml.ts';
import { redactKeyMaterial } from '../wallets/index.ts';

/** Everything a running engine reads from the user's files, swapped as one. */
export interface ActiveConfig {
  ruleSet: RuleSet;
  strategies: StrategiesConfig;
  project: Project;
  /** When and why this set was applied. */
  appliedAt: Date;
  source: string;
}

export interface BuildResult {
  active?: ActiveConfig;
  diagnostics: Diagnostic[];
  /** Failing rule-test cases, as `file: case: diff` lines. */
  testFailures: string[];
  /** Plausibility warnings: they refuse nothing, but are logged with every reload. */
  warnings?: Diagnostic[];
  /** Set when failing tests were overridden because the change only makes risk stricter. */
  stricterRiskOnly?: string[];
}

/**
 * The risk params a candidate makes stricter than the serving config, or undefined when the
 * candidate differs in anything else (rules, other params, a looser limit). Stricter means:
 * the kill switch turned on, a `max*` limit lowered, a `min*` requirement raised.
 */
export function stricterRiskChanges(serving: ActiveConfig, candidate: ActiveConfig): string[] | undefined {
  const strip = (c: StrategiesConfig) => canonicalJson({ ...c, risk: { ...c.risk, params: {} } });
  if (strip(serving.strategies) !== strip(candidate.strategies)) return undefined;
  const files = (a: ActiveConfig) => a.ruleSet.files.map((f) => f.hash).sort().join(',');
  if (files(serving) !== files(candidate)) return undefined;
  const before = serving.strategies.risk.params as Record<string, unknown>;
  const after = candidate.strategies.risk.params as Record<string, unknown>;
  const changed: string[] = [];
  for (const key of new Set([...Object.keys(before), ...Object.keys(after)])) {
    const b = before[key];
    const a = after[key];
    if (canonicalJson(a) === canonicalJson(b)) continue;
    const stricter =
      (key === 'killSwitch' && a === true) ||
      (/^max/.test(key) && typeof a === 'number' && typeof b === 'number' && a < b) ||
      (/^min/.test(key) && typeof a === 'number' && typeof b === 'number' && a > b);
    if (!stricter) return undefined;
    changed.push(`risk.${key}: ${canonicalJson(b)} -> ${canonicalJson(a)}`);
  }
  return changed.length ? changed : undefined;
}

/**
 * What a running engine cannot take from a reload: the top-level `market:` pair, and the settings
 * of an existing strategy its planner is built from (`market:`, `indicators:`, `timeframe:`). Swapping them in would leave
 * the planner on the old pair or indicators while rules and reports follow the new ones, so the
 * candidate is refused (CONFIG_RELOAD_NEEDS_RESTART, at the changed key) and the running config
 * stays; restart to apply them. Empty when the candidate may be swapped in.
 */
export function refusedUntilRestart(serving: ActiveConfig, candidate: ActiveConfig): Diagnostic[] {
  const out: Diagnostic[] = [];
  const src = candidate.project.strategies?.src;
  const same = (a: unknown, b: unknown) => canonicalJson(a ?? null) === canonicalJson(b ?? null);
  // The top-level pair: planners, the portfolio and the price subscription are built for it, so a
  // swapped-in pair would drop every tick of the old mint while nothing listens to the new one.
  for (const side of ['base', 'quote'] as const) {
    const b = serving.strategies.market[side];
    const a = candidate.strategies.market[side];
    if (same(b, a)) continue;
    const message = `market.${side} changed; the running planners, portfolio and price subscription were built for the old pair, so this reload is refused and the running config stays — restart the engine to apply it`;
    const found = canonicalJson(a ?? null);
    const expected = canonicalJson(b ?? null);
    out.push(src ? diagnosticAt(src, ['market', side], 'CONFIG_RELOAD_NEEDS_RESTART', message, { expected, found, key: true }) : { file: 'strategies.yaml', line: 1, column: 1, code: 'CONFIG_RELOAD_NEEDS_RESTART', message, expected, found });
  }
  for (const [name, after] of Object.entries(candidate.strategies.strategies)) {
    const before = serving.strategies.strategies[name];
    if (!before) continue; // a new strategy starts on a restart (warned about as unplanned when enabled)
    for (const key of ['market', 'indicators', 'timeframe'] as const) {
      if (same(before[key], after[key])) continue;
      const message = `strategy '${name}': ${key} changed; the running planner was built for the old ${key}, so this reload is refused and the running config stays — restart the engine to apply it`;
      const found = canonicalJson(after[key] ?? null);
      const expected = canonicalJson(before[key] ?? null);
      out.push(src ? diagnosticAt(src, after[key] === undefined ? ['strategies', name] : ['strategies', name, key], 'CONFIG_RELOAD_NEEDS_RESTART', message, { expected, found, key: true }) : { file: 'strategies.yaml', line: 1, column: 1, code: 'CONFIG_RELOAD_NEEDS_RESTART', message, expected, found });
    }
  }
  return out;
}

/** Loads, validates, tests and compiles the project at `root` without touching what is serving. */
export async function buildActiveConfig(root: string, factory: EvaluatorFactory, source: string, opts: { runTests?: boolean; serving?: ActiveConfig } = {}): Promise<BuildResult> {
  // Changed files are parsed in a worker first: hostile text is refused without touching the event loop.
  await prescreenFiles(projectFiles(root), { root });
  const project = loadProject(root);
  const warnings = warningsOf(project.diagnostics);
  if (errorsOf(project.diagnostics).length) return { diagnostics: errorsOf(project.diagnostics), testFailures: [], warnings };
  if (!project.strategies) {
    return { diagnostics: [{ file: join(root, 'strategies.yaml'), line: 1, column: 1, code: 'CONFIG_NO_STRATEGIES', message: 'no strategies.yaml in the project directory' }], testFailures: [] };
  }
  const params = project.strategies.params;
  const testFailures: string[] = [];
  // Give the event loop a turn between loading and testing (health checks, the kill switch).
  await new Promise((r) => setImmediate(r));
  if (opts.runTests !== false) {
    for (const result of await runProjectTests(project, factory)) {
      for (const c of result.cases) if (!c.passed) testFailures.push(`${result.file}: ${c.name}: ${c.diff.join(' | ')}`);
    }
  }
  const ruleSet = buildRuleSet(project.ruleFiles.map((l) => l.file), params, factory);
  const active: ActiveConfig = { ruleSet, strategies: project.strategies.config, project, appliedAt: new Date(), source };
  if (testFailures.length) {
    // An emergency edit (kill switch, lower limit) must never wait on a rule test that
    // happens to read the live threshold: it can only stop orders, never start one.
    const stricter = opts.serving ? stricterRiskChanges(opts.serving, active) : undefined;
    if (!stricter) return { diagnostics: [], testFailures, warnings };
    return { active, diagnostics: [], testFailures, stricterRiskOnly: stricter, warnings };
  }
  return { active, diagnostics: [], testFailures: [], warnings };
}

/** Holds the active config; readers take `current` once per unit of work. */
export class ConfigHolder {
  private active: ActiveConfig;
  constructor(initial: ActiveConfig) {
    this.active = initial;
  }
  get current(): ActiveConfig {
    return this.active;
  }
  /** Swaps in a new config (one assignment: readers see the old or the new, never a mix). */
  swap(next: ActiveConfig): void {
    this.active = next;
  }
}

export interface ReloadOutcome {
  applied: boolean;
  hash?: string;
  diff?: RuleSetDiff;
  diagnostics: Diagnostic[];
  testFailures: string[];
  source: string;
  /** Plausibility warnings of the files as loaded (logged at warn level; they refuse nothing). */
  warnings?: Diagnostic[];
  /** Rule tests that failed but did not hold back a stricter-only risk change (the set was applied). */
  overriddenTestFailures?: string[];
  /** ms from the change being noticed to the swap (or refusal). */
  tookMs: number;
}

export interface ReloaderOptions {
  root: string;
  factory: EvaluatorFactory;
  holder: ConfigHolder;
  log?: Logger;
  /** Coalesces the burst of events one save produces (default 15 ms). */
  debounceMs?: number;
  /** How often the files' fingerprint is checked for changes the watcher missed (default 250 ms). */
  pollMs?: number;
  onOutcome?: (outcome: ReloadOutcome) => void | Promise<void>;
}

/** mtime and size of every watched file: a cheap way to tell whether the disk moved on. */
export function fingerprint(root: string): string {
  const files = [join(root, 'strategies.yaml'), join(root, 'wallets.yaml')];
  const rulesDir = join(root, 'rules');
  if (existsSync(rulesDir)) for (const f of readdirSync(rulesDir).sort()) if (/\.ya?ml$/.test(f)) files.push(join(rulesDir, f));
  return files
    .map((f) => {
      try {
        const st = statSync(f);
        return `${f}:${st.mtimeMs}:${st.size}`;
      } catch {
        return `${f}:absent`;
      }
    })
    .join('\n');
}

export class Reloader {
  private watcher: FSWatcher | undefined;
  private timer: NodeJS.Timeout | undefined;
  private poll: NodeJS.Timeout | undefined;
  /** Fingerprint of the files as of the last reload (or start). */
  private loaded = '';
  private pending = new Set<string>();
  private running: Promise<void> = Promise.resolve();
  private readonly log: Logger;

  constructor(private readonly opts: ReloaderOptions) {
    this.log = opts.log ?? logger().child({ component: 'reloader' });
  }

  /** Starts watching; resolves once the watcher is ready. */
  async start(): Promise<void> {
    const { root } = this.opts;
    const rulesDir = join(root, 'rules');
    const watched = (path: string) => path === root || path === rulesDir || path.startsWith(rulesDir + sep) || path === join(root, 'strategies.yaml') || path === join(root, 'wallets.yaml');
    // Watch directories, not files: editors save by renaming a new file over the old one,
    // which a watch on the old file's inode would miss.
    this.watcher = chokidar.watch(root, { ignoreInitial: true, depth: 3, ignored: (path: string) => !watched(path) });
    // A symlink loop or an unreadable entry makes the watcher emit 'error': log it, keep serving.
    this.watcher.on('error', (err) => this.log.warn({ err: String(err) }, 'file watcher error; the fingerprint poll still catches changes'));
    this.watcher.on('all', (_event, path) => {
      if (/\.ya?ml$/.test(path)) this.schedule(path);
    });
    await new Promise<void>((resolve) => this.watcher!.once('ready', () => resolve()));
    this.loaded = fingerprint(root);
    // File watchers coalesce or drop events for rapid successive saves of one file; a
    // fingerprint check catches whatever they missed.
    this.poll = setInterval(() => {
      if (!this.pending.size && fingerprint(root) !== this.loaded) this.schedule('(files changed)');
    }, this.opts.pollMs ?? 250);
    this.poll.unref();
  }

  private schedule(path: string): void {
    this.pending.add(path);
    clearTimeout(this.timer);
    this.timer = setTimeout(() => this.flush(), this.opts.debounceMs ?? 15);
  }

  private flush(): void {
    const sources = [...this.pending].sort().join(', ');
    this.pending.clear();
    this.running = this.running.then(() => this.reload(sources)).then(
      () => undefined,
      (err) => {
        metrics.rules.reloads.inc({ outcome: 'refused' });
        this.log.error({ err, code: 'CONFIG_RELOAD_CRASHED' }, 'reload crashed; the previous rule set keeps serving');
      },
    );
  }

  /** Rebuilds from disk and swaps if everything passes. Safe to call directly ("reload now"). */
  async reload(source: string): Promise<ReloadOutcome> {
    this.loaded = fingerprint(this.opts.root);
    return this.apply(source, (serving) => buildActiveConfig(this.opts.root, this.opts.factory, source, { serving }));
  }

  /**
   * Puts a candidate built elsewhere (`admin rollback`: a stored version rebuilt from its sources,
   * engine/config/rollback.ts) through what a reload does — refusal with its diagnostics and test
   * failures, what needs a restart, the swap, the log, the outcome — after any reload in progress.
   */
  async applyCandidate(source: string, build: (serving: ActiveConfig) => Promise<BuildResult>): Promise<ReloadOutcome> {
    return this.runExclusive(() => this.apply(source, build));
  }

  /** Runs `fn` after any reload in progress (one swap at a time). */
  private runExclusive<T>(fn: () => Promise<T>): Promise<T> {
    const run = this.running.then(fn);
    this.running = run.then(
      () => undefined,
      () => undefined,
    );
    return run;
  }

  /** Builds a candidate with `build`, logs, refuses or swaps it in, and reports the outcome. */
  private async apply(source: string, build: (serving: ActiveConfig) => Promise<BuildResult>): Promise<ReloadOutcome> {
    const started = performance.now();
    const before = this.opts.holder.current;
    let built: BuildResult;
    try {
      built = await build(before);
    } catch (err) {
      // Whatever a file did to the loader, the reload is refused, named and counted like any other.
      const e = err as NodeJS.ErrnoException & { path?: string };
      built = { diagnostics: [{ file: e.path ?? this.opts.root, line: 1, column: 1, code: 'CONFIG_LOAD_FAILED', message: `the project could not be loaded (${e.code ?? e.name ?? 'error'})`, expected: 'readable YAML files', found: e.code ?? 'an exception' }], testFailures: [] };
    }
    const needsRestart = built.active ? refusedUntilRestart(before, built.active) : [];
    if (needsRestart.length) built = { diagnostics: needsRestart, testFailures: [], ...(built.warnings ? { warnings: built.warnings } : {}) };
    const tookMs = performance.now() - started;
    for (const d of built.warnings ?? []) this.log.warn({ file: d.file, line: d.line, column: d.column, code: d.code, severity: 'warning' }, `reload warning: ${d.file}:${d.line}:${d.column}: ${d.code} ${fullMessage(d)}`);
    let outcome: ReloadOutcome;
    if (!built.active) {
      for (const d of built.diagnostics) this.log.error({ file: d.file, line: d.line, column: d.column, code: d.code }, `reload refused: ${d.file}:${d.line}:${d.column}: ${d.code} ${fullMessage(d)}`);
      for (const f of built.testFailures) this.log.error({ source }, `reload refused: rule test failed: ${f}`);
      this.log.warn({ hash: before.ruleSet.hash }, 'the previous rule set keeps serving');
      outcome = { applied: false, diagnostics: built.diagnostics, testFailures: built.testFailures, source, tookMs };
      metrics.rules.reloads.inc({ outcome: 'refused' });
    } else if (built.active.ruleSet.hash === before.ruleSet.hash && canonicalJson(built.active.strategies) === canonicalJson(before.strategies)) {
      outcome = { applied: false, hash: before.ruleSet.hash, diagnostics: [], testFailures: [], source, tookMs };
    } else {
      const diff = diffRuleSets(before.ruleSet, built.active.ruleSet);
      this.opts.holder.swap(built.active);
      if (built.stricterRiskOnly) {
        this.log.warn({ source, stricter: built.stricterRiskOnly, testFailures: built.testFailures }, `applied a stricter risk change (${built.stricterRiskOnly.join(', ')}) although ${built.testFailures.length} rule test(s) fail with it; state the params those tests rely on`);
      }
      metrics.rules.reloads.inc({ outcome: 'applied' });
      reportRuleSet(built.active.ruleSet, built.active.appliedAt);
      this.log.info(
        { hash: built.active.ruleSet.hash, previousHash: before.ruleSet.hash, source, added: diff.added, removed: diff.removed, changed: diff.changed, thresholds: redactKeyMaterial(diff.thresholds), tookMs: Math.round(tookMs * 10) / 10 },
        `rule set ${built.active.ruleSet.hash.slice(0, 12)} applied`,
      );
      outcome = { applied: true, hash: built.active.ruleSet.hash, diff, diagnostics: [], testFailures: [], source, tookMs };
      if (built.stricterRiskOnly) outcome.overriddenTestFailures = built.testFailures;
    }
    if (built.warnings?.length) outcome.warnings = built.warnings;
    await this.opts.onOutcome?.(outcome);
    return outcome;
  }

  async stop(): Promise<void> {
    clearTimeout(this.timer);
    clearInterval(this.poll);
    await this.watcher?.close();
    await this.running;
  }
}
