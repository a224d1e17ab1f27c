/**
 * keyCommand: the key comes from a command's standard output (no shell). Failures — a non-zero
 * exit, a timeout, output that is not a key, a missing program — are typed errors that name
 * the program and never carry what it printed on standard output.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { chmodSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Keypair } from '@solana/web3.js';
import bs58 from 'bs58';
import { isSolrulesError, type ErrorCode } from '../../engine/errors/index.ts';
import { Keystore, loadKeypairCommand, summariseStderr } from '../../engine/wallets/index.ts';

const dir = mkdtempSync(join(tmpdir(), 'solrules-keycmd-'));
const kp = Keypair.generate();
const jsonFile = join(dir, 'key.json');
writeFileSync(jsonFile, `${JSON.stringify(Array.from(kp.secretKey))}\n`);
chmodSync(jsonFile, 0o600);
const b58File = join(dir, 'key.b58');
writeFileSync(b58File, `  ${bs58.encode(kp.secretKey)}\n`);

function keyForms(k: Keypair): string[] {
  const secret = Buffer.from(k.secretKey);
  return [bs58.encode(secret), secret.toString('base64'), JSON.stringify(Array.from(secret)), Array.from(secret).join(', '), bs58.encode(secret.subarray(0, 32)), secret.subarray(0, 32).toString('base64'), secret.toString('hex')];
}

function assertNoKey(text: string, where: string): void {
  for (const form of keyForms(kp)) assert.equal(text.includes(form), false, `${where} contains key material`);
}

function expectError(argv: string[], code: ErrorCode, opts: { timeoutMs?: number } = {}, check?: (e: { message: string; context: Record<string, unknown> }) => void): void {
  assert.throws(() => loadKeypairCommand(argv, { wallet: 'treasure', ...opts }), (err: unknown) => {
    assert.ok(isSolrulesError(err, code), `expected ${code}, got ${(err as Error & { code?: string }).code}: ${(err as Error).message}`);
    assert.match(err.message, /wallet 'treasure'/);
    assertNoKey(err.message + JSON.stringify(err.toJSON()), `${code} error`);
    check?.(err as unknown as { message: string; context: Record<string, unknown> });
    return true;
  });
}

test('a command printing the key as a JSON array or base58 (whitespace around it) loads it', () => {
  assert.equal(loadKeypairCommand(['cat', jsonFile]).publicKey.toBase58(), kp.publicKey.toBase58());
  assert.equal(loadKeypairCommand(['cat', b58File]).publicKey.toBase58(), kp.publicKey.toBase58());
  const ks = Keystore.load({ version: 1, wallets: [{ name: 'treasure', tier: 'treasure', key: { keyCommand: ['cat', jsonFile], timeoutMs: 5_000 } }] }, { baseDir: dir });
  assert.equal(ks.get('treasure').address, kp.publicKey.toBase58());
});

test('no shell: arguments are passed as they are, nothing is interpolated', () => {
  // With a shell, `$(…)` would run; without one, cat looks for a file of that name.
  expectError(['cat', '$(echo key.json)'], 'WALLET_KEY_COMMAND_FAILED', {}, (e) => assert.equal(e.context.exitCode, 1));
});

test('a command that fails: exit code and a summary of stderr, never its stdout', () => {
  expectError(['sh', '-c', `cat ${jsonFile}; echo "Error: permission denied for secret/solrules/treasure" >&2; exit 2`], 'WALLET_KEY_COMMAND_FAILED', {}, (e) => {
    assert.match(e.message, /keyCommand 'sh' exited with code 2; stderr: Error: permission denied for secret\/solrules\/treasure/);
    assert.equal(e.context.exitCode, 2);
  });
  // A key that reaches stderr is redacted from the summary.
  expectError(['sh', '-c', `echo "bad token near $(cat ${b58File})" >&2; exit 1`], 'WALLET_KEY_COMMAND_FAILED', {}, (e) => assert.match(e.message, /bad token near\s+<redacted>/));
  assert.equal(summariseStderr(`\n  ${JSON.stringify(Array.from(kp.secretKey))}\n`), '[<redacted>]');
});

test('a command that hangs is killed after its timeout', () => {
  const started = Date.now();
  expectError(['sleep', '10'], 'WALLET_KEY_COMMAND_TIMEOUT', { timeoutMs: 300 }, (e) => assert.equal(e.context.timeoutMs, 300));
  assert.ok(Date.now() - started < 5_000);
});

test('garbage on stdout: says which forms are accepted, without echoing what was printed', () => {
  for (const argv of [['echo', 'hunter2-not-a-key'], ['echo', '[1, 2, 3]'], ['echo', bs58.encode(kp.publicKey.toBytes())], ['true']]) {
    expectError(argv, 'WALLET_KEY_COMMAND_GARBAGE', {}, (e) => {
      assert.doesNotMatch(e.message, /hunter2/);
      assert.match(e.message, /JSON array of 64 (integers|bytes).*base58/);
    });
  }
  // The public half not matching the secret half.
  const bad = Uint8Array.from(kp.secretKey);
  bad[40] = bad[40]! ^ 1;
  const badFile = join(dir, 'bad.json');
  writeFileSync(badFile, JSON.stringify(Array.from(bad)));
  expectError(['cat', badFile], 'WALLET_KEY_COMMAND_GARBAGE', {}, (e) => assert.equal(e.context.problem, 'WALLET_KEY_MISMATCH'));
});

test('a program that does not exist, and an empty keyCommand', () => {
  expectError(['solrules-no-such-vault-cli', 'kv', 'get'], 'WALLET_KEY_COMMAND_NOT_FOUND', {}, (e) => assert.match(e.message, /'solrules-no-such-vault-cli' was not found/));
  expectError([], 'WALLET_KEY_COMMAND_EMPTY');
});
