/**
 * The JSON Schemas generated from the registries, so they cannot drift from the code:
 * facts.schema.json (the fact catalog) and the parts of strategies.schema.json that the strategy
 * and executor kinds define (each kind's params, the executor types). `npx solrules schemas`
 * writes them; `--check` and test/app/schemas.test.ts fail when a file is stale.
 */
import { readFileSync } from 'node:fs';
import { EXECUTOR_KINDS } from '../executors/index.ts';
import { factsJsonSchema, ruleFileJsonSchema } from '../rules/index.ts';
import { schemaPath, type SchemaName } from '../schemas/index.ts';
import { FACT_CATALOG, producerText, STRATEGY_KINDS } from '../strategies/index.ts';
import { SCANNER_CONFIG_SCHEMA } from '../market/index.ts';

type Json = Record<string, unknown>;

/** strategies.schema.json with its generated parts replaced from the registries (the rest is kept as written). */
export function strategiesJsonSchema(current: Json): Json {
  const schema = structuredClone(current) as Json & { properties: Json & { strategies: Json; executors: Json }; $defs: Json };
  const defs: Json = {};
  for (const [name, def] of Object.entries(schema.$defs)) if (!name.startsWith('params-') && !name.startsWith('executor-') && !/Strategy$/.test(name) && name !== 'strategy') defs[name] = def;
  const kinds = STRATEGY_KINDS.map((k) => k.kind);
  defs.strategy = {
    type: 'object',
    title: 'strategy',
    description: `One strategy: its kind (${kinds.join(', ')}), whether it runs, its rule file and params. Several strategies may share a kind.`,
    required: ['kind', 'enabled', 'rules', 'params'],
    additionalProperties: false,
    properties: {
      kind: { type: 'string', examples: kinds, description: `Strategy kind: ${STRATEGY_KINDS.map((k) => `${k.kind} — ${k.description}`).join(' ')}` },
      enabled: { type: 'boolean' },
      rules: { type: 'string', description: 'Rule file, relative to strategies.yaml.' },
      params: { type: 'object', description: 'Params of the kind; reach the rules as params.<strategy>.*' },
      indicators: {
        type: 'object',
        description: `Indicators the rules read as indicator.<name> (kinds: ${STRATEGY_KINDS.filter((k) => k.readsIndicators).map((k) => k.kind).join(', ')}), e.g. { fast: { sma: 20 }, bb: { bollinger: [20, 2] } }; add market: NAME to compute one on another market's bars. Checked against the indicator catalog by validate.`,
        propertyNames: { pattern: '^[A-Za-z_][A-Za-z0-9_]*$' },
        additionalProperties: { type: 'object', minProperties: 1 },
      },
      timeframe: { type: 'string', pattern: '^[1-9][0-9]*(m|h|d)$', description: 'Bar timeframe of the indicators and rule evaluation, e.g. 15m, 1h, 4h, 1d; the backtest runner aggregates finer bars to it.' },
      ai: {
        type: 'object',
        description: 'AI chart analyses of the strategy’s market, published as the `ai` fact its rules read (docs/ai.md). The model, base URL and API key come from the environment (SOLRULES_AI_*), never from here.',
        required: ['every'],
        additionalProperties: false,
        properties: {
          every: { type: 'string', pattern: '^[1-9][0-9]*(m|h|d)$', description: 'Analysis schedule, e.g. 4h or 1d; slots fall on UTC multiples of it.' },
          timeframe: { type: 'string', pattern: '^[1-9][0-9]*(m|h|d)$', description: 'Candle timeframe of the chart (default: the strategy’s timeframe, else 1h).' },
          bars: { type: 'integer', minimum: 20, maximum: 400, default: 120, description: 'Candles on the chart.' },
          maxAge: { type: 'string', pattern: '^[1-9][0-9]*(m|h|d)$', description: 'An answer older than this makes the fact unready (default: twice `every`).' },
          language: { enum: ['en', 'es', 'de'], default: 'en', description: 'Prompt language (field names and buy/sell/hold stay English).' },
          followUp: { type: 'boolean', default: true, description: 'Continue from the previous answer. false: every chart is asked about on its own, so a backtest of any part of a recorded period finds its answers.' },
          recordings: { type: 'string', description: 'JSON-lines file of recorded answers, relative to strategies.yaml: `run` appends every answer (and reuses it after a restart), `backtest` replays only from it. Default .solrules/ai-analyses.jsonl.' },
        },
      },
      market: { type: 'object', description: 'The pair this strategy trades when not the top-level market (honoured by the backtest runner).', required: ['base', 'quote'], additionalProperties: false, properties: { base: { $ref: '#/$defs/token' }, quote: { $ref: '#/$defs/token' } } },
    },
    allOf: STRATEGY_KINDS.map((k) => ({ if: { properties: { kind: { const: k.kind } }, required: ['kind'] }, then: { properties: { params: { $ref: `#/$defs/params-${k.kind}` } } } })),
  };
  for (const k of STRATEGY_KINDS) defs[`params-${k.kind}`] = { title: `${k.kind} params`, ...k.paramsSchema };
  for (const e of EXECUTOR_KINDS) defs[`executor-${e.type}`] = { title: `${e.type} executor`, description: e.description, ...e.configSchema };
  schema.$defs = defs;
  schema.properties.strategies = {
    type: 'object',
    description: 'Strategies by name; each names its kind.',
    propertyNames: { pattern: '^[a-z][a-z0-9-]*$', not: { enum: ['routing', 'risk'] } },
    additionalProperties: { $ref: '#/$defs/strategy' },
  };
  schema.properties.executors = {
    type: 'object',
    description: `Executors orders may be routed to, by name. \`type\` picks the implementation: ${EXECUTOR_KINDS.map((e) => e.type).join(', ')}.`,
    minProperties: 1,
    propertyNames: { pattern: '^[a-z][a-z0-9-]*$' },
    additionalProperties: {
      type: 'object',
      required: ['type'],
      properties: { type: { enum: EXECUTOR_KINDS.map((e) => e.type) } },
      allOf: EXECUTOR_KINDS.map((e) => ({ if: { properties: { type: { const: e.type } }, required: ['type'] }, then: { $ref: `#/$defs/executor-${e.type}` } })),
    },
  };
  return schema;
}

/** Every generated schema file with its text as it should be. */
export function generatedSchemas(): Array<{ name: SchemaName; path: string; text: string }> {
  const read = (name: SchemaName) => JSON.parse(readFileSync(schemaPath(name), 'utf8')) as Json;
  return [
    { name: 'facts', path: schemaPath('facts'), text: JSON.stringify(factsJsonSchema(FACT_CATALOG, producerText), null, 2) + '\n' },
    { name: 'rule-file', path: schemaPath('rule-file'), text: JSON.stringify(ruleFileJsonSchema(FACT_CATALOG), null, 2) + '\n' },
    { name: 'strategies', path: schemaPath('strategies'), text: JSON.stringify(strategiesJsonSchema(read('strategies')), null, 2) + '\n' },
    { name: 'scanner', path: schemaPath('scanner'), text: JSON.stringify(SCANNER_CONFIG_SCHEMA, null, 2) + '\n' },
  ];
}
