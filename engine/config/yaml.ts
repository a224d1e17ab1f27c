/**
 * YAML parsing that keeps source positions, so every later check can point at the exact
 * node (1-based line and column) a user has to fix.
 */
import { LineCounter, parseDocument, isMap, isSeq, isScalar, isPair, visit, type Document, type Node } from 'yaml';
import type { Diagnostic } from './diagnostics.ts';

export type PathSegment = string | number;

export interface SourceFile {
  file: string;
  text: string;
  doc: Document.Parsed;
  lineCounter: LineCounter;
  /** The plain JS value of the document (undefined when it had syntax errors). */
  value: unknown;
  /** Syntax errors, as diagnostics. */
  syntaxErrors: Diagnostic[];
}

/** Parses YAML text; syntax errors come back as diagnostics rather than exceptions. */
export function parseYaml(text: string, file: string): SourceFile {
  const conflict = mergeConflict(text, file);
  if (conflict) return unreadable(text, file, conflict);
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, prettyErrors: false, uniqueKeys: true, keepSourceTokens: false });
  const syntaxErrors: Diagnostic[] = doc.errors.map((err) => {
    const { line, col } = lineCounter.linePos(err.pos[0]);
    const code = err.code === 'DUPLICATE_KEY' ? 'YAML_DUPLICATE_KEY' : 'YAML_SYNTAX';
    return { file, line, column: col, code, message: firstLine(err.message), expected: 'valid YAML', found: err.code };
  });
  let value: unknown;
  if (syntaxErrors.length === 0) {
    try {
      value = doc.toJS({ maxAliasCount: 100 });
    } catch (err) {
      // The yaml package refuses an alias expanding past maxAliasCount (a "billion laughs" bomb).
      syntaxErrors.push(aliasLimitDiagnostic(doc, lineCounter, file, err));
    }
  }
  return { file, text, doc, lineCounter, value, syntaxErrors };
}

function aliasLimitDiagnostic(doc: Document.Parsed, lineCounter: LineCounter, file: string, err: unknown): Diagnostic {
  let offset = 0;
  visit(doc, { Alias(_key, node) {
    offset = node.range?.[0] ?? 0;
    return visit.BREAK;
  } });
  const { line, col } = lineCounter.linePos(offset);
  const resource = /alias/i.test(String((err as Error)?.message)) ? 'aliases expand past the limit of 100 (an alias bomb?)' : 'the document cannot be built';
  return { file, line, column: col, code: 'YAML_ALIAS_LIMIT', message: `YAML ${resource}`, expected: 'at most 100 alias expansions', found: 'more' };
}

/**
 * Git's conflict markers (`<<<<<<< `, `=======`, `>>>>>>> ` at the start of a line) make YAML
 * report a dozen unrelated syntax errors; say what happened once, at the first marker.
 */
function mergeConflict(text: string, file: string): Diagnostic | undefined {
  const start = /^<{7}(?: |$)/m.exec(text);
  if (!start || !/^>{7}(?: |$)/m.test(text)) return undefined;
  const line = text.slice(0, start.index).split('\n').length;
  const count = text.match(/^<{7}(?: |$)/gm)!.length;
  return {
    file,
    line,
    column: 1,
    code: 'YAML_MERGE_CONFLICT',
    message: `unresolved merge conflict (${count} conflict${count > 1 ? 's' : ''}): keep the lines you want and delete the <<<<<<< / ======= / >>>>>>> markers`,
    expected: 'a file without conflict markers',
    found: 'conflict markers',
  };
}

/** A file that cannot be parsed at all: one diagnostic, no value. */
function unreadable(text: string, file: string, diagnostic: Diagnostic): SourceFile {
  const lineCounter = new LineCounter();
  return { file, text, doc: parseDocument('', { lineCounter }), lineCounter, value: undefined, syntaxErrors: [diagnostic] };
}

/**
 * Decodes a file's bytes as UTF-8, refusing invalid sequences (a plain decode would replace them
 * with U+FFFD and the file would be accepted with different text); names the first bad byte.
 */
export function decodeSource(bytes: Uint8Array, file: string): SourceFile | string {
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    const offset = firstInvalidUtf8(bytes);
    const before = new TextDecoder('utf-8').decode(bytes.subarray(0, offset));
    const lines = before.split('\n');
    const hex = bytes[offset]!.toString(16).padStart(2, '0');
    return unreadable('', file, {
      file,
      line: lines.length,
      column: lines[lines.length - 1]!.length + 1,
      code: 'FILE_NOT_UTF8',
      message: `not valid UTF-8: the byte at offset ${offset} (0x${hex}) does not start a valid UTF-8 sequence (saved as Latin-1 or another code page?); save the file as UTF-8`,
      expected: 'UTF-8 text',
      found: `byte 0x${hex} at offset ${offset}`,
    });
  }
}

/** Offset of the first byte that does not start a well-formed UTF-8 sequence. */
function firstInvalidUtf8(b: Uint8Array): number {
  const decoder = new TextDecoder('utf-8', { fatal: true });
  let i = 0;
  while (i < b.length) {
    const lead = b[i]!;
    const size = lead < 0x80 ? 1 : lead >= 0xc2 && lead <= 0xdf ? 2 : lead >= 0xe0 && lead <= 0xef ? 3 : lead >= 0xf0 && lead <= 0xf4 ? 4 : 0;
    if (size === 0 || i + size > b.length) return i;
    try {
      decoder.decode(b.subarray(i, i + size));
    } catch {
      return i;
    }
    i += size;
  }
  return b.length;
}

function firstLine(s: string): string {
  return s.split('\n')[0]!.trim();
}

/** The node at `path` (or the deepest existing ancestor), and whether the full path exists. */
export function nodeAt(src: SourceFile, path: readonly PathSegment[]): { node: Node | null; exact: boolean; keyNode?: Node } {
  let node: unknown = src.doc.contents;
  let keyNode: Node | undefined;
  for (let i = 0; i < path.length; i++) {
    const seg = path[i]!;
    if (isMap(node)) {
      const pair = node.items.find((p) => isPair(p) && isScalar(p.key) && String(p.key.value) === String(seg));
      if (!pair) return { node: node as Node, exact: false };
      keyNode = pair.key as Node;
      node = pair.value ?? pair.key;
    } else if (isSeq(node) && typeof seg === 'number') {
      const item = node.items[seg];
      if (item === undefined) return { node: node as Node, exact: false };
      keyNode = undefined;
      node = item;
    } else {
      return { node: (node as Node) ?? null, exact: false };
    }
  }
  return { node: (node as Node) ?? null, exact: true, ...(keyNode ? { keyNode } : {}) };
}

/** 1-based line and column of the node at `path`; `key: true` points at the map key instead of its value. */
export function positionOf(src: SourceFile, path: readonly PathSegment[], opts: { key?: boolean } = {}): { line: number; column: number } {
  const { node, keyNode } = nodeAt(src, path);
  const target = opts.key && keyNode ? keyNode : node;
  const offset = target?.range?.[0] ?? 0;
  const { line, col } = src.lineCounter.linePos(offset);
  return { line, column: col };
}

/** A diagnostic located at `path` in `src`. */
export function diagnosticAt(
  src: SourceFile,
  path: readonly PathSegment[],
  code: string,
  message: string,
  extra: { expected?: string; found?: string; key?: boolean } = {},
): Diagnostic {
  const { line, column } = positionOf(src, path, { key: extra.key ?? false });
  const d: Diagnostic = { file: src.file, line, column, code, message };
  if (extra.expected !== undefined) d.expected = extra.expected;
  if (extra.found !== undefined) d.found = extra.found;
  return d;
}

/** The `$schema` named by the `# yaml-language-server: $schema=...` modeline, if any. */
export function schemaModeline(src: SourceFile): string | undefined {
  const m = /^#\s*yaml-language-server:\s*\$schema=(\S+)/m.exec(src.text.split('\n', 3).join('\n'));
  return m?.[1];
}
