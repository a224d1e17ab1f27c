/**
 * Records the AI answers the ai-trend example's backtest replays (examples/ai-trend/
 * recorded-analyses.jsonl) — from a SCRIPTED, deterministic loopback "model", NOT a real model.
 *
 * Why scripted: the example must backtest on a clean checkout, for free and deterministically,
 * and this repository calls no model API. So a loopback server speaking the chat-completions
 * protocol answers each chart with a fixed rule on the same candles (RSI 14 and the 24-hour
 * change of the 1h closes up to the chart's last candle, which the prompt names), and says so in
 * every answer's reasoning and in its model name. Everything else is the engine's real path: the
 * backtest runner draws each chart, the AI client posts it (PNG data URL, prompt, JSON schema) to
 * the server over HTTP, validates the answer and the recorder appends it under the request hash
 * that `solrules backtest` recomputes when it replays.
 *
 *   npm run ai:record-example            (then, in examples/ai-trend: npx solrules backtest --from 2025-11-01 --to 2025-12-15)
 *
 * To record a real model's answers instead, run the engine on a model (docs/ai.md): `solrules run`
 * appends every answer to the strategy's `ai.recordings` file.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { rmSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { buildActiveConfig } from '../engine/config/index.ts';
import { fillModel, loadBacktestData, runBacktest } from '../engine/backtest/index.ts';
import { evaluatorFactory } from '../engine/rules/index.ts';
import { createLogger, setLogger } from '../engine/infra/telemetry/index.ts';
import { readCandlesCsv, rsi, type AnalysisAnswer } from '../engine/ai/index.ts';

export const SCRIPTED_MODEL = 'scripted-loopback-v1';
const ROOT = resolve(import.meta.dirname, '..', 'examples', 'ai-trend');
const STRATEGY = 'ai-trend';
const FROM = process.env.FROM ?? '2025-11-01';
const TO = process.env.TO ?? '2025-12-15';

/** The scripted analyst: a fixed rule on the 1h closes up to `toMs` (the chart's last candle). */
export function scriptedAnswer(closes: readonly number[], times: readonly number[], toMs: number): AnalysisAnswer {
  let end = times.length;
  while (end > 0 && times[end - 1]! > toMs) end--;
  const window = closes.slice(Math.max(0, end - 200), end);
  const r = rsi(window, 14).at(-1) ?? 50;
  const last = window.at(-1)!;
  const dayAgo = window.at(-25) ?? window[0]!;
  const change = ((last - dayAgo) / dayAgo) * 100;
  const recent = window.slice(-48);
  const support = Math.min(...recent);
  const resistance = Math.max(...recent);
  const round = (x: number) => Math.round(x * 100) / 100;
  let recommendation: AnalysisAnswer['recommendation'] = 'hold';
  let confidence = 0.5;
  // Fades stretched moves, follows orderly ones: it disagrees with a plain EMA trend often enough to matter.
  if (r >= 70) [recommendation, confidence] = ['sell', Math.min(0.9, 0.55 + (r - 70) / 40)];
  else if (r <= 30) [recommendation, confidence] = ['buy', Math.min(0.9, 0.55 + (30 - r) / 40)];
  else if (change >= 1 && r < 62) [recommendation, confidence] = ['buy', Math.min(0.85, 0.55 + change / 20)];
  else if (change <= -1 && r > 38) [recommendation, confidence] = ['sell', Math.min(0.85, 0.55 - change / 20)];
  return {
    recommendation,
    confidence: round(confidence),
    horizon: 'intraday',
    keyLevels: { support: [round(support)], resistance: [round(resistance)] },
    reasoning: `SCRIPTED answer of a deterministic loopback script, not a model: RSI14 ${r.toFixed(1)}, 24h change ${change.toFixed(2)} %.`,
  };
}

/** Starts the scripted chat-completions server; answers every chart from the candles in `file`. */
export async function startScriptedModel(file: string): Promise<{ url: string; requests: () => number; close: () => Promise<void> }> {
  const bars = readCandlesCsv(file);
  const closes = bars.map((b) => b.close);
  const times = bars.map((b) => b.time);
  let requests = 0;
  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      requests += 1;
      const body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as { messages: { role: string; content: string | { type: string; text?: string; image_url?: { url: string } }[] }[] };
      const user = body.messages.filter((m) => m.role === 'user').at(-1)!;
      const parts = typeof user.content === 'string' ? [{ type: 'text', text: user.content }] : user.content;
      const text = parts.find((p) => p.type === 'text')?.text ?? '';
      const hasImage = parts.some((p) => p.type === 'image_url' && p.image_url?.url.startsWith('data:image/png;base64,'));
      // The prompt names the chart's last candle ("... to 2025-11-20 08:00 UTC" / "up to ...").
      const to = /to (\d{4}-\d\d-\d\d \d\d:\d\d) UTC/.exec(text)?.[1];
      if (!to || !hasImage) {
        res.writeHead(400, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ error: { message: `scripted model: expected a chart image and a prompt naming its last candle; got ${hasImage ? 'no time' : 'no image'}` } }));
        return;
      }
      const answer = scriptedAnswer(closes, times, Date.parse(`${to.replace(' ', 'T')}:00Z`));
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ id: `scripted-${requests}`, object: 'chat.completion', model: SCRIPTED_MODEL, choices: [{ index: 0, message: { role: 'assistant', content: JSON.stringify(answer) }, finish_reason: 'stop' }], usage: { prompt_tokens: 0, completion_tokens: 0, total_tokens: 0 } }));
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as AddressInfo;
  return { url: `http://127.0.0.1:${port}/v1`, requests: () => requests, close: () => new Promise((r) => server.close(() => r())) };
}

async function main(): Promise<void> {
  setLogger(createLogger({ level: 'error' }));
  const built = await buildActiveConfig(ROOT, evaluatorFactory('compiled'), 'backtest');
  if (!built.active) throw new Error(`the project does not validate: ${built.diagnostics.map((d) => `${d.file}:${d.line}: ${d.message}`).join('; ')}`);
  const active = built.active;
  const cfg = active.strategies;
  const strategiesFile = active.project.strategies!.src.file;
  const recordings = resolve(dirname(strategiesFile), cfg.strategies[STRATEGY]!.ai!.recordings!);
  const data = loadBacktestData(cfg, strategiesFile, { from: FROM, to: TO });
  const model = await startScriptedModel(data.files[0]!.path);
  rmSync(recordings, { force: true });
  try {
    const run = await runBacktest({
      active,
      series: data.series,
      strategies: [STRATEGY],
      fill: fillModel({ fillAt: cfg.backtest?.fillAt, feeBps: cfg.paper?.feeBps, slippageBps: cfg.paper?.slippageBps }),
      ai: {
        mode: 'live',
        wait: 'inline',
        baseDir: dirname(strategiesFile),
        env: { SOLRULES_AI_BASE_URL: model.url, SOLRULES_AI_MODEL: SCRIPTED_MODEL, SOLRULES_AI_MAX_CALLS_PER_DAY: '100000', SOLRULES_AI_RESPONSE_FORMAT: 'json_schema' },
      },
    });
    const streams = run.result.ai?.streams ?? [];
    console.log(`recorded ${model.requests()} scripted answer(s) (${SCRIPTED_MODEL}, NOT a model) for ${STRATEGY}, ${FROM} .. ${TO} -> ${join(...[recordings])}`);
    for (const s of streams) console.log(`  ${s.stream}: ${s.counts.scheduled} scheduled, ${s.counts.ok} ok, failed ${JSON.stringify(s.counts.failed)}`);
  } finally {
    await model.close();
  }
}

if (import.meta.url === `file://${process.argv[1]}`) await main();
