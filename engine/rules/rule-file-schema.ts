/**
 * The rule-file JSON Schema, generated from the catalog so an editor (yaml-language-server)
 * offers and checks the same facts and operators `solrules validate` does. Conditions are
 * `anyOf` branches with readable titles: an editor can complete every branch's keys (all, any,
 * not, condition, fact, operator, value) and name the one a typo was meant to be; the CLI picks
 * the branch the same way (engine/config/schemas.ts).
 */
import { DECORATORS, OPERATORS } from './catalog.ts';
import type { FactCatalog } from '../facts/index.ts';

const ID_PATTERN = '^[a-z][a-z0-9-]*$';

const groupMeta = {
  name: { type: 'string', title: 'Name', description: 'Shown in explanations (`solrules test --explain`).' },
  priority: { type: 'integer', minimum: 1, title: 'Priority', description: 'Higher is evaluated first within the parent (json-rules-engine condition priority).' },
};

/** A condition group or reference: exactly its key, plus name and priority. */
function group(key: string, title: string, description: string, value: Record<string, unknown>): Record<string, unknown> {
  return { title, description, type: 'object', required: [key], additionalProperties: false, properties: { [key]: value, ...groupMeta } };
}

/** JSON Schema (2020-12) of a rule file, with the catalog's facts and operators as enums. */
export function ruleFileJsonSchema(catalog: FactCatalog): Record<string, unknown> {
  const operators = Object.keys(OPERATORS);
  const decorators = Object.keys(DECORATORS);
  const factNames = Object.keys(catalog);
  const conditionBranches = (withComparison: boolean) => [
    { $ref: '#/$defs/allConditions' },
    { $ref: '#/$defs/anyCondition' },
    { $ref: '#/$defs/notCondition' },
    { $ref: '#/$defs/namedCondition' },
    ...(withComparison ? [{ $ref: '#/$defs/comparison' }] : []),
  ];
  return {
    $schema: 'https://json-schema.org/draft/2020-12/schema',
    $id: 'https://solrules.dev/schemas/rule-file.schema.json',
    title: 'solrules rule file',
    description:
      'A list of rules in json-rules-engine\'s shape under a small header. Generated from the fact catalog (engine/rules/catalog.ts) by `npx solrules schemas`; `solrules validate` also checks paths, params and types.',
    type: 'object',
    required: ['id', 'rules'],
    additionalProperties: false,
    properties: {
      id: { type: 'string', pattern: ID_PATTERN, title: 'Rule file id', description: 'Rule file id (unique in the project).' },
      kind: { enum: ['strategy', 'routing', 'risk', 'wallets'], default: 'strategy', title: 'Kind', description: 'strategy: decides orders; routing: picks the executor; risk: guards every order; wallets: decides wallet top-ups and sweeps.' },
      strategy: { type: 'string', title: 'Strategy', description: 'Strategy name in strategies.yaml whose orders these rules decide (defaults to id).' },
      description: { type: 'string', title: 'Description' },
      conditions: {
        type: 'object',
        title: 'Named conditions',
        description: 'Named conditions that rules reference with `{ condition: name }`.',
        propertyNames: { pattern: '^[A-Za-z][A-Za-z0-9_-]*$' },
        additionalProperties: { $ref: '#/$defs/conditionRoot' },
      },
      rules: { type: 'array', minItems: 1, title: 'Rules', items: { $ref: '#/$defs/rule' } },
    },
    $defs: {
      rule: {
        title: 'Rule',
        description: 'When its conditions hold, the rule fires its event.',
        type: 'object',
        required: ['id', 'conditions', 'event'],
        additionalProperties: false,
        properties: {
          id: { type: 'string', pattern: ID_PATTERN, title: 'Rule id' },
          description: { type: 'string', title: 'Description' },
          priority: { type: 'integer', minimum: 1, default: 1, title: 'Priority', description: 'Higher runs first; events come out in priority order.' },
          conditions: { $ref: '#/$defs/conditionRoot' },
          event: { $ref: '#/$defs/event' },
        },
      },
      event: {
        title: 'Event',
        description: 'What the rule fires.',
        type: 'object',
        required: ['type'],
        additionalProperties: false,
        properties: {
          type: { type: 'string', title: 'Event type', description: 'order (strategy files), route (routing), block (risk), or a signal name.' },
          params: { type: 'object', title: 'Event params', description: 'Event parameters. A value `{ fact, path }` is replaced by that fact\'s value when the rule fires.', additionalProperties: true },
        },
      },
      conditionRoot: {
        title: 'Conditions (all, any, not or a named condition)',
        description: 'A rule\'s conditions: `all:` / `any:` a list, `not:` one condition, or `condition:` the name of a named condition.',
        anyOf: conditionBranches(false),
      },
      condition: {
        title: 'Condition (a comparison, or all / any / not / a named condition)',
        description: 'A comparison `{ fact, path, operator, value }`, or a nested `all:` / `any:` / `not:` / `condition:`.',
        anyOf: conditionBranches(true),
      },
      allConditions: group('all', 'all: every condition holds', 'True when every condition in the list holds (an empty list is true).', {
        type: 'array',
        title: 'Conditions that must all hold',
        items: { $ref: '#/$defs/condition' },
      }),
      anyCondition: group('any', 'any: at least one condition holds', 'True when at least one condition in the list holds (an empty list is true, as in json-rules-engine).', {
        type: 'array',
        title: 'Conditions of which one must hold',
        items: { $ref: '#/$defs/condition' },
      }),
      notCondition: group('not', 'not: the condition does not hold', 'True when the one condition under it is false.', { $ref: '#/$defs/condition' }),
      namedCondition: group('condition', 'condition: a named condition', 'Uses a condition defined under the file\'s top-level `conditions:`.', {
        type: 'string',
        title: 'Named condition',
      }),
      comparison: {
        title: 'Comparison (fact, path, operator, value)',
        description: 'Compares a fact (or a field of it) with a value or another fact.',
        type: 'object',
        required: ['fact', 'operator', 'value'],
        additionalProperties: false,
        properties: {
          fact: { title: 'Fact', description: 'A fact from the catalog.', enum: factNames, enumDescriptions: factNames.map((f) => catalog[f]!.description) },
          path: {
            type: 'string',
            title: 'Path',
            pattern: '^[A-Za-z0-9_]+(\\.[A-Za-z0-9_]+)*$',
            patternErrorMessage: 'solrules paths are dot paths into the fact (usd, reserves.0.amount), not JSONPath ($., [*], ..)',
            description: 'Dot path into the fact.',
          },
          operator: {
            title: 'Operator',
            description: `An operator from the catalog, optionally after decorators (${decorators.map((d) => `${d}:`).join(', ')}).`,
            anyOf: [
              { title: 'Operator', enum: operators, enumDescriptions: operators.map((o) => OPERATORS[o]!.description) },
              {
                title: 'Decorated operator',
                type: 'string',
                pattern: `^(?:(?:${decorators.join('|')}):)+(?:${operators.join('|')})$`,
                patternErrorMessage: `not an operator of the catalog: one of ${operators.join(', ')}, optionally after ${decorators.map((d) => `${d}:`).join(' ')}`,
              },
            ],
          },
          value: { title: 'Value', description: 'A constant, or `{ fact, path }` to compare with another fact.' },
          ...groupMeta,
        },
      },
    },
  };
}
