/**
 * A real headless Chromium (Debian's `chromium`) driven over the DevTools protocol with `ws`
 * (already a dependency): no browser download, no extra package. Collects console errors,
 * uncaught exceptions and browser log errors (CSP violations, failed loads) of the page.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestContext } from 'node:test';
import WebSocket from 'ws';
import { missingPrerequisite } from './services.ts';
import { whichTool } from './tools.ts';

/** Flags from the machine doc: headless, no sandbox (root), no background network. */
const FLAGS = [
  '--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
  '--disable-component-update', '--disable-sync', '--disable-extensions', '--disable-dev-shm-usage', '--hide-scrollbars',
  '--mute-audio', '--remote-debugging-port=0',
];

/** Path of chromium; fails under CI=true, skips loudly otherwise when it is missing. */
export function requireChromium(t: TestContext): string | undefined {
  const path = process.env.CHROMIUM_PATH ?? whichTool('chromium') ?? whichTool('chromium-browser');
  if (path) return path;
  missingPrerequisite(t, 'chromium is not installed', 'apt-get install chromium (.ci/run installs it when missing)');
  return undefined;
}

/** A problem the page reported: console.error, an uncaught exception, or a browser log error. */
export interface PageProblem { kind: 'console' | 'exception' | 'log'; text: string }

interface Pending { resolve: (v: any) => void; reject: (e: Error) => void }

/** One browser with one page (tab). */
export class HeadlessPage {
  readonly problems: PageProblem[] = [];
  private nextId = 1;
  private readonly pending = new Map<number, Pending>();
  private readonly waiters: Array<{ method: string; resolve: (p: any) => void }> = [];
  private sessionId = '';

  private constructor(private readonly proc: ChildProcess, private readonly ws: WebSocket, private readonly profile: string) {
    ws.on('message', (raw) => this.onMessage(JSON.parse(String(raw))));
  }

  /** Starts chromium and opens a blank page of `width`×`height` CSS pixels. */
  static async launch(chromium: string, width = 1400, height = 1000): Promise<HeadlessPage> {
    const profile = mkdtempSync(join(tmpdir(), 'solrules-chromium-'));
    const proc = spawn(chromium, [...FLAGS, `--user-data-dir=${profile}`, `--window-size=${width},${height}`, 'about:blank'], { stdio: ['ignore', 'ignore', 'pipe'] });
    const url = await new Promise<string>((resolve, reject) => {
      let err = '';
      const timer = setTimeout(() => reject(new Error(`chromium did not open its DevTools port within 30 s:\n${err}`)), 30_000);
      proc.stderr!.on('data', (b: Buffer) => {
        err += b.toString();
        const m = /DevTools listening on (ws:\/\/\S+)/.exec(err);
        if (m) { clearTimeout(timer); resolve(m[1]!); }
      });
      proc.on('exit', (code) => { clearTimeout(timer); reject(new Error(`chromium exited with ${code}:\n${err}`)); });
    });
    const ws = new WebSocket(url, { perMessageDeflate: false, maxPayload: 512 * 1024 * 1024 });
    await new Promise<void>((resolve, reject) => { ws.once('open', () => resolve()); ws.once('error', reject); });
    const page = new HeadlessPage(proc, ws, profile);
    const { targetId } = await page.send('Target.createTarget', { url: 'about:blank' }, false);
    const { sessionId } = await page.send('Target.attachToTarget', { targetId, flatten: true }, false);
    page.sessionId = sessionId;
    await page.send('Runtime.enable');
    await page.send('Log.enable');
    await page.send('Page.enable');
    await page.send('Emulation.setDeviceMetricsOverride', { width, height, deviceScaleFactor: 1, mobile: false });
    return page;
  }

  private onMessage(msg: any): void {
    if (msg.id !== undefined) {
      const p = this.pending.get(msg.id);
      this.pending.delete(msg.id);
      if (msg.error) p?.reject(new Error(`${msg.error.message} (${msg.error.code})`));
      else p?.resolve(msg.result);
      return;
    }
    const params = msg.params ?? {};
    if (msg.method === 'Runtime.consoleAPICalled' && (params.type === 'error' || params.type === 'assert')) {
      this.problems.push({ kind: 'console', text: params.args.map((a: any) => a.value ?? a.description ?? '').join(' ') });
    } else if (msg.method === 'Runtime.exceptionThrown') {
      this.problems.push({ kind: 'exception', text: params.exceptionDetails?.exception?.description ?? params.exceptionDetails?.text ?? 'exception' });
    } else if (msg.method === 'Log.entryAdded' && params.entry?.level === 'error') {
      this.problems.push({ kind: 'log', text: `${params.entry.source}: ${params.entry.text} ${params.entry.url ?? ''}` });
    }
    for (let i = this.waiters.length - 1; i >= 0; i--) {
      if (this.waiters[i]!.method === msg.method) { this.waiters[i]!.resolve(params); this.waiters.splice(i, 1); }
    }
  }

  /** Sends a DevTools command (to the page's session unless `toPage` is false). */
  send(method: string, params: Record<string, unknown> = {}, toPage = true): Promise<any> {
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      this.ws.send(JSON.stringify({ id, method, params, ...(toPage ? { sessionId: this.sessionId } : {}) }));
    });
  }

  private next(method: string, timeoutMs: number): Promise<any> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no ${method} within ${timeoutMs} ms`)), timeoutMs);
      this.waiters.push({ method, resolve: (p) => { clearTimeout(timer); resolve(p); } });
    });
  }

  /** Loads `url` and waits for its load event; returns the wall time it took, ms. */
  async goto(url: string, timeoutMs = 60_000): Promise<number> {
    const loaded = this.next('Page.loadEventFired', timeoutMs);
    const t = performance.now();
    const r = await this.send('Page.navigate', { url });
    if (r.errorText) throw new Error(`navigation to ${url} failed: ${r.errorText}`);
    await loaded;
    return performance.now() - t;
  }

  /** Evaluates `expression` in the page and returns its value (promises awaited). */
  async eval<T = unknown>(expression: string): Promise<T> {
    const r = await this.send('Runtime.evaluate', { expression, returnByValue: true, awaitPromise: true });
    if (r.exceptionDetails) throw new Error(`page threw: ${r.exceptionDetails.exception?.description ?? r.exceptionDetails.text}`);
    return r.result.value as T;
  }

  /** PNG of the viewport (or of `clip` in CSS pixels). */
  async screenshot(clip?: { x: number; y: number; width: number; height: number }): Promise<Buffer> {
    const r = await this.send('Page.captureScreenshot', { format: 'png', ...(clip ? { clip: { ...clip, scale: 1 }, captureBeyondViewport: true } : {}) });
    return Buffer.from(r.data, 'base64');
  }

  /** Closes the browser and removes its profile. */
  async close(): Promise<void> {
    try { await Promise.race([this.send('Browser.close', {}, false), new Promise((r) => setTimeout(r, 3_000))]); } catch { /* already gone */ }
    this.ws.close();
    if (this.proc.exitCode === null) {
      await Promise.race([new Promise((r) => this.proc.once('exit', r)), new Promise((r) => setTimeout(r, 3_000))]);
      if (this.proc.exitCode === null) this.proc.kill('SIGKILL');
    }
    rmSync(this.profile, { recursive: true, force: true });
  }
}
