/** `solrules analyze`: dry-run renders a PNG; a live run against a loopback chat-completions server; record then replay with no server; the key is never printed. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawn } from 'node:child_process';
import { REPO_ROOT } from '../support/paths.ts';
import { ChatServer, partsOf } from '../ai/chat-server.ts';
import { CANDLES_FILE } from '../ai/charts.ts';

const CLI = join(REPO_ROOT, 'bin', 'solrules.js');
const KEY = 'sk-cli-test-0a1b2c3d4e5f60718293a4b5c6d7e8f9';
const CLEAN_ENV = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('SOLRULES_AI_')));

/** Runs the CLI without blocking this process (the loopback server lives here). */
function cli(args: string[], env: Record<string, string> = {}): Promise<{ status: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [CLI, 'analyze', '--candles', CANDLES_FILE, '--end', '2026-01-06T09:00', '--market', 'SOL/USDT', ...args], { cwd: REPO_ROOT, env: { ...CLEAN_ENV, ...env } });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.on('close', (status) => resolve({ status, stdout, stderr }));
  });
}

test('--dry-run renders the same PNG bytes in two processes and calls nothing', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'ai-cli-'));
  const [a, b] = await Promise.all([cli(['--dry-run', '--out', join(dir, 'a.png')]), cli(['--dry-run', '--out', join(dir, 'b.png'), '--format', 'json'])]);
  assert.equal(a.status, 0, a.stderr);
  assert.equal(b.status, 0, b.stderr);
  assert.match(a.stderr, /chart: SOL\/USDT 1h, 120 bars, 1024x768, \d+ bytes, rendered in \d+ ms/);
  assert.ok(readFileSync(join(dir, 'a.png')).equals(readFileSync(join(dir, 'b.png'))));
  assert.equal(JSON.parse(b.stdout).chart.width, 1024);
});

test('without SOLRULES_AI_BASE_URL a live run fails with AI_CONFIG', async () => {
  const run = await cli([]);
  assert.equal(run.status, 1);
  assert.match(run.stderr, /AI_CONFIG.*SOLRULES_AI_BASE_URL is not set/);
});

test('a live run reaches the configured server, records, and replays with no server; the key is never printed', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'ai-cli-'));
  const recording = join(dir, 'analyses.jsonl');
  const server = new ChatServer();
  const baseUrl = await server.start();
  const env = { SOLRULES_AI_BASE_URL: baseUrl, SOLRULES_AI_MODEL: 'vision-test', SOLRULES_AI_API_KEY: KEY, SOLRULES_LOG_LEVEL: 'debug' };
  const live = await cli(['--language', 'de', '--record', recording], env);
  await server.close();
  assert.equal(live.status, 0, live.stderr);
  assert.equal(JSON.parse(live.stdout).recommendation, 'buy');
  assert.equal(server.received.length, 1);
  assert.equal(server.received[0]!.headers.authorization, `Bearer ${KEY}`);
  assert.ok(partsOf(server.received[0]!).texts.some((t) => t.includes('Kerzencharts')));
  assert.ok(!live.stdout.includes(KEY) && !live.stderr.includes(KEY), 'key printed');

  const replay = await cli(['--language', 'de', '--replay', recording, '--format', 'json'], { SOLRULES_AI_MODEL: 'vision-test' });
  assert.equal(replay.status, 0, replay.stderr);
  const out = JSON.parse(replay.stdout);
  assert.equal(out.result.source, 'replay');
  assert.equal(out.fact.recommendation, 'buy');
  assert.equal(out.replay.replayed.length, 1);
  assert.equal(out.replay.missing.length, 0);

  const missing = await cli(['--language', 'en', '--replay', recording, '--format', 'json'], { SOLRULES_AI_MODEL: 'vision-test' });
  assert.equal(missing.status, 1);
  assert.equal(JSON.parse(missing.stdout).replay.missing.length, 1);
  assert.equal(JSON.parse(missing.stdout).result.error.code, 'AI_REPLAY_MISSING');
});
