/**
 * The structured answer: its JSON Schema (sent to the model and enforced here with ajv) and the
 * parsing of a model's text into a validated AnalysisAnswer.
 */
import { Ajv2020, type ErrorObject } from 'ajv/dist/2020.js';
import type { AnalysisAnswer } from './types.ts';

export const HORIZONS = ['intraday', 'days', 'weeks'] as const;

/**
 * What the model is asked for. Only keywords every structured-output server accepts
 * (OpenAI strict mode refuses some bounds), so the bounds live in ANSWER_SCHEMA below.
 */
export const WIRE_SCHEMA = {
  type: 'object',
  additionalProperties: false,
  required: ['recommendation', 'confidence', 'horizon', 'keyLevels', 'reasoning'],
  properties: {
    recommendation: { type: 'string', enum: ['buy', 'sell', 'hold'], description: 'What to do with the base asset now.' },
    confidence: { type: 'number', description: 'How sure you are, from 0 (guess) to 1 (certain).' },
    horizon: { type: 'string', enum: [...HORIZONS], description: 'How long the view should hold.' },
    keyLevels: {
      type: 'object',
      additionalProperties: false,
      required: ['support', 'resistance'],
      properties: {
        support: { type: 'array', items: { type: 'number' }, description: 'Support prices, nearest first.' },
        resistance: { type: 'array', items: { type: 'number' }, description: 'Resistance prices, nearest first.' },
      },
    },
    reasoning: { type: 'string', description: 'Two or three sentences on what in the chart supports the view.' },
  },
} as const;

/** The schema answers are validated against: the wire schema plus bounds. */
export const ANSWER_SCHEMA = {
  ...WIRE_SCHEMA,
  properties: {
    ...WIRE_SCHEMA.properties,
    confidence: { ...WIRE_SCHEMA.properties.confidence, minimum: 0, maximum: 1 },
    keyLevels: {
      ...WIRE_SCHEMA.properties.keyLevels,
      properties: {
        support: { type: 'array', items: { type: 'number', exclusiveMinimum: 0 }, maxItems: 6 },
        resistance: { type: 'array', items: { type: 'number', exclusiveMinimum: 0 }, maxItems: 6 },
      },
    },
    reasoning: { type: 'string', minLength: 1, maxLength: 1200 },
  },
} as const;

const validate = new Ajv2020({ allErrors: true, strict: false }).compile<AnalysisAnswer>(ANSWER_SCHEMA);

export type ParsedAnswer = { ok: true; answer: AnalysisAnswer } | { ok: false; kind: 'malformed-json' | 'schema-invalid'; error: string };

function describe(errors: ErrorObject[] | null | undefined): string {
  return (errors ?? []).map((e) => `${e.instancePath || '(root)'} ${e.message ?? 'is invalid'}${e.params && 'allowedValues' in e.params ? ` (${(e.params.allowedValues as unknown[]).join(', ')})` : ''}`).join('; ');
}

/** Parses the model's message text (tolerating a ```json fence) and validates it. */
export function parseAnswer(text: string): ParsedAnswer {
  const unfenced = text.trim().replace(/^```(?:json)?\s*/i, '').replace(/\s*```$/, '');
  let value: unknown;
  try {
    value = JSON.parse(unfenced);
  } catch (err) {
    return { ok: false, kind: 'malformed-json', error: `not JSON: ${(err as Error).message}` };
  }
  if (!validate(value)) return { ok: false, kind: 'schema-invalid', error: describe(validate.errors) };
  return { ok: true, answer: value };
}
