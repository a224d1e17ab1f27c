// Parses YAML text off the main thread for config/prescreen.ts (plain JS: it runs without tsx).
// Answers { id, ok, diagnostics } — problems as line/column/code/message, never the text itself.
import { parentPort } from 'node:worker_threads';
import { LineCounter, parseDocument, visit } from 'yaml';

const MAX_DEPTH = 64;

// Loaded and listening: the caller's parse deadline starts now (a busy machine can take seconds to
// start a worker thread, which says nothing about the file).
queueMicrotask(() => parentPort.postMessage({ ready: true }));

parentPort.on('message', ({ id, text }) => {
  const lineCounter = new LineCounter();
  const diagnostics = [];
  try {
    const doc = parseDocument(text, { lineCounter, prettyErrors: false, uniqueKeys: true });
    if (doc.errors.length) {
      for (const err of doc.errors.slice(0, 20)) {
        const { line, col } = lineCounter.linePos(err.pos[0]);
        diagnostics.push({ line, column: col, code: err.code === 'DUPLICATE_KEY' ? 'YAML_DUPLICATE_KEY' : 'YAML_SYNTAX', message: String(err.message).split('\n')[0].trim(), expected: 'valid YAML', found: err.code });
      }
    } else {
      // Nesting deeper than any config needs makes every later walk costly: refuse it here.
      let deepest;
      const depthOf = (path) => path.length;
      visit(doc, { Node(_key, node, path) {
        if (depthOf(path) > MAX_DEPTH * 2) {
          deepest = node;
          return visit.BREAK;
        }
      } });
      if (deepest) {
        const { line, col } = lineCounter.linePos(deepest.range?.[0] ?? 0);
        diagnostics.push({ line, column: col, code: 'YAML_TOO_DEEP', message: `nesting deeper than ${MAX_DEPTH} levels`, expected: `at most ${MAX_DEPTH} levels of nesting`, found: 'deeper' });
      } else {
        try {
          doc.toJS({ maxAliasCount: 100 });
        } catch {
          let offset = 0;
          visit(doc, { Alias(_k, node) {
            offset = node.range?.[0] ?? 0;
            return visit.BREAK;
          } });
          const { line, col } = lineCounter.linePos(offset);
          diagnostics.push({ line, column: col, code: 'YAML_ALIAS_LIMIT', message: 'YAML aliases expand past the limit of 100 (an alias bomb?)', expected: 'at most 100 alias expansions', found: 'more' });
        }
      }
    }
  } catch (err) {
    diagnostics.push({ line: 1, column: 1, code: 'YAML_SYNTAX', message: `the YAML parser gave up (${err?.name ?? 'error'})`, expected: 'valid YAML', found: err?.name ?? 'error' });
  }
  parentPort.postMessage({ id, ok: diagnostics.length === 0, diagnostics });
});
