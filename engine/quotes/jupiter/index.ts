/** Jupiter swap API as a quote source: /quote and /swap-instructions with limits, timeouts and a circuit breaker. */
export { JupiterClient, jupiterRouteQuote, DEFAULT_JUPITER_BASE_URL, type JupiterOptions, type SwapInstructionsOptions } from './client.ts';
export { parseQuoteResponse, parseSwapInstructionsResponse, type JupiterQuote, type JupiterSwapInstructions, type JupiterInstruction, type JupiterAccountMeta, type JupiterSwapInfo } from './parse.ts';
