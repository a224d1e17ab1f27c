/**
 * A minimal Language Server Protocol client over stdio (JSON-RPC with Content-Length framing),
 * enough to drive the real yaml-language-server: open documents, collect the diagnostics it
 * publishes, ask for completions.
 */
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { pathToFileURL } from 'node:url';
import { join } from 'node:path';
import { REPO_ROOT } from './paths.ts';

export interface LspDiagnostic {
  range: { start: { line: number; character: number }; end: { line: number; character: number } };
  message: string;
  severity?: number;
}
export interface LspCompletionItem {
  label: string;
  kind?: number;
}

type Pending = { resolve: (v: unknown) => void; reject: (e: Error) => void };

export class LspClient {
  private readonly proc: ChildProcessWithoutNullStreams;
  private buffer = Buffer.alloc(0);
  private nextId = 1;
  private readonly pending = new Map<number, Pending>();
  private readonly diagnostics = new Map<string, { version: number; items: LspDiagnostic[] }>();
  private readonly waiters: Array<() => void> = [];
  stderr = '';

  constructor(private readonly settings: Record<string, unknown>) {
    const bin = join(REPO_ROOT, 'node_modules', 'yaml-language-server', 'bin', 'yaml-language-server');
    this.proc = spawn(process.execPath, [bin, '--stdio'], { stdio: ['pipe', 'pipe', 'pipe'] });
    this.proc.stdout.on('data', (chunk: Buffer) => this.receive(chunk));
    this.proc.stderr.on('data', (chunk: Buffer) => (this.stderr += chunk.toString()));
  }

  private send(message: Record<string, unknown>): void {
    const body = Buffer.from(JSON.stringify({ jsonrpc: '2.0', ...message }), 'utf8');
    this.proc.stdin.write(`Content-Length: ${body.length}\r\n\r\n`);
    this.proc.stdin.write(body);
  }

  private receive(chunk: Buffer): void {
    this.buffer = Buffer.concat([this.buffer, chunk]);
    for (;;) {
      const headerEnd = this.buffer.indexOf('\r\n\r\n');
      if (headerEnd < 0) return;
      const length = Number(/Content-Length: (\d+)/i.exec(this.buffer.subarray(0, headerEnd).toString())![1]);
      if (this.buffer.length < headerEnd + 4 + length) return;
      const msg = JSON.parse(this.buffer.subarray(headerEnd + 4, headerEnd + 4 + length).toString('utf8')) as Record<string, unknown>;
      this.buffer = this.buffer.subarray(headerEnd + 4 + length);
      this.handle(msg);
    }
  }

  private handle(msg: Record<string, unknown>): void {
    if (msg.id !== undefined && msg.method === undefined) {
      const p = this.pending.get(msg.id as number);
      this.pending.delete(msg.id as number);
      if (msg.error) p?.reject(new Error(JSON.stringify(msg.error)));
      else p?.resolve(msg.result);
      return;
    }
    if (msg.method === 'textDocument/publishDiagnostics') {
      const params = msg.params as { uri: string; version?: number; diagnostics: LspDiagnostic[] };
      this.diagnostics.set(params.uri, { version: params.version ?? 0, items: params.diagnostics });
      this.waiters.splice(0).forEach((w) => w());
      return;
    }
    if (msg.id !== undefined) {
      // server → client requests: configuration, registration, progress
      let result: unknown = null;
      if (msg.method === 'workspace/configuration') {
        const items = (msg.params as { items: Array<{ section?: string }> }).items;
        result = items.map((i) => (i.section ? (this.settings as Record<string, unknown>)[i.section] ?? null : this.settings));
      }
      this.send({ id: msg.id, result });
    }
  }

  request<T>(method: string, params: unknown): Promise<T> {
    const id = this.nextId++;
    this.send({ id, method, params });
    return new Promise<T>((resolve, reject) => {
      this.pending.set(id, { resolve: resolve as (v: unknown) => void, reject });
      setTimeout(() => reject(new Error(`${method}: no answer in 20 s; stderr: ${this.stderr}`)), 20_000).unref();
    });
  }

  notify(method: string, params: unknown): void {
    this.send({ method, params });
  }

  async start(): Promise<void> {
    await this.request('initialize', {
      processId: process.pid,
      rootUri: pathToFileURL(REPO_ROOT).href,
      capabilities: { workspace: { configuration: true }, textDocument: { completion: { completionItem: { snippetSupport: false } }, publishDiagnostics: {} } },
    });
    this.notify('initialized', {});
    this.notify('workspace/didChangeConfiguration', { settings: this.settings });
  }

  /** Opens a document and resolves with the diagnostics the server publishes for it. */
  async open(uri: string, text: string, timeoutMs = 20_000): Promise<LspDiagnostic[]> {
    this.diagnostics.delete(uri);
    this.notify('textDocument/didOpen', { textDocument: { uri, languageId: 'yaml', version: 1, text } });
    const end = Date.now() + timeoutMs;
    while (!this.diagnostics.has(uri)) {
      if (Date.now() > end) throw new Error(`no diagnostics for ${uri}; stderr: ${this.stderr}`);
      await new Promise<void>((r) => {
        this.waiters.push(r);
        setTimeout(r, 200).unref();
      });
    }
    return this.diagnostics.get(uri)!.items;
  }

  async completion(uri: string, line: number, character: number): Promise<string[]> {
    const result = await this.request<{ items: LspCompletionItem[] } | LspCompletionItem[] | null>('textDocument/completion', { textDocument: { uri }, position: { line, character } });
    const items = Array.isArray(result) ? result : result?.items ?? [];
    return items.map((i) => i.label);
  }

  async stop(): Promise<void> {
    try {
      await this.request('shutdown', null);
      this.notify('exit', null);
    } catch {
      /* already gone */
    }
    this.proc.kill();
  }
}
