/** Config: the files users edit — YAML with source positions, schemas, checks, loading and hot reload. */
export * from './diagnostics.ts';
export { parseYaml, positionOf, diagnosticAt, schemaModeline, type SourceFile, type PathSegment } from './yaml.ts';
export { validateAgainstSchema, validator, schemaPath, type SchemaName } from './schemas.ts';
export * from './strategies.ts';
export * from './wallets.ts';
export { looksLikeKeyMaterial, findKeyMaterial, redactKeyMaterial, textHoldsKeyMaterial } from '../wallets/index.ts';
export * from './project.ts';
export { DEFAULT_MAX_FILE_BYTES, maxFileBytes, readUserFile, type ReadResult } from './files.ts';
export { buildActiveConfig, ConfigHolder, Reloader, refusedUntilRestart, type ActiveConfig, type BuildResult, type ReloadOutcome, type ReloaderOptions } from './reload.ts';
export { projectSources, ruleSetContent, buildFromSources, rollbackTo, rollbackTarget, type RuleSetContent } from './rollback.ts';
