/** The stream limits docs/infrastructure.md states, as the bus sends them to the server (no server needed). */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { nanos } from '@nats-io/nats-core';
import { Namespace, STREAMS, streamConfig } from '../../../../engine/infra/bus/nats/index.ts';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const GiB = 1024 ** 3;

test('every stream is file-backed and bounded by age and size, oldest dropped first; trade and execution keep longer than market', () => {
  const documented = {
    market: ['MARKET', 'market.>', HOUR, GiB],
    opportunities: ['OPPORTUNITIES', 'trade.opportunities.>', 7 * DAY, GiB],
    execution: ['EXECUTION', 'execution.>', 30 * DAY, 4 * GiB],
    dlq: ['DLQ', 'dlq.>', 90 * DAY, GiB / 4],
  } as const;
  assert.deepEqual(Object.keys(STREAMS).sort(), Object.keys(documented).sort());
  for (const [key, [name, subject, maxAgeMs, maxBytes]] of Object.entries(documented)) {
    const cfg = streamConfig(STREAMS[key as keyof typeof STREAMS], new Namespace());
    assert.deepEqual(
      [cfg.name, cfg.subjects, cfg.storage, cfg.retention, cfg.discard, cfg.max_age, cfg.max_bytes],
      [name, [subject], 'file', 'limits', 'old', nanos(maxAgeMs), maxBytes],
      key,
    );
  }
});
