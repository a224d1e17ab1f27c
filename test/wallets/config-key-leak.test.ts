/**
 * Keys pasted or linked where they do not belong never reach an output. For each form of a
 * secret key — base58, hex (128 characters), JSON array, base64 — a project gets the key:
 * inline in wallets.yaml (`key: { file: <key> }`), under routing.params in strategies.yaml,
 * saved as rules/x.yaml, symlinked as rules/y.yaml from outside the project; plus a key file
 * with mode 0644 and a rules/passwd.yaml symlink to /etc/passwd. Every output is searched for
 * every encoding of the key (and /etc/passwd's first line): validate (text, json, github), the
 * reload log (debug level), doctor (text, json) and the keystore's error for the pasted key.
 * Each output must also say what is wrong (so the search looks at output that saw the key).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { chmodSync, cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Keypair } from '@solana/web3.js';
import bs58 from 'bs58';
import { buildActiveConfig, ConfigHolder, Reloader } from '../../engine/config/index.ts';
import { referenceEvaluator } from '../../engine/rules/index.ts';
import { createLogger } from '../../engine/infra/telemetry/index.ts';
import { loadWallet } from '../../engine/wallets/index.ts';
import { run as validate } from '../../engine/cli/validate.ts';
import { run as doctor } from '../../engine/cli/doctor.ts';
import { REPO_ROOT } from '../support/paths.ts';

const FORMS: Record<string, (k: Buffer) => string> = {
  base58: (k) => bs58.encode(k),
  hex: (k) => k.toString('hex'),
  'JSON array': (k) => JSON.stringify(Array.from(k)),
  base64: (k) => k.toString('base64'),
};

/** Every encoding of the key and its seed a leak could take, whichever form was pasted. */
function needles(secret: Buffer): string[] {
  const seed = secret.subarray(0, 32);
  return [
    bs58.encode(secret), secret.toString('base64'), secret.toString('base64url'), secret.toString('hex'),
    JSON.stringify(Array.from(secret)), Array.from(secret).join(','), Array.from(secret).slice(0, 12).join(','), Array.from(secret).slice(0, 12).join(', '),
    bs58.encode(seed), seed.toString('base64'), seed.toString('hex'),
    bs58.encode(secret).slice(0, 16), secret.toString('hex').slice(0, 16), secret.toString('base64').slice(0, 16),
  ];
}

const PASSWD_FIRST_LINE = readFileSync('/etc/passwd', 'utf8').split('\n')[0]!;

async function capture(fn: (argv: string[]) => Promise<number>, argv: string[], cwd: string): Promise<{ code: number; out: string }> {
  const lines: string[] = [];
  const orig = { log: console.log, error: console.error, cwd: process.cwd() };
  console.log = (...a: unknown[]) => void lines.push(a.join(' '));
  console.error = (...a: unknown[]) => void lines.push(a.join(' '));
  process.chdir(cwd);
  try {
    return { code: await fn(argv), out: lines.join('\n') };
  } finally {
    console.log = orig.log;
    console.error = orig.error;
    process.chdir(orig.cwd);
  }
}

function project(): string {
  const dir = mkdtempSync(join(tmpdir(), 'solrules-keyleak-'));
  mkdirSync(join(dir, 'project'));
  const p = join(dir, 'project');
  cpSync(join(REPO_ROOT, 'strategies.yaml'), join(p, 'strategies.yaml'));
  cpSync(join(REPO_ROOT, 'rules'), join(p, 'rules'), { recursive: true });
  return dir;
}

let searched = 0;
function assertNoLeak(where: string, text: string, secret: Buffer): void {
  for (const n of needles(secret)) {
    searched++;
    assert.equal(text.includes(n), false, `${where}: key material found (${n.slice(0, 6)}...)`);
  }
  searched++;
  assert.equal(text.includes(PASSWD_FIRST_LINE), false, `${where}: /etc/passwd content found`);
}

for (const [form, encode] of Object.entries(FORMS)) {
  test(`a ${form} key pasted or linked into the project: flagged, and printed by no output`, async () => {
    const dir = project();
    const p = join(dir, 'project');
    const secret = Buffer.from(Keypair.generate().secretKey);
    const key = encode(secret);
    const yamlKey = form === 'JSON array' ? key : JSON.stringify(key);
    try {
      // The key file others can read, referenced properly from wallets.yaml.
      mkdirSync(join(p, 'keys'));
      writeFileSync(join(p, 'keys', 'worker.json'), JSON.stringify(Array.from(secret)));
      chmodSync(join(p, 'keys', 'worker.json'), 0o600);
      const wallets = (inline: boolean) => [
        'version: 1', 'wallets:',
        '  - { name: worker-1, tier: worker, key: { file: keys/worker.json } }',
        ...(inline ? [`  - { name: pasted, tier: worker, key: { file: ${yamlKey} } }`] : []),
        '',
      ].join('\n');
      writeFileSync(join(p, 'wallets.yaml'), wallets(false));
      // Startup on a clean project (no pasted key yet), for the reload below.
      const clean = await buildActiveConfig(p, referenceEvaluator, 'startup', { runTests: false });
      assert.ok(clean.active, JSON.stringify(clean.diagnostics));

      // Then the mistakes.
      writeFileSync(join(p, 'wallets.yaml'), wallets(true));
      chmodSync(join(p, 'keys', 'worker.json'), 0o644);
      const strategies = readFileSync(join(p, 'strategies.yaml'), 'utf8');
      writeFileSync(join(p, 'strategies.yaml'), strategies.replace('    jitoMinProfitUsd: 5', `    signer: ${yamlKey}\n    jitoMinProfitUsd: 5`));
      writeFileSync(join(p, 'rules', 'x.yaml'), key + '\n');
      writeFileSync(join(dir, 'outside-key.json'), key);
      symlinkSync(join(dir, 'outside-key.json'), join(p, 'rules', 'y.yaml'));
      symlinkSync('/etc/passwd', join(p, 'rules', 'passwd.yaml'));

      // validate, every format.
      const outputs: Record<string, string> = {};
      for (const format of ['text', 'json', 'github']) {
        const r = await capture(validate, ['--format', format], p);
        assert.equal(r.code, 1, r.out);
        outputs[`validate --format ${format}`] = r.out;
        for (const code of ['WALLETS_INLINE_SECRET', 'WALLETS_KEY_FILE_MODE', 'CONFIG_KEY_MATERIAL', 'CONFIG_SYMLINK_OUTSIDE']) {
          assert.ok(r.out.includes(code), `validate --format ${format} says ${code}:\n${r.out}`);
        }
        const at = (file: string, code: string) =>
          format === 'json'
            ? (JSON.parse(r.out) as Array<{ file: string; code: string; line: number }>).some((d) => d.file === file && d.code === code && d.line > 0)
            : format === 'github'
              ? new RegExp(`file=${file},line=\\d+,col=\\d+,title=${code}::`).test(r.out)
              : new RegExp(`^${file}:\\d+:\\d+: ${code} `, 'm').test(r.out);
        assert.ok(at('strategies.yaml', 'CONFIG_KEY_MATERIAL'), 'the key in strategies.yaml is flagged where it is');
        assert.ok(at('rules/x.yaml', 'CONFIG_KEY_MATERIAL'), 'the key saved as a rule file is flagged');
        assert.ok(at('rules/y.yaml', 'CONFIG_SYMLINK_OUTSIDE'), 'the symlinked key file is refused unread');
        assert.ok(at('rules/passwd.yaml', 'CONFIG_SYMLINK_OUTSIDE'), 'the symlink to /etc/passwd is refused unread');
        assert.ok(at('wallets.yaml', 'WALLETS_KEY_FILE_MODE'), 'the 0644 key file is flagged');
      }

      // The reload log, at debug level: the edit arrives on a running engine.
      const logLines: string[] = [];
      const log = createLogger({ level: 'debug', format: 'json', destination: { write: (l: string) => void logLines.push(l) } });
      const reloader = new Reloader({ root: p, factory: referenceEvaluator, holder: new ConfigHolder(clean.active), log });
      const outcome = await reloader.reload('strategies.yaml, rules/');
      assert.equal(outcome.applied, false, 'a project with a pasted key is refused');
      outputs['reload log'] = logLines.join('\n');
      assert.match(outputs['reload log'], /CONFIG_KEY_MATERIAL/);
      assert.match(outputs['reload log'], /CONFIG_SYMLINK_OUTSIDE/);

      // doctor, both formats (services in-process, so only wallets.yaml can fail).
      for (const format of ['text', 'json']) {
        const r = await capture(doctor, ['--format', format, '--bus', 'memory', '--cache', 'memory', '--store', 'memory'], p);
        assert.equal(r.code, 1, r.out);
        assert.match(r.out, /WALLETS_KEY_FILE_MODE/);
        assert.match(r.out, /WALLETS_INLINE_SECRET/);
        outputs[`doctor --format ${format}`] = r.out;
      }

      // The keystore's error (what `run --live` prints) for the pasted key.
      if (form !== 'JSON array') {
        let err: unknown;
        try {
          loadWallet({ name: 'pasted', tier: 'worker', key: { file: key } }, { baseDir: p });
        } catch (e) {
          err = e;
        }
        assert.ok(err instanceof Error, 'a pasted key is refused');
        outputs['keystore error'] = `${(err as Error).message}\n${JSON.stringify(err)}\n${(err as Error).stack}`;
        assert.match(outputs['keystore error'], /WALLET_KEY_INLINE|looks like key material/);
      }

      for (const [where, text] of Object.entries(outputs)) assertNoLeak(`${form} key, ${where}`, text, secret);
      console.log(`${form}: ${Object.keys(outputs).length} outputs searched (${Object.keys(outputs).join(', ')}); ${searched} (needle, output) pairs so far`);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
}
