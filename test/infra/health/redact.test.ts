import { test } from 'node:test';
import assert from 'node:assert/strict';
import { redactUrl } from '../../../engine/infra/health/index.ts';

test('service URLs are shown without their passwords, whatever their shape', () => {
  assert.equal(redactUrl('postgres://u:secret@db:5432/x'), 'postgres://u:***@db:5432/x');
  assert.equal(redactUrl('redis://:secret@h:6380/2'), 'redis://:***@h:6380/2');
  assert.equal(redactUrl('nats://u:secret@a:4222,b:4223'), 'nats://u:***@a:4222,b:4223');
  assert.equal(redactUrl('nats://u:one@a:4222,v:two@b:4223'), 'nats://u:***@a:4222,v:***@b:4223');
  assert.equal(redactUrl('nats://a:4222,v:two@b:4223'), 'nats://a:4222,v:***@b:4223');
  assert.equal(redactUrl('mysql://u:secret@h/x?ssl=1'), 'mysql://u:***@h/x?ssl=1');
  for (const plain of ['postgres://user@h/db', 'nats://a:4222,b:4223', 'memory', 'pglite:data/s']) assert.equal(redactUrl(plain), plain);
});
