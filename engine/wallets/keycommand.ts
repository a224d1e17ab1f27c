/**
 * Keys from a command: runs the configured argv (no shell, so nothing is interpolated) and reads
 * the key from its standard output, so `vault kv get`, `aws secretsmanager get-secret-value`,
 * `pass` or `op read` work without linking their SDKs. Standard output is never echoed: a
 * failure names the program, its exit code or signal and a redacted line of its standard error.
 */
import { spawnSync } from 'node:child_process';
import type { Keypair } from '@solana/web3.js';
import { SolrulesError } from '../errors/index.ts';
import { keypairFromText } from './keystore.ts';

export const DEFAULT_KEY_COMMAND_TIMEOUT_MS = 10_000;
/** Far above any key form; a command printing more is printing something else. */
const MAX_OUTPUT_BYTES = 64 * 1024;

/** Long base58/base64/hex runs and byte lists: what a key would look like in a stderr line. */
const KEYLIKE = /[1-9A-HJ-NP-Za-km-z]{40,}|[A-Za-z0-9+/=_-]{40,}|\d{1,3}(\s*,\s*\d{1,3}){15,}/g;

/** The first non-empty stderr line, cut to 200 characters, with anything key-like replaced. */
export function summariseStderr(stderr: string): string {
  const line = stderr.split('\n').map((l) => l.trim()).find((l) => l !== '') ?? '';
  // Redact before cutting, so a key split by the cut cannot leave a long piece behind.
  const redacted = line.replace(KEYLIKE, '<redacted>');
  return redacted.length > 200 ? `${redacted.slice(0, 200)}…` : redacted;
}

/** Runs `argv` and decodes its standard output as a keypair; typed errors never carry the output. */
export function loadKeypairCommand(argv: readonly string[], opts: { wallet?: string; timeoutMs?: number; env?: NodeJS.ProcessEnv } = {}): Keypair {
  const program = argv[0];
  const where = { ...(opts.wallet ? { wallet: opts.wallet } : {}), command: program ?? '' };
  const who = opts.wallet ? `wallet '${opts.wallet}': ` : '';
  if (!program) throw new SolrulesError('WALLET_KEY_COMMAND_EMPTY', `${who}keyCommand is empty; give the program and its arguments as a list`, where);
  const timeoutMs = opts.timeoutMs ?? DEFAULT_KEY_COMMAND_TIMEOUT_MS;
  const res = spawnSync(program, argv.slice(1), {
    shell: false,
    timeout: timeoutMs,
    killSignal: 'SIGKILL',
    maxBuffer: MAX_OUTPUT_BYTES,
    stdio: ['ignore', 'pipe', 'pipe'],
    env: opts.env ?? process.env,
    windowsHide: true,
  });
  const stdout = res.stdout as Buffer | null;
  try {
    const err = res.error as NodeJS.ErrnoException | undefined;
    const stderr = summariseStderr(res.stderr ? res.stderr.toString('utf8') : '');
    if (err?.code === 'ETIMEDOUT') {
      throw new SolrulesError('WALLET_KEY_COMMAND_TIMEOUT', `${who}keyCommand '${program}' did not finish within ${timeoutMs} ms; it was killed`, { ...where, timeoutMs });
    }
    if (err?.code === 'ENOENT') throw new SolrulesError('WALLET_KEY_COMMAND_NOT_FOUND', `${who}keyCommand program '${program}' was not found (not on PATH or no such file)`, where);
    if (err?.code === 'ENOBUFS') throw new SolrulesError('WALLET_KEY_COMMAND_GARBAGE', `${who}keyCommand '${program}' printed more than ${MAX_OUTPUT_BYTES} bytes; a key is a JSON array of 64 bytes or 64 bytes in base58`, where);
    if (err) throw new SolrulesError('WALLET_KEY_COMMAND_FAILED', `${who}keyCommand '${program}' could not run (${err.code ?? 'error'})`, { ...where, cause: err.code });
    if (res.status !== 0) {
      const how = res.status === null ? `was killed by ${res.signal}` : `exited with code ${res.status}`;
      throw new SolrulesError('WALLET_KEY_COMMAND_FAILED', `${who}keyCommand '${program}' ${how}${stderr ? `; stderr: ${stderr}` : ' (no stderr)'}`, {
        ...where,
        ...(res.status === null ? { signal: res.signal } : { exitCode: res.status }),
        stderr,
      });
    }
    const text = stdout ? stdout.toString('utf8') : '';
    if (text.trim() === '') throw new SolrulesError('WALLET_KEY_COMMAND_GARBAGE', `${who}keyCommand '${program}' printed nothing on standard output; expected a JSON array of 64 bytes or 64 bytes in base58`, where);
    try {
      return keypairFromText(text, where);
    } catch (e) {
      // Re-coded so callers can tell "the command printed something that is not a key" apart.
      const code = (e as SolrulesError).code;
      throw new SolrulesError(
        'WALLET_KEY_COMMAND_GARBAGE',
        `${who}keyCommand '${program}' printed something that is not a key (${code}); accepted: a JSON array of 64 integers 0..255 (solana-keygen format) or base58 of the 64 key bytes, with surrounding whitespace allowed`,
        { ...where, problem: code },
      );
    }
  } finally {
    stdout?.fill(0);
  }
}

