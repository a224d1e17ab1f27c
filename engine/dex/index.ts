/** DEX venues: account decoders and exact swap math, one folder per venue behind `Venue`. */
export type { Venue, VenueId, PoolState, Quote } from './venue.ts';
