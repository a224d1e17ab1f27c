/**
 * Rule-set versions as something a running engine can go back to. Each applied set is stored
 * with the source text of its project files (strategies.yaml, rule files, rule tests), so an
 * earlier version is rebuilt exactly as a reload builds the files on disk: written to a scratch
 * project under `<root>/.solrules/`, then loaded, validated, rule-tested and compiled by
 * `buildActiveConfig` with the engine as it is now. The files on disk are not touched.
 */
import { randomUUID } from 'node:crypto';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, isAbsolute, join, normalize, relative, sep } from 'node:path';
import { canonicalJson, type EvaluatorFactory } from '../rules/index.ts';
import { SolrulesError } from '../errors/index.ts';
import type { ActiveConfig, BuildResult, Reloader, ReloadOutcome } from './reload.ts';
import { buildActiveConfig } from './reload.ts';

/** What a stored version holds (the `content` of a RuleSetVersion, as JSON). */
export interface RuleSetContent {
  files: unknown;
  params: unknown;
  strategies: unknown;
  /** Source text of each project file, by path relative to the project root (absent in versions stored before rollback existed). */
  sources?: Record<string, string>;
}

/** Source text of the project files an active config was built from, by path relative to its project root. */
export function projectSources(active: ActiveConfig): Record<string, string> {
  const project = active.project;
  const strategiesFile = project.strategies?.src.file;
  if (!strategiesFile) return {};
  const root = dirname(strategiesFile);
  const out: Record<string, string> = {};
  const add = (file: string, text: string) => {
    out[relative(root, file).split(sep).join('/')] = text;
  };
  add(strategiesFile, project.strategies!.src.text);
  for (const r of project.ruleFiles) add(r.src.file, r.src.text);
  for (const t of project.testFiles) add(t.src.file, t.src.text);
  return out;
}

/** The canonical JSON stored for an applied rule set: its files, params, strategies.yaml and the sources to rebuild it. */
export function ruleSetContent(active: ActiveConfig): string {
  return canonicalJson({ files: active.ruleSet.files, params: active.ruleSet.params, strategies: active.strategies, sources: projectSources(active) } satisfies RuleSetContent);
}

/**
 * Rebuilds a stored version from its sources as a reload would (validation, rule tests,
 * compilation), in a scratch project under `<root>/.solrules/` (so `../shared/fixtures` paths
 * resolve as from the project), removed afterwards. A path leaving the project is refused.
 */
export async function buildFromSources(root: string, sources: Readonly<Record<string, string>>, factory: EvaluatorFactory, source: string, serving?: ActiveConfig): Promise<BuildResult> {
  const scratch = join(root, '.solrules', `rollback-${randomUUID().slice(0, 8)}`);
  try {
    for (const [path, text] of Object.entries(sources)) {
      const rel = normalize(path);
      if (isAbsolute(rel) || rel.startsWith('..')) {
        return { diagnostics: [{ file: path, line: 1, column: 1, code: 'CONFIG_ROLLBACK_UNUSABLE', message: `the stored version names a file outside its project ('${path}'); it cannot be rebuilt`, found: path }], testFailures: [] };
      }
      mkdirSync(dirname(join(scratch, rel)), { recursive: true });
      writeFileSync(join(scratch, rel), text);
    }
    return await buildActiveConfig(scratch, factory, source, serving ? { serving } : {});
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
}

/**
 * Brings a running engine back to a stored rule-set version (`admin rollback`): rebuilt from its
 * stored sources and put through everything a reload is (validation, rule tests, settings that
 * need a restart), then swapped in by the reloader; refused otherwise, the running set staying.
 * The files on disk are left as they are (the next edit reloads from them).
 */
export function rollbackTo(reloader: Reloader, opts: { root: string; factory: EvaluatorFactory; version: { hash: string; content: string }; source?: string }): Promise<ReloadOutcome> {
  const { version } = opts;
  const source = opts.source ?? `rollback to ${version.hash.slice(0, 12)}`;
  return reloader.applyCandidate(source, async (serving) => {
    const label = `rule set ${version.hash.slice(0, 12)}`;
    const refuse = (message: string): BuildResult => ({ diagnostics: [{ file: label, line: 1, column: 1, code: 'CONFIG_ROLLBACK_UNUSABLE', message }], testFailures: [] });
    let content: RuleSetContent;
    try {
      content = JSON.parse(version.content) as RuleSetContent;
    } catch {
      return refuse('the stored version is not readable JSON');
    }
    if (!content.sources || !Object.keys(content.sources).length) return refuse('the stored version has no source files (it was recorded before versions kept them); it cannot be rebuilt and validated');
    const built = await buildFromSources(opts.root, content.sources, opts.factory, source, serving);
    // Diagnostics name the stored version's files, not the scratch copy they were checked in.
    const name = (f: string) => f.replace(/^.*[/\\]\.solrules[/\\]rollback-[0-9a-f]{8}[/\\]/, `${label}: `);
    built.diagnostics = built.diagnostics.map((d) => ({ ...d, file: name(d.file) }));
    built.testFailures = built.testFailures.map(name);
    if (built.active && built.active.ruleSet.hash !== version.hash) {
      return refuse(`the stored version rebuilds to rule set ${built.active.ruleSet.hash.slice(0, 12)}, not ${version.hash.slice(0, 12)} (the engine now reads its files differently); not applied`);
    }
    return built;
  });
}

/** The version `admin rollback [HASH]` means: a unique hash prefix, else (none given) the latest one whose hash differs from `currentHash`. */
export function rollbackTarget<V extends { hash: string }>(versions: readonly V[], currentHash: string, hash?: string): V {
  if (hash) {
    const wanted = hash.toLowerCase();
    const hits = [...new Map(versions.filter((v) => v.hash.startsWith(wanted)).map((v) => [v.hash, v])).values()];
    if (hits.length === 1) return hits[hits.length - 1]!;
    if (hits.length > 1) throw new SolrulesError('CONFIG_ROLLBACK_UNKNOWN', `rule-set hash prefix '${hash}' matches ${hits.length} versions (${hits.map((v) => v.hash.slice(0, 12)).join(', ')}); give more of it`, { field: 'hash', value: hash });
    throw new SolrulesError('CONFIG_ROLLBACK_UNKNOWN', `no applied rule set has a hash starting '${hash}' (versions: ${[...new Set(versions.map((v) => v.hash.slice(0, 12)))].join(', ') || 'none'}; admin rollback --list)`, { field: 'hash', value: hash });
  }
  for (let i = versions.length - 1; i >= 0; i--) if (versions[i]!.hash !== currentHash) return versions[i]!;
  throw new SolrulesError('CONFIG_ROLLBACK_UNKNOWN', `no earlier rule set to go back to: every stored version is the one running (${currentHash.slice(0, 12)})`, { field: 'hash', value: null });
}
