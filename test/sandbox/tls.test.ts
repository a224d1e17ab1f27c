import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createPrivateKey, X509Certificate } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { rootCertificates } from 'node:tls';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { createLoopbackCertificate, ensureSandboxTls, writeTrustBundle } from '../../sandbox/index.ts';
import { REPO_ROOT } from '../support/paths.ts';

test('the sandbox certificate is self-signed for loopback names only and is reused across calls', () => {
  const dir = join(mkdtempSync(join(tmpdir(), 'solrules-tls-test-')), 'tls');
  try {
    const tls = ensureSandboxTls(dir);
    const cert = new X509Certificate(tls.certPem);
    assert.ok(cert.verify(cert.publicKey), 'self-signed');
    assert.equal(cert.checkIP('127.0.0.1'), '127.0.0.1');
    assert.equal(cert.checkHost('localhost'), 'localhost');
    assert.equal(cert.checkHost('example.com'), undefined);
    assert.ok(new Date(cert.validTo).getTime() > Date.now() + 365 * 24 * 3600_000);
    assert.equal(ensureSandboxTls(dir).certPem, tls.certPem, 'a valid certificate on disk is kept');

    writeFileSync(tls.certPath, 'garbage');
    const replaced = ensureSandboxTls(dir);
    assert.notEqual(replaced.certPem, tls.certPem, 'an unreadable certificate is replaced');
    assert.ok(new X509Certificate(replaced.certPem).checkPrivateKey(createPrivateKey(replaced.keyPem)), 'certificate and key belong together');
  } finally {
    rmSync(join(dir, '..'), { recursive: true, force: true });
  }
});

test('every random serial gives a certificate OpenSSL accepts (DER wants the shortest INTEGER)', () => {
  // One random serial in 256 starts with a zero byte followed by one below 0x80; written as is, OpenSSL
  // rejects the certificate ("illegal padding") and ensureSandboxTls fails now and then.
  const cases: [number[], string][] = [
    [[0x00, 0x01, 0x02], '0102'],
    [[0x00, 0x00, 0x80, 0x05], '8005'],
    [[0x80, 0x01], '8001'],
    [[0x7f, ...Array(15).fill(0xff)], `7F${'FF'.repeat(15)}`],
  ];
  for (const [serial, hex] of cases) {
    const cert = new X509Certificate(createLoopbackCertificate(new Date(), Uint8Array.from(serial)).certPem);
    assert.equal(cert.serialNumber.toUpperCase(), hex, `serial ${serial}`);
    assert.ok(cert.verify(cert.publicKey));
  }
});

test('the trust bundle keeps the roots trusted before and adds the sandbox certificate', () => {
  const dir = join(mkdtempSync(join(tmpdir(), 'solrules-tls-test-')), 'tls');
  const saved = process.env.GRPC_DEFAULT_SSL_ROOTS_FILE_PATH;
  try {
    const tls = ensureSandboxTls(dir);
    const custom = join(dir, 'custom-roots.pem');
    writeFileSync(custom, rootCertificates[0]!);
    process.env.GRPC_DEFAULT_SSL_ROOTS_FILE_PATH = custom;
    const bundle = readFileSync(writeTrustBundle(tls), 'utf8');
    assert.ok(bundle.startsWith(rootCertificates[0]!.trim()));
    assert.ok(bundle.includes(tls.certPem));
    delete process.env.GRPC_DEFAULT_SSL_ROOTS_FILE_PATH;
    const withNodeRoots = readFileSync(writeTrustBundle(tls), 'utf8');
    assert.equal(withNodeRoots.split('BEGIN CERTIFICATE').length - 1, rootCertificates.length + 1);
  } finally {
    if (saved === undefined) delete process.env.GRPC_DEFAULT_SSL_ROOTS_FILE_PATH;
    else process.env.GRPC_DEFAULT_SSL_ROOTS_FILE_PATH = saved;
    rmSync(join(dir, '..'), { recursive: true, force: true });
  }
});

test('processes creating the certificate at the same time end up with the same one', async () => {
  const dir = join(mkdtempSync(join(tmpdir(), 'solrules-tls-test-')), 'tls');
  try {
    const script = `import { ensureSandboxTls } from ${JSON.stringify(join(REPO_ROOT, 'sandbox/tls.ts'))}; process.stdout.write(ensureSandboxTls(${JSON.stringify(dir)}).certPem);`;
    const runs = Array.from({ length: 4 }, () => {
      const child = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], { cwd: REPO_ROOT, stdio: ['ignore', 'pipe', 'inherit'] });
      let out = '';
      child.stdout.on('data', (d) => (out += d));
      return once(child, 'exit').then(([code]) => ({ code, out }));
    });
    const results = await Promise.all(runs);
    assert.deepEqual(results.map((r) => r.code), [0, 0, 0, 0]);
    assert.equal(new Set(results.map((r) => r.out)).size, 1, 'one certificate for everyone');
    assert.equal(results[0]!.out, readFileSync(join(dir, 'cert.pem'), 'utf8'));
  } finally {
    rmSync(join(dir, '..'), { recursive: true, force: true });
  }
});
