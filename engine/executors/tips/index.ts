/** The dynamic Jito tip: the block engine's tip floor and our own landing history, as the `tip` fact. */
export { parseTipFloor, tipFloorFromFile, HttpTipFloor, StaticTipFloor, type TipFloor, type TipFloorSource } from './floor.ts';
export { TipAdvisor, percentileFor, type TipFact, type TipAdvisorOptions } from './advisor.ts';
