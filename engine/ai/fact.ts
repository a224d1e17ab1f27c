/**
 * The `ai` fact: the latest analysis of a market as rules see it. Only a complete, fresh answer
 * is `ready`; a missing, failed, budget-stopped or stale analysis is `ready: false` with
 * recommendation `none` and confidence 0, so a rule never acts on half an answer.
 */
import type { AnalysisResult } from './client.ts';
import type { Recommendation } from './types.ts';

export type AiFactStatus = 'ok' | 'stale' | 'failed' | 'budget-exhausted' | 'missing';

export interface AiFact {
  market: string;
  ready: boolean;
  status: AiFactStatus;
  recommendation: Recommendation | 'none';
  confidence: number;
  horizon: string;
  ageSeconds: number;
  model: string;
}

/** The fact for a market from its latest analysis (undefined before the first) at `now` (ms). */
export function aiFact(market: string, latest: AnalysisResult | undefined, now: number, maxAgeSeconds: number): AiFact {
  const unready = (status: AiFactStatus, ageSeconds: number, model: string): AiFact => ({ market, ready: false, status, recommendation: 'none', confidence: 0, horizon: '', ageSeconds, model });
  if (!latest) return unready('missing', 0, '');
  const ageSeconds = Math.max(0, Math.floor((now - latest.at) / 1000));
  if (latest.status !== 'ok') return unready(latest.status, ageSeconds, latest.model);
  if (ageSeconds > maxAgeSeconds) return unready('stale', ageSeconds, latest.model);
  const a = latest.answer;
  return { market, ready: true, status: 'ok', recommendation: a.recommendation, confidence: a.confidence, horizon: a.horizon, ageSeconds, model: latest.model };
}
