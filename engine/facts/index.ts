/**
 * Facts: the catalog of what rules may read (types, units), who produces each fact in which run
 * mode, and builders for the facts every strategy shares (price, time, wallet).
 */
export { BASE_FACTS, field, fieldAt, pathsOf, type FactCatalog, type FactSpec, type FieldSpec, type FieldType, type ScalarType } from './catalog.ts';
export { BASE_PRODUCERS, NOT_PRODUCED_YET, RUN_MODES, producersOf, unproducedPaths, whyUnproduced, type FactProducer, type ProducerQuery, type RuleScope, type RunMode } from './producers.ts';
export { priceFact, timeFact, walletFact, type PriceFact, type TimeFact, type WalletFact } from './builders.ts';
