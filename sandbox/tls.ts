/**
 * The sandbox block engine's TLS identity.
 *
 * jito-ts' `searcherClient` always dials with `ChannelCredentials.createSsl()` and no root
 * certificates of its own, so an unmodified client only trusts what grpc-js trusts by default:
 * the file named by `GRPC_DEFAULT_SSL_ROOTS_FILE_PATH`, read once when grpc-js is first loaded.
 * We therefore keep one self-signed certificate per user on disk (so the path stays valid across
 * sandbox restarts) and point that variable at it. The key only ever protects loopback traffic
 * to the sandbox; it is not a wallet key and grants nothing on any chain.
 *
 * The certificate is built here with node:crypto (EC P-256, DER written by hand) so the sandbox
 * needs no openssl binary and no certificate library.
 */
import { createPrivateKey, createPublicKey, generateKeyPairSync, randomBytes, sign, X509Certificate } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir, userInfo } from 'node:os';
import { dirname, join } from 'node:path';
import { rootCertificates } from 'node:tls';
import { SolrulesError } from '../engine/errors/index.ts';

export interface SandboxTls {
  /** PEM file holding the self-signed certificate: the trust anchor clients need. */
  certPath: string;
  certPem: string;
  keyPem: string;
}

const VALID_YEARS = 10;

// --- minimal DER writer -------------------------------------------------------------------
function derLength(n: number): Buffer {
  if (n < 0x80) return Buffer.from([n]);
  const bytes: number[] = [];
  for (let v = n; v > 0; v >>= 8) bytes.unshift(v & 0xff);
  return Buffer.from([0x80 | bytes.length, ...bytes]);
}
function tlv(tag: number, ...parts: Buffer[]): Buffer {
  const body = Buffer.concat(parts);
  return Buffer.concat([Buffer.from([tag]), derLength(body.length), body]);
}
const seq = (...parts: Buffer[]) => tlv(0x30, ...parts);
const oid = (hex: string) => tlv(0x06, Buffer.from(hex, 'hex'));
const OID_ECDSA_SHA256 = '2a8648ce3d040302';
const OID_COMMON_NAME = '550403';
const OID_SUBJECT_ALT_NAME = '551d11';
const OID_EXT_KEY_USAGE = '551d25';
const OID_SERVER_AUTH = '2b06010505070301';
const OID_BASIC_CONSTRAINTS = '551d13';

function utcTime(d: Date): Buffer {
  const p = (n: number) => String(n).padStart(2, '0');
  const s = `${p(d.getUTCFullYear() % 100)}${p(d.getUTCMonth() + 1)}${p(d.getUTCDate())}${p(d.getUTCHours())}${p(d.getUTCMinutes())}${p(d.getUTCSeconds())}Z`;
  return tlv(0x17, Buffer.from(s, 'ascii'));
}
function name(commonName: string): Buffer {
  return seq(tlv(0x31, seq(oid(OID_COMMON_NAME), tlv(0x0c, Buffer.from(commonName, 'utf8')))));
}
function pem(label: string, der: Buffer): string {
  const b64 = der.toString('base64').replace(/(.{64})/g, '$1\n').replace(/\n$/, '');
  return `-----BEGIN ${label}-----\n${b64}\n-----END ${label}-----\n`;
}

/**
 * A DER INTEGER holding `bytes` as an unsigned big-endian number. DER wants the shortest form:
 * no leading zero byte unless the next byte has its top bit set (then one, to keep it positive).
 * OpenSSL refuses anything else ("illegal padding"), so a random serial must go through here.
 */
function derUnsignedInteger(bytes: Uint8Array): Buffer {
  let start = 0;
  while (start < bytes.length - 1 && bytes[start] === 0) start++;
  const body = Buffer.from(bytes.subarray(start));
  return tlv(0x02, body[0]! & 0x80 ? Buffer.concat([Buffer.from([0]), body]) : body);
}

/** Builds a self-signed certificate for localhost, 127.0.0.1 and ::1 (`serial`: 16 random bytes unless given). */
export function createLoopbackCertificate(now = new Date(), serial: Uint8Array = randomBytes(16)): { certPem: string; keyPem: string } {
  const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'prime256v1' });
  const notBefore = new Date(now.getTime() - 24 * 3600_000);
  const notAfter = new Date(now.getTime() + VALID_YEARS * 365 * 24 * 3600_000);
  const san = seq(
    tlv(0x82, Buffer.from('localhost', 'ascii')),
    tlv(0x87, Buffer.from([127, 0, 0, 1])),
    tlv(0x87, Buffer.concat([Buffer.alloc(15), Buffer.from([1])])),
  );
  const extensions = tlv(
    0xa3,
    seq(
      seq(oid(OID_BASIC_CONSTRAINTS), tlv(0x04, seq())),
      seq(oid(OID_EXT_KEY_USAGE), tlv(0x04, seq(oid(OID_SERVER_AUTH)))),
      seq(oid(OID_SUBJECT_ALT_NAME), tlv(0x04, san)),
    ),
  );
  const subject = name('solrules sandbox (loopback only)');
  const tbs = seq(
    tlv(0xa0, derUnsignedInteger(Buffer.from([2]))),
    derUnsignedInteger(serial),
    seq(oid(OID_ECDSA_SHA256)),
    subject,
    seq(utcTime(notBefore), utcTime(notAfter)),
    subject,
    publicKey.export({ type: 'spki', format: 'der' }),
    extensions,
  );
  const signature = sign('sha256', tbs, privateKey);
  const cert = seq(tbs, seq(oid(OID_ECDSA_SHA256)), tlv(0x03, Buffer.from([0]), signature));
  return { certPem: pem('CERTIFICATE', cert), keyPem: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString() };
}

/** Directory holding the per-user sandbox certificate (`SOLRULES_SANDBOX_TLS_DIR` overrides). */
export function sandboxTlsDir(): string {
  if (process.env.SOLRULES_SANDBOX_TLS_DIR) return process.env.SOLRULES_SANDBOX_TLS_DIR;
  let who = 'user';
  try {
    who = String(userInfo().uid >= 0 ? userInfo().uid : userInfo().username);
  } catch {
    // no passwd entry (some containers): one shared name is fine for a loopback-only cert
  }
  return join(tmpdir(), `solrules-sandbox-tls-${who}`);
}

function readValid(dir: string): SandboxTls | undefined {
  const certPath = join(dir, 'cert.pem');
  const keyPath = join(dir, 'key.pem');
  if (!existsSync(certPath) || !existsSync(keyPath)) return undefined;
  try {
    const certPem = readFileSync(certPath, 'utf8');
    const keyPem = readFileSync(keyPath, 'utf8');
    const cert = new X509Certificate(certPem);
    const matches = cert.checkPrivateKey(createPrivateKey(keyPem));
    const fresh = new Date(cert.validTo).getTime() > Date.now() + 24 * 3600_000;
    const samePublic = createPublicKey(keyPem).export({ type: 'spki', format: 'der' }).equals(cert.publicKey.export({ type: 'spki', format: 'der' }));
    return matches && fresh && samePublic && cert.checkIP('127.0.0.1') ? { certPath, certPem, keyPem } : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Returns the sandbox TLS identity, creating it on first use. A new identity is written to a
 * temporary directory and renamed into place, so concurrent test processes agree on one
 * certificate; a broken directory is moved aside, never deleted under another process's feet.
 */
export function ensureSandboxTls(dir = sandboxTlsDir()): SandboxTls {
  const existing = readValid(dir);
  if (existing) return existing;
  const parent = join(dir, '..');
  mkdirSync(parent, { recursive: true });
  const staging = mkdtempSync(join(parent, '.solrules-tls-'));
  const { certPem, keyPem } = createLoopbackCertificate();
  writeFileSync(join(staging, 'cert.pem'), certPem, { mode: 0o644 });
  writeFileSync(join(staging, 'key.pem'), keyPem, { mode: 0o600 });
  try {
    for (let attempt = 0; attempt < 5; attempt++) {
      try {
        renameSync(staging, dir);
        break;
      } catch (err) {
        const code = (err as NodeJS.ErrnoException).code;
        if (code !== 'ENOTEMPTY' && code !== 'EEXIST') {
          throw new SolrulesError('SANDBOX_TLS', `cannot store the sandbox TLS certificate in ${dir}: ${(err as Error).message}`, { dir }, { cause: err });
        }
        const won = readValid(dir); // another process got there first
        if (won) return won;
        const aside = `${dir}.broken-${process.pid}-${attempt}`;
        try {
          renameSync(dir, aside);
          rmSync(aside, { recursive: true, force: true });
        } catch {
          // someone else moved it; try again
        }
      }
    }
  } finally {
    rmSync(staging, { recursive: true, force: true });
  }
  const stored = readValid(dir);
  if (!stored) throw new SolrulesError('SANDBOX_TLS', `sandbox TLS certificate in ${dir} is unreadable`, { dir });
  return stored;
}

/**
 * Writes `trust-bundle.pem` beside the certificate: the roots gRPC clients trusted before (the
 * file already named by `GRPC_DEFAULT_SSL_ROOTS_FILE_PATH`, else Node's bundled roots) plus the
 * sandbox certificate, so trusting the sandbox takes no other trust away. Returns its path.
 */
export function writeTrustBundle(tls: SandboxTls = ensureSandboxTls()): string {
  const bundlePath = join(dirname(tls.certPath), 'trust-bundle.pem');
  const current = process.env.GRPC_DEFAULT_SSL_ROOTS_FILE_PATH;
  let base = rootCertificates.join('\n');
  if (current && current !== bundlePath) {
    try {
      base = readFileSync(current, 'utf8');
    } catch (err) {
      throw new SolrulesError('SANDBOX_TLS', `GRPC_DEFAULT_SSL_ROOTS_FILE_PATH names ${current}, which cannot be read`, { file: current }, { cause: err });
    }
  } else if (current === bundlePath && existsSync(bundlePath)) {
    const text = readFileSync(bundlePath, 'utf8');
    if (text.includes(tls.certPem)) return bundlePath;
  }
  const staging = `${bundlePath}.${process.pid}.tmp`;
  writeFileSync(staging, `${base.trimEnd()}\n${tls.certPem}`, { mode: 0o644 });
  renameSync(staging, bundlePath);
  return bundlePath;
}

/**
 * Makes gRPC clients created later in this process trust the sandbox block engine by pointing
 * `GRPC_DEFAULT_SSL_ROOTS_FILE_PATH` at the trust bundle. grpc-js reads that variable once, when
 * it is first loaded: call this (importing the sandbox's index does) before anything loads
 * grpc-js or jito-ts. Returns the bundle path.
 */
export function trustSandboxTls(): string {
  const bundlePath = writeTrustBundle();
  process.env.GRPC_DEFAULT_SSL_ROOTS_FILE_PATH = bundlePath;
  return bundlePath;
}
