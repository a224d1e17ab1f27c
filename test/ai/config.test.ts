/** Environment configuration, Retry-After parsing, redaction and prompt templates. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { aiConfigFromEnv, promptTemplate, redactText, retryAfterMs, LANGUAGES, parseAnswer } from '../../engine/ai/index.ts';
import { VALID } from './chat-server.ts';

test('aiConfigFromEnv reads SOLRULES_AI_* and names the variable that is wrong', () => {
  const c = aiConfigFromEnv({ SOLRULES_AI_BASE_URL: 'http://127.0.0.1:11434/v1', SOLRULES_AI_MODEL: 'llama3.2-vision', SOLRULES_AI_LANGUAGE: 'es', SOLRULES_AI_PRICE_INPUT_PER_MTOK: '0.15' });
  assert.equal(c.client.baseUrl, 'http://127.0.0.1:11434/v1');
  assert.equal(c.client.apiKey, undefined);
  assert.equal(c.language, 'es');
  assert.equal(c.budget.prices.inputPerMillion, 0.15);
  assert.throws(() => aiConfigFromEnv({ SOLRULES_AI_MODEL: 'm' }), { code: 'AI_CONFIG', message: /SOLRULES_AI_BASE_URL is not set/ });
  assert.throws(() => aiConfigFromEnv({ SOLRULES_AI_BASE_URL: 'ftp://x', SOLRULES_AI_MODEL: 'm' }), { code: 'AI_CONFIG', context: { field: 'SOLRULES_AI_BASE_URL', value: 'ftp://x' } });
  assert.throws(() => aiConfigFromEnv({ SOLRULES_AI_BASE_URL: 'http://x', SOLRULES_AI_MODEL: 'm', SOLRULES_AI_MAX_CALLS_PER_DAY: '-1' }), { code: 'AI_CONFIG', context: { field: 'SOLRULES_AI_MAX_CALLS_PER_DAY', value: '-1' } });
  assert.throws(() => aiConfigFromEnv({ SOLRULES_AI_BASE_URL: 'http://x', SOLRULES_AI_MODEL: 'm', SOLRULES_AI_LANGUAGE: 'fr' }), { code: 'AI_CONFIG' });
  assert.throws(() => aiConfigFromEnv({ SOLRULES_AI_BASE_URL: 'http://x', SOLRULES_AI_MODEL: 'm', SOLRULES_AI_RESPONSE_FORMAT: 'xml' }), { code: 'AI_CONFIG' });
});

test('Retry-After as seconds or as an HTTP date', () => {
  const now = Date.UTC(2026, 0, 6, 9, 0, 0);
  assert.equal(retryAfterMs('7', now), 7000);
  assert.equal(retryAfterMs('0.5', now), 500);
  assert.equal(retryAfterMs(new Date(now + 30_000).toUTCString(), now), 30_000);
  assert.equal(retryAfterMs('soon', now), undefined);
  assert.equal(retryAfterMs(null, now), undefined);
});

test('redaction removes the key and any bearer token', () => {
  const key = 'sk-abcdef1234567890';
  assert.equal(redactText(`bad key ${key} (${key})`, [key]), 'bad key [redacted] ([redacted])');
  assert.equal(redactText('Authorization: Bearer eyJhbGciOiJIUzI1NiJ9.x.y', []), 'Authorization: Bearer [redacted]');
});

test('every language has a template; field names stay English; unknown languages are errors', () => {
  for (const lang of LANGUAGES) {
    const t = promptTemplate(lang);
    assert.match(t.system, /buy/);
    assert.match(t.jsonOnly, /"recommendation"/);
  }
  assert.throws(() => promptTemplate('fr'), { code: 'AI_LANGUAGE' });
});

test('answers: fenced JSON is accepted, bounds and extra fields are not', () => {
  assert.equal(parseAnswer('```json\n' + JSON.stringify(VALID) + '\n```').ok, true);
  const extra = parseAnswer(JSON.stringify({ ...VALID, leverage: 10 }));
  assert.equal(extra.ok, false);
  assert.equal(!extra.ok && extra.kind, 'schema-invalid');
  assert.equal(parseAnswer(JSON.stringify({ ...VALID, keyLevels: { support: [-1], resistance: [] } })).ok, false);
  const broken = parseAnswer('{"recommendation": ');
  assert.equal(!broken.ok && broken.kind, 'malformed-json');
});
