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

test('`solrules sandbox --flow random-walk`: real programs, the market printed, SIMULATED swaps landing on chain, stops on SIGTERM', async () => {
  const child = spawn(process.execPath, [BIN, 'sandbox', '--port', '0', '--block-engine-port', '0', '--grpc-port', '0', '--slot-ms', '50', '--no-accounts', '--flow', 'random-walk', '--flow-rate', '20', '--flow-seed', '3'], {
    cwd: REPO_ROOT,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout.on('data', (d) => (out += d));
  child.stderr.on('data', (d) => (out += d));
  try {
    const deadline = Date.now() + 30_000;
    while ((out.match(/^SIMULATED walk #/gm) ?? []).length < 3) {
      if (Date.now() > deadline || child.exitCode !== null) assert.fail(`no SIMULATED swaps; output so far:\n${out}`);
      await new Promise((r) => setTimeout(r, 50));
    }
    assert.match(out, /Programs \(real, mainnet ids\)/);
    assert.match(out, /Flow\s+SIMULATED random-walk \(seed 3\)/);
    const rpcUrl = out.match(/RPC \(HTTP JSON-RPC\)\s+(http:\/\/127\.0\.0\.1:\d+)/)![1]!;
    const dlmm = out.match(/meteora-dlmm\s+(\w+)/)![1]!;
    const pair = await rpc(rpcUrl, 'getAccountInfo', [dlmm, { encoding: 'base64' }]);
    assert.equal(pair.body.result.value.owner, 'LBUZKhRxPF3XUpBCjp4YzTKgLccjZhTSDM9YuVaPwxo');
    const reserve = out.match(/Kamino reserve \(USDC\)\s+(\w+)/)![1]!;
    const r = await rpc(rpcUrl, 'getAccountInfo', [reserve, { encoding: 'base64' }]);
    assert.equal(r.body.result.value.owner, 'KLend2g3cP87fffoy8q1mQqGKjrxjC8boSyAYavgmjD', 'the reserve the banner names is a klend account');
    const sigs = await rpc(rpcUrl, 'getSignaturesForAddress', [dlmm]);
    assert.ok(sigs.body.result.length >= 1, 'swaps on the DLMM pair are in the chain history');
  } finally {
    child.kill('SIGTERM');
  }
  const [code] = await once(child, 'exit');
  assert.equal(code, 0, out);
  assert.match(out, /SIMULATED flow stopped: \d+ swaps/);
});

test('`solrules sandbox` market and flow usage errors exit 2', async (t) => {
  const errors = t.mock.method(console, 'error', () => {});
  for (const args of [['--flow', 'sideways'], ['--flow-rate', '3'], ['--traders', '2'], ['--flow', 'replay', '--flow-size', '1'], ['--flow', 'random-walk', '--flow-size', '0.0000000001'], ['--flow', 'random-walk', '--shock-probability', '1.5'], ['--market', '--traders', '0']]) {
    errors.mock.resetCalls();
    assert.equal(await run(args), 2, args.join(' '));
    assert.match(String(errors.mock.calls[0]?.arguments[0]), /^solrules sandbox: /, args.join(' '));
  }
});
