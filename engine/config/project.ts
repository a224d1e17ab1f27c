/**
 * Loads and validates the files users edit — strategies.yaml, wallets.yaml, rule files and
 * rule tests — reporting every problem (schema and semantic) as a positioned diagnostic.
 * Only files without errors are handed on; a bad file never replaces a good one.
 */
import { existsSync, lstatSync, readdirSync, statSync } from 'node:fs';
import { readUserFile } from './files.ts';
import { prescreenedRefusal } from './prescreen.ts';
import { findKeyMaterial, redactKeyMaterial, textHoldsKeyMaterial } from '../wallets/index.ts';
import { basename, dirname, join, resolve, sep } from 'node:path';
import { createHash } from 'node:crypto';
import {
  checkDuplicateIds,
  checkRuleFile,
  checkRuleTests,
  runTestFile,
  type CoverageTracker,
  type EvaluatorFactory,
  type Finding,
  type RuleFile,
  type TestFileResult,
  type RuleFileDoc,
  type RuleTestDoc,
  type RuleCheckContext,
} from '../rules/index.ts';
import { whyUnproduced } from '../facts/index.ts';
import { FACT_CATALOG, FACT_PRODUCERS, strategyKind } from '../strategies/index.ts';
import { severityOf, type Diagnostic } from './diagnostics.ts';
import { validateAgainstSchema, type SchemaName } from './schemas.ts';
import { checkStrategies, paramsFact, parsedParts, readsFact, referencedRuleFiles, strategyOptionsOf, type StrategiesConfig } from './strategies.ts';
import { checkKeyFiles, checkWallets, checkWalletSecrets, type WalletsConfig } from './wallets.ts';
import { decodeSource, diagnosticAt, parseYaml, schemaModeline, type SourceFile } from './yaml.ts';

export type FileKind = 'strategies' | 'wallets' | 'rule-file' | 'rule-test';

export interface LoadedRuleFile {
  src: SourceFile;
  file: RuleFile;
}
export interface LoadedTestFile {
  src: SourceFile;
  doc: RuleTestDoc;
  /** Absolute path of the rule file under test. */
  rulesPath: string;
}

export interface Project {
  strategies?: { src: SourceFile; config: StrategiesConfig; params: Record<string, unknown> };
  wallets?: { src: SourceFile; config: WalletsConfig };
  /** Rule files that passed every check. */
  ruleFiles: LoadedRuleFile[];
  /** Test files that passed every check. */
  testFiles: LoadedTestFile[];
  diagnostics: Diagnostic[];
  /** Files that had at least one error. */
  failedFiles: Set<string>;
}

/** What kind of file this is, by its schema modeline first and its name second. */
export function classify(file: string, src?: SourceFile): FileKind {
  const schema = src ? schemaModeline(src) ?? '' : '';
  if (schema.includes('rule-test.schema')) return 'rule-test';
  if (schema.includes('rule-file.schema')) return 'rule-file';
  if (schema.includes('strategies.schema')) return 'strategies';
  if (schema.includes('wallets.schema')) return 'wallets';
  const name = basename(file);
  if (/\.test\.ya?ml$/.test(name)) return 'rule-test';
  if (/^strategies(\..*)?\.ya?ml$/.test(name)) return 'strategies';
  if (/^wallets(\..*)?\.ya?ml$/.test(name)) return 'wallets';
  return 'rule-file';
}

function toDiagnostics(src: SourceFile, findings: readonly Finding[]): Diagnostic[] {
  return findings.map((f) => {
    const d = diagnosticAt(src, f.at, f.code, f.message, {
      ...(f.expected !== undefined ? { expected: f.expected } : {}),
      ...(f.found !== undefined ? { found: f.found } : {}),
      key: f.key ?? false,
    });
    if (f.severity === 'warning') d.severity = 'warning';
    return d;
  });
}

/** Expands directories into their YAML files (recursively, skipping node_modules and dot dirs). */
export function expandPaths(paths: readonly string[]): string[] {
  const out: string[] = [];
  const walk = (p: string, top: boolean) => {
    let st;
    try {
      st = statSync(p);
    } catch {
      // A symlink loop or a dangling link: keep a YAML name so loading reports it with its code.
      if (/\.ya?ml$/.test(p) && lstatSync(p, { throwIfNoEntry: false })) out.push(resolve(p));
      return;
    }
    if (st.isDirectory() && !top && /\.ya?ml$/.test(p)) {
      out.push(resolve(p)); // a directory where a YAML file belongs: loading reports it
    } else if (st.isDirectory()) {
      for (const entry of readdirSync(p).sort()) {
        if (entry === 'node_modules' || entry.startsWith('.')) continue;
        walk(join(p, entry), false);
      }
    } else if (/\.ya?ml$/.test(p)) out.push(resolve(p));
  };
  for (const p of paths) walk(p, true);
  return [...new Set(out)];
}

/** Nearest strategies.yaml in `dir` or above it. */
export function findStrategiesFile(dir: string): string | undefined {
  let cur = resolve(dir);
  for (;;) {
    const candidate = join(cur, 'strategies.yaml');
    if (existsSync(candidate)) return candidate;
    const parent = dirname(cur);
    if (parent === cur) return undefined;
    cur = parent;
  }
}

/** The path exists as an entry (a symlink loop or dangling link counts: loading reports it). */
function present(path: string): boolean {
  return lstatSync(path, { throwIfNoEntry: false }) !== undefined;
}

function contentHash(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}

/** A rule file model from a schema-valid document. */
export function toRuleFile(src: SourceFile): RuleFile {
  const doc = src.value as RuleFileDoc;
  return { ...doc, kind: doc.kind ?? 'strategy', strategy: doc.strategy ?? doc.id, file: src.file, hash: contentHash(src.text) };
}

/**
 * Parsed files and their schema results, by path, reused while the text is unchanged: a hot
 * reload re-reads every file but parses only the one that was edited. Parsed documents are
 * never mutated, so sharing them between rule sets is safe.
 */
const parseCache = new Map<string, { text: string; src: SourceFile; schema: Map<string, Diagnostic[]> }>();

function readCached(file: string, root: string | undefined): SourceFile {
  const read = readUserFile(file, root ? { root } : {});
  if (!read.ok) {
    // Refused unread (too large, a directory, a loop, a symlink out): nothing of it is kept.
    parseCache.delete(file);
    const src = parseYaml('', file);
    src.syntaxErrors.push(read.diagnostic);
    return src;
  }
  const decoded = decodeSource(read.bytes, file);
  if (typeof decoded !== 'string') return decoded;
  read.text = decoded;
  const hit = parseCache.get(file);
  if (hit && hit.text === read.text) return hit.src;
  const refused = prescreenedRefusal(file, read.text);
  if (refused) {
    // The worker already parsed this text and found it broken: do not parse it again here.
    const src = parseYaml('', file);
    src.syntaxErrors.push(...refused);
    return { ...src, text: read.text };
  }
  const src = parseYaml(read.text, file);
  if (src.syntaxErrors.length) parseCache.delete(file);
  else parseCache.set(file, { text: read.text, src, schema: new Map() });
  return src;
}

/**
 * A file holding something that looks like a key (a key file saved or linked as rules/x.yaml,
 * a key pasted into strategies.yaml) is refused with one diagnostic that shows none of it;
 * no other check runs on it, so no other message can echo it. wallets.yaml has its own check.
 */
function withoutKeyMaterial(src: SourceFile): { src: SourceFile; found: Diagnostic[] } {
  if (/^wallets(\..*)?\.ya?ml$/.test(basename(src.file))) return { src, found: [] };
  const whole = src.syntaxErrors.length > 0 || typeof src.value !== 'object' || src.value === null || Array.isArray(src.value);
  const at = whole ? (textHoldsKeyMaterial(src.text) || findKeyMaterial(src.value).length ? [[]] : []) : findKeyMaterial(src.value);
  if (!at.length) return { src, found: [] };
  const diagnostics = at.map((path) =>
    diagnosticAt(src, path, 'CONFIG_KEY_MATERIAL', 'this looks like a private key; keys belong in a key file referenced from wallets.yaml — remove it and rotate the key', { expected: 'no key material in config or rule files', found: '<redacted>' }),
  );
  // A whole file of key material is refused unread; a key inside a mapping is reported where it
  // is and the rest of the file is still checked, with the key replaced so nothing can echo it.
  if (whole) return { src: { ...src, value: undefined, syntaxErrors: diagnostics }, found: [] };
  return { src: { ...src, value: redactKeyMaterial(src.value) }, found: diagnostics };
}

/** Drops cached parses of files under `root` that are gone or were not part of this load (deleted, renamed). */
function evictStale(root: string, present: ReadonlySet<string>): void {
  const prefix = resolve(root) + sep;
  for (const file of parseCache.keys()) if (file.startsWith(prefix) && !present.has(file)) parseCache.delete(file);
}

function schemaCached(src: SourceFile, schema: SchemaName, redact: boolean): Diagnostic[] {
  const entry = parseCache.get(src.file);
  const key = `${schema}:${redact}`;
  const cached = entry?.src === src ? entry.schema.get(key) : undefined;
  if (cached) return cached;
  const errs = validateAgainstSchema(src, schema, { redact });
  if (entry?.src === src) entry.schema.set(key, errs);
  return errs;
}

/**
 * One diagnostic for a file that is not a rule file at all (a keypair, a list, another tool's
 * config), instead of a schema error per key and a strategy named 'undefined'. Says what the
 * file is not and never shows its content: it may be key material.
 */
function notARuleFile(src: SourceFile): Diagnostic | undefined {
  const v = src.value;
  const isMap = v !== null && typeof v === 'object' && !Array.isArray(v);
  if (isMap && ('id' in v || 'rules' in v)) return undefined;
  const what = Array.isArray(v)
    ? v.length >= 32 && v.every((x) => Number.isInteger(x) && x >= 0 && x <= 255)
      ? `a list of ${v.length} byte values (a keypair file?)`
      : `a list of ${v.length} item(s)`
    : isMap
      ? `a map without 'id' or 'rules' (${Object.keys(v).length} key(s))`
      : v === null || v === undefined
        ? 'empty'
        : `a single ${typeof v}`;
  return diagnosticAt(src, [], 'RULES_NOT_A_RULE_FILE', 'not a rule file (its content is not shown: it may be key material)', {
    expected: "a YAML map with 'id' and 'rules'",
    found: what,
  });
}

interface LoadOptions {
  /** strategies.yaml to check params and executors against when none is among the files. */
  strategiesFile?: string;
  /** The project directory: symlinks may not leave it (default: strategies.yaml's directory, else cwd). */
  root?: string;
}

/**
 * Loads and checks the given files, and the rule files a listed strategies.yaml names. Files a
 * test refers to (or strategies.yaml) are read for context even when not listed; their own
 * errors are reported only if they are listed.
 */
export function loadFiles(files: readonly string[], opts: LoadOptions = {}): Project {
  const project: Project = { ruleFiles: [], testFiles: [], diagnostics: [], failedFiles: new Set() };
  const listed = new Set(files.map((f) => resolve(f)));
  const report = (diags: Diagnostic[]) => {
    for (const d of diags) {
      if (!listed.has(d.file)) continue;
      project.diagnostics.push(d);
      if (severityOf(d) === 'error') project.failedFiles.add(d.file);
    }
  };
  const sources = new Map<string, SourceFile>();
  const root = opts.root ?? (opts.strategiesFile ? dirname(resolve(opts.strategiesFile)) : process.cwd());
  const read = (file: string): SourceFile => {
    let src = sources.get(file);
    if (!src) {
      const screened = withoutKeyMaterial(readCached(file, root));
      src = screened.src;
      report(screened.found);
      sources.set(file, src);
    }
    return src;
  };
  const parsedOk = (src: SourceFile, schema: SchemaName, redact = false): boolean => {
    if (src.syntaxErrors.length) {
      report(src.syntaxErrors);
      return false;
    }
    const errs = schemaCached(src, schema, redact);
    report(errs);
    return errs.length === 0;
  };

  const byKind = new Map<FileKind, string[]>();
  for (const file of listed) {
    const kind = classify(file, read(file));
    byKind.set(kind, [...(byKind.get(kind) ?? []), file]);
  }

  // strategies.yaml first: rule checks need its params and executors.
  const strategiesFiles = byKind.get('strategies') ?? [];
  const strategiesFile =
    opts.strategiesFile ?? strategiesFiles[0] ?? findStrategiesFile(dirname([...listed][0] ?? process.cwd()));
  // strategies.yaml that exists but fails its checks: reported once; rules are checked against what parsed
  let partialStrategies: ReturnType<typeof parsedParts> | undefined;
  let checkedStrategies: string | undefined;
  if (strategiesFile && present(strategiesFile)) {
    const path = resolve(strategiesFile);
    const src = read(path);
    checkedStrategies = path;
    if (!parsedOk(src, 'strategies')) partialStrategies = parsedParts(src.value);
    else {
      const config = src.value as StrategiesConfig;
      const semantic = checkStrategies(src, config);
      report(semantic);
      project.strategies = { src, config, params: paramsFact(config) };
      // A listed strategies.yaml brings the rule files it names, wherever they live.
      if (listed.has(path)) {
        for (const ref of referencedRuleFiles(config, path)) {
          if (listed.has(ref.path) || !existsSync(ref.path)) continue;
          listed.add(ref.path);
          const kind = classify(ref.path, read(ref.path));
          byKind.set(kind, [...(byKind.get(kind) ?? []), ref.path]);
          // ... and the rule tests beside those inside its own directory (examples/ai-trend/ai-trend.test.yaml), so
          // test and coverage see them; tests of rule files borrowed from elsewhere (../../rules) belong to their project.
          const tests = ref.path.replace(/\.ya?ml$/, '.test.yaml');
          if (tests !== ref.path && tests.startsWith(dirname(path) + sep) && !listed.has(tests) && existsSync(tests)) {
            listed.add(tests);
            byKind.set('rule-test', [...(byKind.get('rule-test') ?? []), tests]);
          }
        }
      }
    }
  }
  for (const file of strategiesFiles) {
    if (file === checkedStrategies) continue;
    const src = read(file);
    if (parsedOk(src, 'strategies')) report(checkStrategies(src, src.value as StrategiesConfig));
  }

  for (const file of byKind.get('wallets') ?? []) {
    const src = read(file);
    report(checkWalletSecrets(src));
    const walletList = (src.value as { wallets?: unknown } | undefined)?.wallets;
    // Key-file modes are checked even when the schema check fails elsewhere in the file.
    if (src.syntaxErrors.length === 0 && Array.isArray(walletList)) report(checkKeyFiles(src, src.value as WalletsConfig));
    if (parsedOk(src, 'wallets', true)) {
      const config = src.value as WalletsConfig;
      report(checkWallets(src, config));
      project.wallets = { src, config };
    }
  }

  const base: RuleCheckContext = {
    params: project.strategies?.params ?? partialStrategies?.params,
    executors: project.strategies ? Object.keys(project.strategies.config.executors) : partialStrategies?.executors,
    partial: partialStrategies !== undefined,
    facts: FACT_CATALOG,
  };
  // What this configuration produces for a file's rules: only checked against a valid strategies.yaml.
  const contextFor = (rf: RuleFile): RuleCheckContext => {
    const cfg = project.strategies?.config;
    if (!cfg) return base;
    const scope = rf.kind === 'strategy' ? 'strategy' : rf.kind === 'wallets' ? 'wallets' : 'order';
    const strategy = rf.kind === 'strategy' ? cfg.strategies[rf.strategy] : undefined;
    if (rf.kind === 'strategy' && !strategy) return base; // RULES_UNKNOWN_STRATEGY says why
    const query = { scope, ...(strategy ? { strategyKind: strategy.kind, strategyOptions: strategyOptionsOf(strategy) } : {}) } as const;
    const indicators = strategy ? strategyKind(strategy.kind)?.indicatorFields?.(strategy) : undefined;
    return { ...base, unproduced: (fact, path) => whyUnproduced(FACT_PRODUCERS, fact, path, query), ...(indicators ? { indicators } : {}) };
  };
  const ruleFiles = new Map<string, LoadedRuleFile>();
  const loadRuleFile = (file: string): LoadedRuleFile | undefined => {
    if (ruleFiles.has(file)) return ruleFiles.get(file);
    if (!present(file)) return undefined;
    const src = read(file);
    if (src.syntaxErrors.length) {
      report(src.syntaxErrors);
      return undefined;
    }
    const notRules = notARuleFile(src);
    if (notRules) {
      report([notRules]);
      return undefined;
    }
    // Semantic checks run even when the schema check failed, so one pass reports everything.
    const schemaErrors = schemaCached(src, 'rule-file', false);
    const rf = toRuleFile(src);
    if (schemaErrors.length) project.failedFiles.add(file);
    // whether facts reach the rules is asked only of a well-formed file: one error per mistake
    const findings = checkRuleFile(rf, schemaErrors.length ? base : contextFor(rf));
    if (base.params && rf.kind === 'strategy' && project.strategies && !project.strategies.config.strategies[rf.strategy]) {
      findings.push({ at: ['id'], code: 'RULES_UNKNOWN_STRATEGY', message: `strategies.yaml has no strategy '${rf.strategy}' for this file's orders`, expected: `one of ${Object.keys(project.strategies.config.strategies).join(', ')}`, found: `'${rf.strategy}'` });
    }
    const semantic = toDiagnostics(src, findings);
    // One error per mistake: where the catalog check says more (unknown fact, operator, path), the schema's
    // enum / pattern error at the same node is the same mistake.
    const said = new Set(semantic.map((d) => `${d.line}:${d.column}`));
    report(schemaErrors.filter((d) => !said.has(`${d.line}:${d.column}`)));
    report(semantic);
    const loaded = { src, file: rf };
    ruleFiles.set(file, loaded);
    return loaded;
  };
  for (const file of byKind.get('rule-file') ?? []) loadRuleFile(file);
  const loadedRules = [...ruleFiles.values()];
  for (const [rf, findings] of checkDuplicateIds(loadedRules.map((l) => l.file))) {
    report(toDiagnostics(loadedRules.find((l) => l.file === rf)!.src, findings));
  }

  // A kind's params that only its rules can act on (a signal strategy's stops need a rule reading position.exitDue).
  if (project.strategies) {
    for (const [name, strategy] of Object.entries(project.strategies.config.strategies)) {
      const kind = strategyKind(strategy.kind);
      const loaded = loadedRules.find((l) => l.file.kind === 'strategy' && l.file.strategy === name);
      const src = project.strategies.src;
      // `ai:` analyses cost money: declared for rules that never read the fact, they would be paid for nothing.
      if (strategy.ai && loaded && !project.failedFiles.has(loaded.file.file) && !readsFact(loaded.file, 'ai')) {
        report([diagnosticAt(src, ['strategies', name, 'ai'], 'STRATEGIES_AI_UNREAD', `strategy '${name}' declares ai: analyses, but no rule of ${loaded.file.file} reads the ai fact: each analysis would be paid for and never read`, { expected: 'a rule reading ai.* (e.g. ai.recommendation), or no ai: entry', found: 'no rule reads ai', key: true })]);
      }
      if (!kind?.checkRuleFile || !loaded || project.failedFiles.has(loaded.file.file)) continue;
      report(kind.checkRuleFile(strategy, loaded.file).map((p) => diagnosticAt(src, ['strategies', name, ...p.at], p.code, p.message, { ...(p.expected !== undefined ? { expected: p.expected } : {}), ...(p.found !== undefined ? { found: p.found } : {}), key: true })));
    }
  }

  for (const file of byKind.get('rule-test') ?? []) {
    const src = read(file);
    const schemaOk = parsedOk(src, 'rule-test');
    if (src.syntaxErrors.length || !src.value || typeof src.value !== 'object') continue;
    if (!schemaOk) project.failedFiles.add(file);
    const doc = src.value as RuleTestDoc;
    if (typeof doc.rules !== 'string') continue;
    const rulesPath = resolve(dirname(file), doc.rules);
    const target = loadRuleFile(rulesPath);
    report(toDiagnostics(src, checkRuleTests(doc, target?.file, existsSync(rulesPath), FACT_CATALOG)));
    project.testFiles.push({ src, doc, rulesPath });
  }

  project.ruleFiles = [...ruleFiles.values()].filter((l) => !project.failedFiles.has(l.file.file));
  project.testFiles = project.testFiles.filter((t) => !project.failedFiles.has(t.src.file));
  return project;
}

/** Runs every valid test file of a project against its rule file with the project's params. */
export async function runProjectTests(project: Project, factory: EvaluatorFactory, coverage?: CoverageTracker): Promise<TestFileResult[]> {
  const params = project.strategies?.params ?? {};
  const results: TestFileResult[] = [];
  for (const t of project.testFiles) {
    const target = project.ruleFiles.find((l) => l.file.file === t.rulesPath);
    if (!target) continue; // validation reported why
    results.push(await runTestFile(t.doc, t.src.file, target.file, params, factory, coverage));
    await new Promise((r) => setImmediate(r)); // one test file at a time: the event loop gets a turn between them
  }
  return results;
}

/** The files of a project directory: strategies.yaml, wallets.yaml, rules/ and the rule files strategies.yaml names. */
export function projectFiles(root: string): string[] {
  const files: string[] = [];
  const strategies = join(root, 'strategies.yaml');
  if (present(strategies)) files.push(strategies);
  const wallets = join(root, 'wallets.yaml');
  if (present(wallets)) files.push(wallets);
  const rulesDir = join(root, 'rules');
  if (existsSync(rulesDir)) files.push(...expandPaths([rulesDir]));
  return files.map((f) => resolve(f));
}

/** Loads a whole project directory (with the rule files strategies.yaml names outside rules/). */
export function loadProject(root: string): Project {
  const project = loadFiles(projectFiles(root), { strategiesFile: join(root, 'strategies.yaml'), root });
  evictStale(root, new Set(projectFiles(root)));
  for (const file of project.failedFiles) parseCache.delete(file);
  return project;
}

/**
 * Resolves a path relative to `dir`; when it is missing and names a `../shared/fixtures/...`
 * file, also tries SOLRULES_SHARED_FIXTURES and the same tail beside each ancestor (a git
 * worktree lives deeper than the repository).
 * The one lookup for files strategies.yaml names (run's price series, backtest bars).
 */
export function resolveSharedPath(dir: string, relative: string): string {
  const direct = resolve(dir, relative);
  if (existsSync(direct)) return direct;
  const tail = relative.replace(/^(\.\.\/)+/, '');
  const shared = process.env.SOLRULES_SHARED_FIXTURES;
  if (shared && tail.startsWith('shared/fixtures/')) {
    const candidate = join(shared, tail.slice('shared/fixtures/'.length));
    if (existsSync(candidate)) return candidate;
  }
  for (let cur = resolve(dir); ; cur = dirname(cur)) {
    const candidate = join(cur, tail);
    if (existsSync(candidate)) return candidate;
    if (dirname(cur) === cur) return direct;
  }
}
