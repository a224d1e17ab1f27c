/**
 * Recorded analyses for deterministic, free backtests: a JSON-lines file of request hash →
 * answer. In record mode every answer the API gives is appended; in replay mode answers come only
 * from the file, the network is never touched, and the recorder lists what it replayed and what
 * was missing.
 */
import { appendFileSync, existsSync, mkdirSync, readFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { SolrulesError } from '../errors/index.ts';
import { parseAnswer } from './answer.ts';
import type { AnalysisAnswer } from './types.ts';

export type RecorderMode = 'record' | 'replay';

export interface RecordedAnalysis {
  requestHash: string;
  market: string;
  timeframe: string;
  chartSha256: string;
  /** Model that answered (as the server named it, e.g. a dated version). */
  model: string;
  /** Model the request named, which the request hash covers (absent in recordings made before it was kept: then `model`). */
  requestedModel?: string;
  language: string;
  answer: AnalysisAnswer;
  /** When the answer was recorded (ms; the injected clock's time). */
  recordedAt: number;
}

/** A request as the replay report lists it; `chartTo` is the chart's last candle (UTC). */
export interface ReplayedRequest {
  requestHash: string;
  market: string;
  chartSha256: string;
  chartTo?: string;
}

export interface ReplayReport {
  replayed: ReplayedRequest[];
  missing: ReplayedRequest[];
}

export class AnalysisRecorder {
  private readonly entries = new Map<string, RecordedAnalysis>();
  private readonly report: ReplayReport = { replayed: [], missing: [] };

  /** `missingOk`: a replay of a file that does not exist answers nothing (every request is reported missing) instead of throwing. */
  constructor(
    readonly file: string,
    readonly mode: RecorderMode,
    opts: { missingOk?: boolean } = {},
  ) {
    if (existsSync(file)) this.load();
    else if (mode === 'replay' && !opts.missingOk) throw new SolrulesError('AI_REPLAY_FILE', `no recorded analyses at ${file}`, { file });
  }

  /** The models the recorded requests named (what a replaying client must name to find them). */
  models(): string[] {
    return [...new Set([...this.entries.values()].map((e) => e.requestedModel ?? e.model))].sort();
  }

  private load(): void {
    const lines = readFileSync(this.file, 'utf8').split('\n');
    lines.forEach((line, i) => {
      if (line.trim() === '') return;
      let entry: RecordedAnalysis;
      try {
        entry = JSON.parse(line) as RecordedAnalysis;
      } catch (err) {
        throw new SolrulesError('AI_REPLAY_FILE', `${this.file}:${i + 1}:1: not JSON (${(err as Error).message})`, { file: this.file, line: i + 1, column: 1 });
      }
      const parsed = parseAnswer(JSON.stringify(entry.answer));
      if (typeof entry.requestHash !== 'string' || !parsed.ok) {
        throw new SolrulesError('AI_REPLAY_FILE', `${this.file}:${i + 1}:1: not a recorded analysis (${parsed.ok ? 'requestHash missing' : parsed.error})`, { file: this.file, line: i + 1, column: 1 });
      }
      this.entries.set(entry.requestHash, entry);
    });
  }

  /** The recorded answer for a request (replay mode notes hits and misses for the report). */
  lookup(requestHash: string, about: { market: string; chartSha256: string; chartTo?: string }): RecordedAnalysis | undefined {
    const hit = this.entries.get(requestHash);
    if (this.mode === 'replay') (hit ? this.report.replayed : this.report.missing).push({ requestHash, ...about });
    return hit;
  }

  /** Appends an answer (record mode). */
  record(entry: RecordedAnalysis): void {
    if (this.mode !== 'record') return;
    this.entries.set(entry.requestHash, entry);
    mkdirSync(dirname(this.file), { recursive: true });
    appendFileSync(this.file, JSON.stringify(entry) + '\n');
  }

  get size(): number {
    return this.entries.size;
  }

  /** Which requests were answered from the file and which had no recorded answer. */
  replayReport(): ReplayReport {
    return { replayed: [...this.report.replayed], missing: [...this.report.missing] };
  }
}
