/**
 * One owner for bus subjects: engine/messages. Every subject it names is stored (or not) by the
 * JetStream stream the design says, and no other engine file spells a subject of its own.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { SUBJECTS, controlSubject, marketEventSubject, opportunitySubject, pricesSubject, volumeSubject } from '../../engine/messages/index.ts';
import { streamFor } from '../../engine/infra/bus/nats/streams.ts';
import { listTsFiles } from '../architecture/graph.ts';
import { REPO_ROOT as repoRoot } from '../support/paths.ts';

test('each subject lands in the stream its family belongs to; control is never stored', () => {
  assert.equal(streamFor(`${pricesSubject('So11111111111111111111111111111111111111112')}`), 'market');
  assert.equal(streamFor(marketEventSubject('orca-whirlpool', 'pool')), 'market');
  assert.equal(streamFor(volumeSubject('m')), 'market');
  assert.equal(streamFor(opportunitySubject('grid')), 'opportunities');
  assert.equal(streamFor(`${SUBJECTS.opportunities}.>`), 'opportunities');
  for (const s of [SUBJECTS.orders, SUBJECTS.submitted, SUBJECTS.confirmed, SUBJECTS.failed, SUBJECTS.dlq]) assert.equal(streamFor(s), 'execution', s);
  assert.equal(streamFor(controlSubject('kill')), undefined);
  assert.equal(streamFor(SUBJECTS.controlSync), undefined);
});

test('no engine file outside engine/messages spells a bus subject as a literal', () => {
  // A subject literal: a quoted or template string starting with one of the families.
  const literal = /['`](market\.(prices|events|volume)|trade\.opportunities|execution\.(orders|submitted|confirmed|failed|dlq)|control\.(pause|resume|kill|release|reload|sync|>))\b/;
  const offenders: string[] = [];
  for (const file of listTsFiles(join(repoRoot, 'engine'))) {
    if (file.includes('/engine/messages/') || file.includes('/engine/infra/bus/nats/streams.ts')) continue;
    readFileSync(file, 'utf8').split('\n').forEach((line, i) => {
      const code = line.replace(/\/\/.*$/, '');
      if (/^\s*(\*|\/\*\*)/.test(code)) return; // doc comments describe subjects
      if (literal.test(code)) offenders.push(`${file.slice(repoRoot.length + 1)}:${i + 1}: ${line.trim()}`);
    });
  }
  assert.deepEqual(offenders, [], `subjects belong in engine/messages:\n${offenders.join('\n')}`);
});
