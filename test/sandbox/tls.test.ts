import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createPrivateKey, X509Certificate } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { rootCertificates } from 'node:tls';
import { ensureSandboxTls, writeTrustBundle } from '../../engine/sandbox/index.ts';

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
