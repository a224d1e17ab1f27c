/** Prometheus metrics of the scanners (names follow Prometheus conventions; labels are bounded). */
import { counter, gauge, histogram } from '../telemetry/index.ts';

export const scannerMetrics = {
  events: () => counter('solrules_scanner_events_total', 'Account updates accepted, by mode and venue (pyth, token, or the DEX venue).', ['mode', 'venue'] as const),
  duplicates: () => counter('solrules_scanner_duplicates_total', 'Account updates dropped as seen within the dedup window.', ['mode'] as const),
  filtered: () => counter('solrules_scanner_filtered_total', 'Account updates dropped by client-side filters.', ['mode', 'reason'] as const),
  latency: () => histogram('solrules_scanner_event_latency_seconds', 'Time from the moment the scanner first saw a slot to receiving an update of that slot.', ['mode', 'venue'] as const, [0, 0.01, 0.05, 0.1, 0.2, 0.4, 0.8, 1.6, 3.2, 6.4]),
  lagSlots: () => histogram('solrules_scanner_event_lag_slots', 'Slots between the newest slot seen and the slot of an update when it arrived.', ['mode', 'venue'] as const, [0, 1, 2, 4, 8, 16, 32, 64, 150]),
  reconnects: () => counter('solrules_scanner_reconnects_total', 'Connections re-established after a drop.', ['mode'] as const),
  connected: () => gauge('solrules_scanner_connected', '1 while the source is live.', ['mode'] as const),
  errors: () => counter('solrules_scanner_errors_total', 'Scanner errors by code.', ['mode', 'code'] as const),
  published: () => counter('solrules_scanner_facts_published_total', 'Facts published on the bus, by kind.', ['kind'] as const),
};
