/**
 * Client for any OpenAI-compatible chat-completions API (OpenAI, Ollama, vLLM, LM Studio): sends
 * the chart as a base64 PNG data URL with a per-language prompt, asks for the answer as JSON (a
 * JSON Schema where the server supports it, else `json_object` with the schema in the prompt),
 * validates it, retries once with the validation error, and returns a result that is either a
 * complete answer or a failure — never half of one.
 */
import { createHash } from 'node:crypto';
import { SolrulesError, isSolrulesError } from '../errors/index.ts';
import { parseAnswer, WIRE_SCHEMA } from './answer.ts';
import type { DailyBudget, Usage } from './budget.ts';
import { postJson, type HttpLimits } from './http.ts';
import { promptTemplate, PROMPT_VERSION, type Language, type PromptVars } from './prompts.ts';
import type { AnalysisRecorder } from './recorder.ts';
import { defaultAiLogger, redactingLogger, redactText, systemClock, type AiLogger, type Clock } from './support.ts';
import type { AnalysisAnswer } from './types.ts';

export type ResponseFormatMode = 'json_schema' | 'json_object' | 'auto';

export interface AiClientOptions {
  /** e.g. https://api.openai.com/v1 or http://127.0.0.1:11434/v1 (required unless replaying). */
  baseUrl?: string;
  model: string;
  /** From the environment only; never logged. Optional for local servers. */
  apiKey?: string;
  /** auto (default): json_schema, falling back to json_object for good when the server refuses it with a 400. */
  responseFormat?: ResponseFormatMode;
  limits?: Partial<HttpLimits>;
  maxTokens?: number;
  budget?: DailyBudget;
  /** Record answers (record mode) or answer only from recordings (replay mode: no network). */
  recorder?: AnalysisRecorder;
  clock?: Clock;
  log?: AiLogger;
  fetch?: typeof fetch;
}

export const DEFAULT_LIMITS: HttpLimits = { timeoutMs: 60_000, maxRetries: 3, backoffMs: 1_000, maxBackoffMs: 30_000, maxRetryAfterMs: 120_000 };

/** What to analyse: a rendered chart and what the prompt says about it. */
export interface AnalysisRequest {
  market: string;
  timeframe: string;
  chart: { png: Buffer; sha256: string };
  vars: PromptVars;
  language?: Language;
  /** Follow-up: the previous answer (and what its chart showed), continued as a conversation. */
  previous?: { answer: AnalysisAnswer; vars: PromptVars };
}

export type AnalysisSource = 'api' | 'cache' | 'replay';
export type FailureStatus = 'failed' | 'budget-exhausted';

interface ResultBase {
  market: string;
  timeframe: string;
  model: string;
  /** When the analysis finished (clock ms). */
  at: number;
  chartSha256: string;
  requestHash: string;
  usage: Usage;
  costUsd: number;
  /** HTTP attempts made (0 from cache or replay). */
  calls: number;
}
export interface AnalysisSuccess extends ResultBase {
  status: 'ok';
  answer: AnalysisAnswer;
  source: AnalysisSource;
}
export interface AnalysisFailure extends ResultBase {
  status: FailureStatus;
  error: { code: string; message: string };
}
export type AnalysisResult = AnalysisSuccess | AnalysisFailure;

type Message = { role: 'system' | 'user' | 'assistant'; content: string | ContentPart[] };
type ContentPart = { type: 'text'; text: string } | { type: 'image_url'; image_url: { url: string; detail: 'high' } };

/** Messages of a request; the image is a placeholder `{chart}` here and a data URL on the wire. */
function conversation(req: AnalysisRequest, language: Language): Message[] {
  const t = promptTemplate(language);
  const image: ContentPart = { type: 'image_url', image_url: { url: '{chart}', detail: 'high' } };
  const messages: Message[] = [{ role: 'system', content: t.system }];
  if (req.previous) {
    // The earlier chart is described, not re-sent: one image per call keeps the cost flat.
    messages.push({ role: 'user', content: t.user(req.previous.vars) });
    messages.push({ role: 'assistant', content: JSON.stringify(req.previous.answer) });
    messages.push({ role: 'user', content: [{ type: 'text', text: t.followUp(req.vars) }, image] });
  } else {
    messages.push({ role: 'user', content: [{ type: 'text', text: t.user(req.vars) }, image] });
  }
  return messages;
}

/**
 * The request's identity: model, prompt version, messages and the chart's sha256 (not its bytes).
 * Keys the cache and the recordings; the same chart and prompt never cost twice.
 */
export function requestHashOf(model: string, req: AnalysisRequest): string {
  const language = req.language ?? 'en';
  const canonical = JSON.stringify({ v: PROMPT_VERSION, model, language, chart: req.chart.sha256, messages: conversation(req, language) });
  return createHash('sha256').update(canonical).digest('hex');
}

/** A small in-memory cache of successful analyses by request hash (oldest evicted first). */
export class AnalysisCache {
  private readonly entries = new Map<string, AnalysisSuccess>();
  constructor(private readonly maxEntries = 500) {}
  get(key: string): AnalysisSuccess | undefined {
    return this.entries.get(key);
  }
  set(key: string, value: AnalysisSuccess): void {
    this.entries.delete(key);
    this.entries.set(key, value);
    if (this.entries.size > this.maxEntries) this.entries.delete(this.entries.keys().next().value!);
  }
  get size(): number {
    return this.entries.size;
  }
}

export class AiClient {
  readonly model: string;
  readonly cache: AnalysisCache;
  private format: ResponseFormatMode;
  private readonly limits: HttpLimits;
  private readonly clock: Clock;
  private readonly log: AiLogger;

  constructor(
    private readonly options: AiClientOptions,
    cache?: AnalysisCache,
  ) {
    if (!options.model) throw new SolrulesError('AI_CONFIG', 'AI model is not set (SOLRULES_AI_MODEL)', { field: 'model', value: '' });
    if (!options.baseUrl && options.recorder?.mode !== 'replay') throw new SolrulesError('AI_CONFIG', 'AI base URL is not set (SOLRULES_AI_BASE_URL)', { field: 'baseUrl', value: '' });
    this.model = options.model;
    this.cache = cache ?? new AnalysisCache();
    this.format = options.responseFormat ?? 'auto';
    this.limits = { ...DEFAULT_LIMITS, ...options.limits };
    this.clock = options.clock ?? systemClock;
    this.log = redactingLogger(options.log ?? defaultAiLogger(), [options.apiKey]);
  }

  /** The response format in force (auto until a server refused json_schema). */
  get responseFormat(): ResponseFormatMode {
    return this.format;
  }

  /** Analyses one chart: cache, then replay or the API; never throws for a bad answer or a failed call. */
  async analyze(req: AnalysisRequest): Promise<AnalysisResult> {
    const language = req.language ?? 'en';
    promptTemplate(language);
    const requestHash = requestHashOf(this.model, req);
    const base = { market: req.market, timeframe: req.timeframe, model: this.model, chartSha256: req.chart.sha256, requestHash };
    const usage: Usage = { promptTokens: 0, completionTokens: 0 };
    const cached = this.cache.get(requestHash);
    if (cached) {
      this.log.info({ market: req.market, requestHash }, 'AI analysis served from cache (no call)');
      return { ...cached, source: 'cache', calls: 0, usage, costUsd: 0 };
    }
    const recorder = this.options.recorder;
    if (recorder?.mode === 'replay') {
      const hit = recorder.lookup(requestHash, { market: req.market, chartSha256: req.chart.sha256, chartTo: req.vars.to });
      if (!hit) {
        this.log.warn({ market: req.market, requestHash }, 'AI analysis missing from the recording (replay never calls the API)');
        return { ...base, status: 'failed', at: this.clock.now(), usage, costUsd: 0, calls: 0, error: { code: 'AI_REPLAY_MISSING', message: `no recorded answer for request ${requestHash.slice(0, 12)} (${req.market})` } };
      }
      return { ...base, model: hit.model, status: 'ok', answer: hit.answer, source: 'replay', at: this.clock.now(), usage, costUsd: 0, calls: 0 };
    }
    const recorded = recorder?.lookup(requestHash, { market: req.market, chartSha256: req.chart.sha256 });
    if (recorded) {
      // The recording doubles as a persistent cache: a restart does not pay for a chart again.
      const result: AnalysisSuccess = { ...base, model: recorded.model, status: 'ok', answer: recorded.answer, source: 'cache', at: recorded.recordedAt, usage, costUsd: 0, calls: 0 };
      this.cache.set(requestHash, result);
      this.log.info({ market: req.market, requestHash }, 'AI analysis served from the recording (no call)');
      return result;
    }

    const dataUrl = `data:image/png;base64,${req.chart.png.toString('base64')}`;
    const messages = conversation(req, language);
    const counter = { calls: 0 };
    let costUsd = 0;
    let model = this.model;
    try {
      for (let turn = 0; turn < 2; turn++) {
        const reply = await this.complete(messages, dataUrl, language, counter);
        usage.promptTokens += reply.usage.promptTokens;
        usage.completionTokens += reply.usage.completionTokens;
        costUsd += this.options.budget?.charge(reply.usage) ?? 0;
        model = reply.model;
        const parsed = parseAnswer(reply.content);
        if (parsed.ok) {
          const result: AnalysisSuccess = { ...base, model, status: 'ok', answer: parsed.answer, source: 'api', at: this.clock.now(), usage, costUsd, calls: counter.calls };
          this.cache.set(requestHash, result);
          recorder?.record({ requestHash, market: req.market, timeframe: req.timeframe, chartSha256: req.chart.sha256, model, requestedModel: this.model, language, answer: parsed.answer, recordedAt: result.at });
          this.log.info({ market: req.market, model, recommendation: parsed.answer.recommendation, confidence: parsed.answer.confidence, calls: counter.calls, costUsd }, 'AI analysis done');
          return result;
        }
        this.log.warn({ market: req.market, kind: parsed.kind, error: parsed.error, turn: turn + 1 }, 'AI answer invalid');
        if (turn === 1) {
          return { ...base, model, status: 'failed', at: this.clock.now(), usage, costUsd, calls: counter.calls, error: { code: 'AI_ANSWER_INVALID', message: `answer invalid twice (${parsed.kind}): ${parsed.error}` } };
        }
        messages.push({ role: 'assistant', content: reply.content });
        messages.push({ role: 'user', content: promptTemplate(language).invalid(parsed.error) });
      }
    } catch (err) {
      const code = isSolrulesError(err) ? err.code : 'AI_UNEXPECTED';
      const message = redactText(err instanceof Error ? err.message : String(err), [this.options.apiKey]);
      const status: FailureStatus = code === 'AI_BUDGET_EXHAUSTED' ? 'budget-exhausted' : 'failed';
      this.log.error({ market: req.market, code, calls: counter.calls }, `AI analysis failed: ${message}`);
      return { ...base, model, status, at: this.clock.now(), usage, costUsd, calls: counter.calls, error: { code, message } };
    }
    throw new Error('unreachable');
  }

  private wire(messages: Message[], dataUrl: string, language: Language): Record<string, unknown> {
    const jsonObject = this.format === 'json_object';
    const withImage = messages.map((m) => ({
      role: m.role,
      content: typeof m.content === 'string' ? m.content : m.content.map((p) => (p.type === 'image_url' ? { ...p, image_url: { ...p.image_url, url: dataUrl } } : p)),
    }));
    if (jsonObject) withImage[0] = { role: 'system', content: `${withImage[0]!.content as string}\n\n${promptTemplate(language).jsonOnly}` };
    return {
      model: this.model,
      messages: withImage,
      temperature: 0,
      max_tokens: this.options.maxTokens ?? 800,
      response_format: jsonObject ? { type: 'json_object' } : { type: 'json_schema', json_schema: { name: 'chart_analysis', strict: true, schema: WIRE_SCHEMA } },
    };
  }

  /** One completion (with HTTP retries), falling back to json_object once if json_schema is refused. */
  private async complete(messages: Message[], dataUrl: string, language: Language, counter: { calls: number }): Promise<{ content: string; usage: Usage; model: string }> {
    const ctx = {
      url: `${this.options.baseUrl!.replace(/\/+$/, '')}/chat/completions`,
      apiKey: this.options.apiKey,
      limits: this.limits,
      clock: this.clock,
      log: this.log,
      budget: this.options.budget,
      fetch: this.options.fetch ?? fetch,
      onAttempt: () => void counter.calls++,
    };
    let out;
    try {
      out = await postJson(ctx, this.wire(messages, dataUrl, language));
    } catch (err) {
      const status = isSolrulesError(err, 'AI_HTTP') ? err.context.status : undefined;
      if (this.format !== 'auto' || (status !== 400 && status !== 422)) throw err;
      this.log.warn({ url: ctx.url, status }, 'server refused response_format json_schema; using json_object with the schema in the prompt from now on');
      this.format = 'json_object';
      out = await postJson(ctx, this.wire(messages, dataUrl, language));
    }
    const choice = (out.body.choices as { message?: { content?: unknown } }[] | undefined)?.[0];
    const content = choice?.message?.content;
    if (typeof content !== 'string') throw new SolrulesError('AI_RESPONSE', 'the response has no choices[0].message.content', { url: ctx.url });
    const u = out.body.usage as { prompt_tokens?: number; completion_tokens?: number } | undefined;
    return {
      content,
      usage: { promptTokens: u?.prompt_tokens ?? 0, completionTokens: u?.completion_tokens ?? 0 },
      model: typeof out.body.model === 'string' ? out.body.model : this.model,
    };
  }
}
