/**
 * AI settings from the environment. The API key is read from SOLRULES_AI_API_KEY only (never
 * from YAML); base URL and model must be set explicitly, so nothing calls a paid API by default.
 */
import { SolrulesError } from '../errors/index.ts';
import type { BudgetLimits } from './budget.ts';
import type { AiClientOptions, ResponseFormatMode } from './client.ts';
import { LANGUAGES, type Language } from './prompts.ts';

export interface AiEnvConfig {
  client: Pick<AiClientOptions, 'baseUrl' | 'model' | 'apiKey' | 'responseFormat' | 'limits'>;
  language: Language;
  budget: BudgetLimits;
}

function num(env: NodeJS.ProcessEnv, name: string, fallback: number): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  const v = Number(raw);
  if (!(Number.isFinite(v) && v >= 0)) throw new SolrulesError('AI_CONFIG', `${name} must be a number >= 0; got '${raw}'`, { field: name, value: raw });
  return v;
}

/** Reads SOLRULES_AI_* variables; throws AI_CONFIG naming the variable when one is missing or wrong. */
export function aiConfigFromEnv(env: NodeJS.ProcessEnv = process.env): AiEnvConfig {
  const baseUrl = env.SOLRULES_AI_BASE_URL;
  const model = env.SOLRULES_AI_MODEL;
  if (!baseUrl) throw new SolrulesError('AI_CONFIG', 'SOLRULES_AI_BASE_URL is not set (e.g. https://api.openai.com/v1 or http://127.0.0.1:11434/v1)', { field: 'SOLRULES_AI_BASE_URL', value: '' });
  if (!/^https?:\/\//.test(baseUrl)) throw new SolrulesError('AI_CONFIG', `SOLRULES_AI_BASE_URL must start with http:// or https://; got '${baseUrl}'`, { field: 'SOLRULES_AI_BASE_URL', value: baseUrl });
  if (!model) throw new SolrulesError('AI_CONFIG', 'SOLRULES_AI_MODEL is not set (e.g. gpt-4o-mini or llama3.2-vision)', { field: 'SOLRULES_AI_MODEL', value: '' });
  const responseFormat = (env.SOLRULES_AI_RESPONSE_FORMAT ?? 'auto') as ResponseFormatMode;
  if (!['auto', 'json_schema', 'json_object'].includes(responseFormat)) {
    throw new SolrulesError('AI_CONFIG', `SOLRULES_AI_RESPONSE_FORMAT must be auto, json_schema or json_object; got '${responseFormat}'`, { field: 'SOLRULES_AI_RESPONSE_FORMAT', value: responseFormat });
  }
  const language = (env.SOLRULES_AI_LANGUAGE ?? 'en') as Language;
  if (!LANGUAGES.includes(language)) throw new SolrulesError('AI_CONFIG', `SOLRULES_AI_LANGUAGE must be one of ${LANGUAGES.join(', ')}; got '${language}'`, { field: 'SOLRULES_AI_LANGUAGE', value: language });
  return {
    client: {
      baseUrl,
      model,
      ...(env.SOLRULES_AI_API_KEY ? { apiKey: env.SOLRULES_AI_API_KEY } : {}),
      responseFormat,
      limits: { timeoutMs: num(env, 'SOLRULES_AI_TIMEOUT_MS', 60_000) },
    },
    language,
    budget: {
      maxCallsPerDay: num(env, 'SOLRULES_AI_MAX_CALLS_PER_DAY', 200),
      maxCostUsdPerDay: num(env, 'SOLRULES_AI_MAX_COST_USD_PER_DAY', 2),
      prices: { inputPerMillion: num(env, 'SOLRULES_AI_PRICE_INPUT_PER_MTOK', 0), outputPerMillion: num(env, 'SOLRULES_AI_PRICE_OUTPUT_PER_MTOK', 0) },
    },
  };
}
