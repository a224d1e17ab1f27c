/** `solrules doctor` on a setting that does not parse: names the value given (flag or environment), never its password. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { checkBus } from '../../../engine/infra/bus/index.ts';
import { checkCache } from '../../../engine/infra/cache/index.ts';
import { checkStore } from '../../../engine/infra/store/index.ts';

test('an unusable setting is reported as given, without its password', async () => {
  const reports = {
    bus: await checkBus({ url: 'nats://u:secret@h:4222?bogus=1' }),
    cache: await checkCache({ url: 'memcached://u:secret@h' }),
    store: await checkStore({ url: 'mysql://u:secret@h/db' }),
  };
  for (const [name, r] of Object.entries(reports)) {
    assert.equal(r.ok, false, name);
    assert.ok(!JSON.stringify(r).includes('secret'), `${name}: no password in ${JSON.stringify(r)}`);
  }
  assert.equal(reports.bus.target, 'nats://u:***@h:4222?bogus=1');
  assert.equal(reports.cache.target, 'memcached://u:***@h');
  assert.equal(reports.store.target, 'mysql://u:***@h/db');
});

test('a setting from the environment is named the same way', async () => {
  const saved = process.env.SOLRULES_BUS;
  process.env.SOLRULES_BUS = 'amqp://u:secret@h';
  try {
    const r = await checkBus();
    assert.equal(r.target, 'amqp://u:***@h');
    assert.match(r.problem!, /SOLRULES_BUS must be 'memory' or a nats:\/\/ URL/);
  } finally {
    if (saved === undefined) delete process.env.SOLRULES_BUS;
    else process.env.SOLRULES_BUS = saved;
  }
});
