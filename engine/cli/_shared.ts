/** Helpers shared by commands: evaluator selection and project loading with diagnostics. */
import { resolve } from 'node:path';
import { formatDiagnostics, loadFiles, loadProject, expandPaths, type Project } from '../config/index.ts';
import { EVALUATOR_KINDS, evaluatorFactory, type EvaluatorFactory } from '../rules/index.ts';
import { oneOf } from './args.ts';

/** The evaluator factory for `--evaluator compiled|reference` (default: compiled, the fastest). */
export function evaluatorFromOption(value: string | undefined): EvaluatorFactory {
  return evaluatorFactory(oneOf('evaluator', value, EVALUATOR_KINDS, 'compiled'));
}

/** Loads the project in cwd, or the given paths; prints diagnostics to stderr. */
export function loadForCommand(paths: readonly string[], strategies?: string): Project {
  const project = paths.length
    ? loadFiles(expandPaths(paths), strategies ? { strategiesFile: resolve(strategies) } : {})
    : loadProject(process.cwd());
  if (project.diagnostics.length) console.error(formatDiagnostics(project.diagnostics, 'text'));
  return project;
}
