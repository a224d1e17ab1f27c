/** Arbitrage: the two-leg round trip of the best size net of every cost, as the `arbitrage` fact, and its paper execution. */
export { ArbitragePlanner, type ArbitrageParams, type ArbitrageFact, type ArbitrageRoute, type ArbitrageState } from './arbitrage.ts';
export { bestRoundTrip, roundTripAt, quoteRoundTrip, flashLoanFee, type CostModel, type RoundTrip } from './roundtrip.ts';
export { maximizeUnimodal, feasibleRange, type SearchResult } from './search.ts';
export { ArbitragePaperExecutor, paperRoundTripNet, withRoundTrips } from './paper.ts';
export { routeHash, profitableSince, StoredRouteTemplates, MAX_TEMPLATES, type RouteTemplate, type RouteTemplateStore, type TemplateLeg } from './templates.ts';
