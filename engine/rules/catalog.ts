/**
 * What rules may do with facts: every operator (json-rules-engine's and ours) and decorator.
 * The facts themselves are catalogued in engine/facts (base facts) and by each strategy kind.
 */
import type { FieldType } from '../facts/index.ts';

const SCALARS: readonly FieldType[] = ['number', 'integer', 'string', 'boolean'];
const NUMERIC: readonly FieldType[] = ['number', 'integer'];

export interface OperatorSpec {
  description: string;
  /** Field types the fact side may have. */
  left: readonly FieldType[];
  /** What the value side must be: same type as the fact, a number, an array of the fact's type, an element of the fact array, or a [low, high] pair. */
  right: 'same' | 'number' | 'number-or-series' | 'array-of-left' | 'element-of-left' | 'range';
  /** Whether json-rules-engine ships it (the rest are ours, registered on every evaluator). */
  builtin: boolean;
}

export const OPERATORS: Readonly<Record<string, OperatorSpec>> = {
  equal: { description: 'fact === value', left: SCALARS, right: 'same', builtin: true },
  notEqual: { description: 'fact !== value', left: SCALARS, right: 'same', builtin: true },
  lessThan: { description: 'fact < value', left: NUMERIC, right: 'number', builtin: true },
  lessThanInclusive: { description: 'fact <= value', left: NUMERIC, right: 'number', builtin: true },
  greaterThan: { description: 'fact > value', left: NUMERIC, right: 'number', builtin: true },
  greaterThanInclusive: { description: 'fact >= value', left: NUMERIC, right: 'number', builtin: true },
  in: { description: 'fact is one of the values', left: SCALARS, right: 'array-of-left', builtin: true },
  notIn: { description: 'fact is none of the values', left: SCALARS, right: 'array-of-left', builtin: true },
  contains: { description: 'the fact list contains the value', left: ['string[]', 'series'], right: 'element-of-left', builtin: true },
  doesNotContain: { description: 'the fact list does not contain the value', left: ['string[]', 'series'], right: 'element-of-left', builtin: true },
  between: { description: 'low <= fact <= high', left: NUMERIC, right: 'range', builtin: false },
  percentChangeAbove: {
    description: 'change from the first to the last value of the series, in percent, is above the value',
    left: ['series'],
    right: 'number',
    builtin: false,
  },
  percentChangeBelow: {
    description: 'change from the first to the last value of the series, in percent, is below the value',
    left: ['series'],
    right: 'number',
    builtin: false,
  },
  crossesAbove: {
    description: 'on its last step the series moved from below a level to at or above it (prev < level <= last), or from not above another series to strictly above it (prev <= other prev and last > other last)',
    left: ['series'],
    right: 'number-or-series',
    builtin: false,
  },
  crossesBelow: {
    description: 'on its last step the series moved from above a level to at or below it (prev > level >= last), or from not below another series to strictly below it (prev >= other prev and last < other last)',
    left: ['series'],
    right: 'number-or-series',
    builtin: false,
  },
};

/** json-rules-engine operator decorators, written `decorator:operator` (they chain). */
export const DECORATORS: Readonly<Record<string, string>> = {
  someFact: 'the fact is an array and some element satisfies the operator',
  everyFact: 'the fact is an array and every element satisfies the operator',
  someValue: 'the value is an array and some element satisfies the operator',
  everyValue: 'the value is an array and every element satisfies the operator',
  not: 'negates the operator',
  swap: 'swaps the fact and value sides',
};

