/**
 * The machine's floor for bench:live: loopback round trips between two otherwise idle processes — a
 * WebSocket message one way, a keep-alive HTTP POST back (the shape of bench:live's raw floor with
 * no sandbox, no engine and no other thread of ours). Whatever p99 this shows at the machine's
 * current load, no engine path with a round trip in it can beat. Stamps are `performance.timeOrigin
 * + performance.now()` on both sides, as in bench:live.
 *
 * Run: node --import tsx bench/loopback.ts [samples=2000]
 */
import { createServer, request, Agent } from 'node:http';
import { fork } from 'node:child_process';
import { loadavg } from 'node:os';
import { fileURLToPath } from 'node:url';
import type { AddressInfo } from 'node:net';
import { WebSocket, WebSocketServer } from 'ws';

const now = () => performance.timeOrigin + performance.now();
const args = Object.fromEntries(process.argv.slice(2).filter((a) => a.includes('=')).map((a) => a.split('=') as [string, string]));

if (process.argv[2] === 'child') {
  const [wsPort, httpPort] = process.argv.slice(3).map(Number);
  const agent = new Agent({ keepAlive: true });
  const ws = new WebSocket(`ws://127.0.0.1:${wsPort}`, { perMessageDeflate: false });
  ws.on('message', (m) => {
    const body = JSON.stringify({ sent: (JSON.parse(m.toString()) as { sent: number }).sent, got: now() });
    request({ host: '127.0.0.1', port: httpPort, method: 'POST', agent, headers: { 'content-length': Buffer.byteLength(body) } }, (res) => res.resume()).end(body);
  });
} else {
  const N = Number(args.samples ?? 2000);
  const WARM = 200;
  const out: number[] = [];
  const back: number[] = [];
  const total: number[] = [];
  let seen = 0;
  const http = createServer((req, res) => {
    const at = now();
    let b = '';
    req.on('data', (c: Buffer) => (b += c.toString()));
    req.on('end', () => {
      const { sent, got } = JSON.parse(b) as { sent: number; got: number };
      if (seen++ >= WARM) {
        out.push(got - sent);
        back.push(at - got);
        total.push(at - sent);
      }
      res.end('ok');
    });
  });
  await new Promise<void>((r) => http.listen(0, '127.0.0.1', r));
  const wss = new WebSocketServer({ port: 0, host: '127.0.0.1', perMessageDeflate: false });
  await new Promise((r) => wss.on('listening', r));
  const child = fork(fileURLToPath(import.meta.url), ['child', String((wss.address() as AddressInfo).port), String((http.address() as AddressInfo).port)], { execArgv: ['--import', 'tsx'] });
  const sock = await new Promise<WebSocket>((r) => wss.on('connection', r));
  const loadBefore = loadavg().map((l) => l.toFixed(2)).join(' ');
  for (let i = 0; i < N + WARM; i++) {
    sock.send(JSON.stringify({ sent: now() }));
    await new Promise((r) => setTimeout(r, 5));
  }
  await new Promise((r) => setTimeout(r, 500));
  const pct = (xs: number[], p: number) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.ceil((p / 100) * xs.length) - 1)]!;
  const f = (xs: number[]) => `p50 ${pct(xs, 50).toFixed(2)} / p99 ${pct(xs, 99).toFixed(2)} / max ${Math.max(...xs).toFixed(2)} ms`;
  console.log(`loopback between two idle processes, ${total.length} samples (every 5 ms), load average ${loadBefore}:`);
  console.log(`  WebSocket message out  ${f(out)}`);
  console.log(`  HTTP POST back         ${f(back)}`);
  console.log(`  round trip             ${f(total)}`);
  child.kill();
  wss.close();
  http.close();
}
