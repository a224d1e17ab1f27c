import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { REPO_ROOT } from '../support/paths.ts';
import { rpc } from './helpers.ts';
import { run } from '../../engine/cli/sandbox.ts';

const BIN = 'bin/solrules.js';

test('`solrules sandbox` says it is a simulation, prints its endpoints, loads the shared fixtures and stops on SIGTERM', async () => {
  const child = spawn(process.execPath, [BIN, 'sandbox', '--port', '0', '--block-engine-port', '0', '--grpc-port', '0', '--slot-ms', 'manual'], {
    cwd: REPO_ROOT,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout.on('data', (d) => (out += d));
  child.stderr.on('data', (d) => (out += d));
  try {
    const deadline = Date.now() + 20_000;
    while (!out.includes('Press Ctrl+C')) {
      if (Date.now() > deadline || child.exitCode !== null) assert.fail(`no banner; output so far:\n${out}`);
      await new Promise((r) => setTimeout(r, 50));
    }
    assert.match(out, /SIMULATED Solana cluster/);
    assert.match(out, /not a validator/);
    const rpcUrl = out.match(/RPC \(HTTP JSON-RPC\)\s+(http:\/\/127\.0\.0\.1:\d+)/)?.[1];
    const wsUrl = out.match(/WebSocket PubSub\s+(ws:\/\/127\.0\.0\.1:\d+)/)?.[1];
    const engine = out.match(/Block engine JSON-RPC\s+(http:\/\/127\.0\.0\.1:\d+)\/api\/v1\/bundles/)?.[1];
    assert.ok(rpcUrl && wsUrl && engine, out);
    assert.match(out, /Block engine gRPC \(TLS\)\s+localhost:\d+/);
    assert.match(out, /GRPC_DEFAULT_SSL_ROOTS_FILE_PATH=\S+trust-bundle\.pem/);
    assert.match(out, /Accounts loaded\s+\d{2,} from \S+accounts/);
    assert.equal((await rpc(rpcUrl, 'getHealth')).body.result, 'ok');
    const pool = await rpc(rpcUrl, 'getAccountInfo', ['HJPjoWUrhoZzkNfRpHuieeFk9WcZWjwy6PBjZ81ngndJ', { encoding: 'base64' }]);
    assert.equal(pool.body.result.value.owner, 'whirLbMiicVdio4qvUfM5KAg6Ct8VwpYzGff3uctyCc');
    assert.equal((await rpc(`${engine}/api/v1/bundles`, 'getTipAccounts')).body.result.length, 8);
  } finally {
    child.kill('SIGTERM');
  }
  const [code] = await once(child, 'exit');
  assert.equal(code, 0, out);
  assert.match(out, /solrules sandbox stopped/);
});

test('`solrules sandbox` answers usage errors with exit code 2 and a message', async (t) => {
  const errors = t.mock.method(console, 'error', () => {});
  for (const args of [['--slot-ms', '5'], ['--port', '70000'], ['--bogus'], ['--accounts', '/no/such/dir'], ['--no-accounts', '--accounts', '.']]) {
    errors.mock.resetCalls();
    assert.equal(await run(args), 2, args.join(' '));
    assert.match(String(errors.mock.calls[0]?.arguments[0]), /^solrules sandbox: /, args.join(' '));
  }
});
