/**
 * Off-the-event-loop screening of changed files before a reload parses them: a worker thread
 * parses each new text; only text it found to be clean YAML is parsed again on the main thread
 * (where positions for later checks are needed). Garbage, syntax errors, alias bombs and
 * absurd nesting are refused from the worker's verdict, so hostile content costs the event loop
 * nothing but a message. A worker that does not answer in time is terminated and the file refused.
 */
import { createHash } from 'node:crypto';
import { Worker } from 'node:worker_threads';
import type { Diagnostic } from './diagnostics.ts';
import { readUserFile } from './files.ts';

type Verdict = { ok: true } | { ok: false; diagnostics: Diagnostic[] };

/** Verdicts by file, for the exact text screened (sha256). */
const verdicts = new Map<string, { hash: string; verdict: Verdict }>();

const hashOf = (text: string) => createHash('sha256').update(text).digest('hex');

let worker: Worker | undefined;
/** Resolves once the current worker has loaded its parser (or is gone): parse deadlines start then. */
let workerReady: Promise<void> = Promise.resolve();
let nextId = 0;
const waiting = new Map<number, (v: { ok: boolean; diagnostics: Array<Omit<Diagnostic, 'file'>> }) => void>();

function getWorker(): Worker {
  if (!worker) {
    worker = new Worker(new URL('./parse-worker.mjs', import.meta.url));
    let markReady: () => void = () => undefined;
    workerReady = new Promise<void>((r) => (markReady = r));
    worker.on('message', (m: { id: number; ok: boolean; diagnostics: Array<Omit<Diagnostic, 'file'>> } | { ready: true }) => {
      if ('ready' in m) return markReady();
      waiting.get(m.id)?.(m);
      waiting.delete(m.id);
    });
    const reset = () => {
      worker = undefined;
      markReady();
      for (const resolve of waiting.values()) resolve({ ok: false, diagnostics: [{ line: 1, column: 1, code: 'CONFIG_PARSE_ABORTED', message: 'the YAML parser stopped before finishing this file' }] });
      waiting.clear();
    };
    worker.on('error', reset);
    worker.on('exit', reset);
    worker.unref(); // an idle screener never keeps the process alive (after the listeners: they would ref it)
  }
  return worker;
}

async function screenText(text: string, timeoutMs: number): Promise<{ ok: boolean; diagnostics: Array<Omit<Diagnostic, 'file'>> }> {
  const id = nextId++;
  const w = getWorker();
  w.ref(); // starting: keeps the process alive until the worker is up
  await workerReady; // the deadline bounds the parse, not the start of the worker thread
  return new Promise((resolve) => {
    const timer = setTimeout(() => {
      waiting.delete(id);
      void w.terminate();
      resolve({ ok: false, diagnostics: [{ line: 1, column: 1, code: 'CONFIG_PARSE_TIMEOUT', message: `parsing took longer than ${timeoutMs} ms; the file is refused`, expected: 'a file that parses quickly', found: 'a parse still running' }] });
    }, timeoutMs);
    timer.unref();
    waiting.set(id, (v) => {
      clearTimeout(timer);
      if (waiting.size <= 1) w.unref(); // idle again: the screener must not keep the process alive
      resolve(v);
    });
    w.ref(); // a pending answer keeps the process alive until it comes
    w.postMessage({ id, text });
  });
}

/** Screens every file whose text changed since it was last screened; safe to call before each reload. */
export async function prescreenFiles(files: readonly string[], opts: { root?: string; timeoutMs?: number } = {}): Promise<void> {
  const present = new Set(files);
  for (const f of verdicts.keys()) if (!present.has(f)) verdicts.delete(f); // deleted files leave nothing behind
  for (const file of files) {
    const read = readUserFile(file, opts.root ? { root: opts.root } : {});
    if (!read.ok) {
      verdicts.delete(file); // refused unread by the loader anyway
      continue;
    }
    const hash = hashOf(read.text);
    if (verdicts.get(file)?.hash === hash) continue;
    const v = await screenText(read.text, opts.timeoutMs ?? 5_000);
    verdicts.set(file, { hash, verdict: v.ok ? { ok: true } : { ok: false, diagnostics: v.diagnostics.map((d) => ({ file, ...d })) } });
  }
}

/** The worker's refusal of exactly this text, if it refused it. */
export function prescreenedRefusal(file: string, text: string): Diagnostic[] | undefined {
  const entry = verdicts.get(file);
  if (!entry || entry.verdict.ok || entry.hash !== hashOf(text)) return undefined;
  // A small file with ordinary syntax errors is cheap to parse again, and the main parser says
  // it better (one error per mistake: merge markers, ...); only what is costly is refused here.
  const costly = entry.verdict.diagnostics.some((d) => !/^YAML_(SYNTAX|DUPLICATE_KEY)$/.test(d.code));
  if (!costly && text.length <= SMALL_TEXT) return undefined;
  return entry.verdict.diagnostics;
}

/** Below this many characters a file with syntax errors is parsed again on the main thread (a few ms at most). */
const SMALL_TEXT = 32 * 1024;
