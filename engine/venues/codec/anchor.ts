/**
 * Anchor discriminators: the first 8 bytes of sha256("<namespace>:<name>") — `account:<Name>`
 * prefixes an account's data, `global:<name>` an instruction's.
 */
import { createHash } from 'node:crypto';
import { AccountReader } from './reader.ts';
import { dexError } from './errors.ts';

/** The 8-byte Anchor discriminator of `name` in `namespace` (the one definition; the two below name its uses). */
export function anchorSighash(namespace: 'account' | 'global', name: string): Buffer {
  return createHash('sha256').update(`${namespace}:${name}`).digest().subarray(0, 8);
}

/** Discriminator of the Anchor account type `name`. */
export function anchorDiscriminator(name: string): Uint8Array {
  return new Uint8Array(anchorSighash('account', name));
}

/** Discriminator of the Anchor instruction `name` (snake_case, as in the program's IDL). */
export function instructionDiscriminator(name: string): Buffer {
  return anchorSighash('global', name);
}

/** True when `data` starts with `discriminator`. */
export function hasDiscriminator(data: Uint8Array, discriminator: Uint8Array): boolean {
  if (data.length < 8) return false;
  for (let i = 0; i < 8; i++) if (data[i] !== discriminator[i]) return false;
  return true;
}

/**
 * A reader over an Anchor account of type `layout`: the discriminator checked, then at least
 * `length` bytes (`field` names what needs them, for the error).
 */
export function anchorReader(data: Uint8Array, account: string, layout: string, discriminator: Uint8Array, length: number, field = '<layout>'): AccountReader {
  const r = new AccountReader(data, account, layout);
  requireDiscriminator(r, discriminator);
  r.requireLength(length, field);
  return r;
}

/** Fails with `DEX_ACCOUNT_BAD_DISCRIMINATOR` unless the account starts with `discriminator`. */
export function requireDiscriminator(reader: AccountReader, discriminator: Uint8Array): void {
  reader.requireLength(8, 'discriminator');
  if (!hasDiscriminator(reader.data, discriminator)) {
    const found = Buffer.from(reader.data.subarray(0, 8)).toString('hex');
    throw dexError(
      'DEX_ACCOUNT_BAD_DISCRIMINATOR',
      `account ${reader.account}: discriminator ${found} is not a ${reader.layout}`,
      { account: reader.account, layout: reader.layout, field: 'discriminator', offset: 0, value: found, expected: Buffer.from(discriminator).toString('hex') },
    );
  }
}
