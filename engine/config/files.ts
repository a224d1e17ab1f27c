/**
 * Reading the files users edit, defensively: a file in rules/ may be huge, a directory, a
 * symlink loop or a symlink out of the project (to a key, to /etc/passwd). Each becomes a
 * positioned diagnostic with a stable code; nothing of a refused file is read or echoed.
 */
import { closeSync, fstatSync, lstatSync, openSync, readSync, realpathSync, statSync } from 'node:fs';
import { dirname, relative, resolve, sep } from 'node:path';
import type { Diagnostic } from './diagnostics.ts';

/**
 * Largest file a load or reload reads (bytes). A file of a thousand rules is ~330 KB;
 * YAML is parsed on the event loop, so this also bounds how long one file can stall it.
 * Override with SOLRULES_MAX_FILE_BYTES.
 */
export const DEFAULT_MAX_FILE_BYTES = 512 * 1024;

export function maxFileBytes(): number {
  const env = Number(process.env.SOLRULES_MAX_FILE_BYTES);
  return Number.isFinite(env) && env > 0 ? env : DEFAULT_MAX_FILE_BYTES;
}

export type ReadResult = { ok: true; text: string; bytes: Buffer } | { ok: false; diagnostic: Diagnostic };

function refuse(file: string, code: string, message: string, expected?: string, found?: string): ReadResult {
  const d: Diagnostic = { file, line: 1, column: 1, code, message };
  if (expected !== undefined) d.expected = expected;
  if (found !== undefined) d.found = found;
  return { ok: false, diagnostic: d };
}

function inside(root: string, path: string): boolean {
  const rel = relative(root, path);
  return rel === '' || (!rel.startsWith('..') && !rel.startsWith(sep) && !rel.includes(`..${sep}`) && rel !== '..');
}

/**
 * Reads a user file as UTF-8 text, or says why not: too large (the limit is named), not a
 * regular file, a symlink loop, a symlink leaving `root` (when given), unreadable. The size is
 * checked on the open descriptor, so a file swapped between the check and the read cannot slip through.
 */
export function readUserFile(file: string, opts: { root?: string; maxBytes?: number } = {}): ReadResult {
  const limit = opts.maxBytes ?? maxFileBytes();
  try {
    if (lstatSync(file).isSymbolicLink()) {
      const target = realpathSync(file);
      const root = opts.root ? realpathSync(opts.root) : undefined;
      if (root && !inside(root, target)) {
        return refuse(file, 'CONFIG_SYMLINK_OUTSIDE', `${file} is a symlink to a file outside the project; it is not read`, `a file inside ${opts.root}`, 'a symlink leaving the project');
      }
    }
    const st = statSync(file);
    if (st.isDirectory()) return refuse(file, 'CONFIG_NOT_A_FILE', `${file} is a directory, not a YAML file`, 'a regular file', 'a directory');
    if (!st.isFile()) return refuse(file, 'CONFIG_NOT_A_FILE', `${file} is not a regular file`, 'a regular file', 'a device, socket or pipe');
    const fd = openSync(file, 'r');
    try {
      const size = fstatSync(fd).size;
      if (size > limit) {
        return refuse(file, 'CONFIG_FILE_TOO_LARGE', `${file} is ${size} bytes, over the ${limit}-byte limit for a config or rule file; it is not read (SOLRULES_MAX_FILE_BYTES raises the limit)`, `at most ${limit} bytes`, `${size} bytes`);
      }
      const buf = Buffer.alloc(size);
      let off = 0;
      while (off < size) {
        const n = readSync(fd, buf, off, size - off, off);
        if (n === 0) break;
        off += n;
      }
      const bytes = buf.subarray(0, off);
      return { ok: true, text: bytes.toString('utf8'), bytes };
    } finally {
      closeSync(fd);
    }
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code ?? 'EIO';
    if (code === 'ELOOP') return refuse(file, 'CONFIG_SYMLINK_LOOP', `${file} is a symlink loop`, 'a file, or a symlink to one', 'ELOOP');
    if (code === 'ENOENT') return refuse(file, 'CONFIG_FILE_MISSING', `${file} does not exist (a dangling symlink, or deleted while loading)`, 'an existing file', 'ENOENT');
    if (code === 'EISDIR') return refuse(file, 'CONFIG_NOT_A_FILE', `${file} is a directory, not a YAML file`, 'a regular file', 'a directory');
    return refuse(file, 'CONFIG_UNREADABLE', `${file} cannot be read (${code})`, 'a readable file', code);
  }
}

/** The project root a file belongs to, for symlink checks: the directory holding strategies.yaml, else the file's own directory. */
export function projectRootOf(file: string, strategiesFile?: string): string {
  return strategiesFile ? dirname(resolve(strategiesFile)) : dirname(resolve(file));
}
