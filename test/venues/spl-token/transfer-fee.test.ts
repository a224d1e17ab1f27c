/**
 * Token-2022 transfer-fee math against @solana/spl-token (calculateFee, calculateEpochFee) and
 * @orca-so/whirlpools-core (tryApplyTransferFee, tryReverseApplyTransferFee); epoch selection;
 * mints no swap can move. Default 20 000 random fees × amounts; SOLRULES_FULL=1: 200 000.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { calculateEpochFee, calculateFee } from '@solana/spl-token';
import * as core from '@orca-so/whirlpools-core';
import {
  TOKEN_2022_PROGRAM_ID,
  calculateInverseTransferFee,
  calculatePreFeeAmount,
  calculateTransferFee,
  decodeMint,
  effectiveTransferFee,
  epochTransferFee,
  requireTransferable,
  type TransferFee,
} from '../../../engine/venues/spl-token/index.ts';
import { isSolrulesError } from '../../../engine/errors/index.ts';
import { caseCount, rng, seedFor } from '../support/random.ts';
import { Writer } from '../support/writer.ts';

const U64_MAX = (1n << 64n) - 1n;

test('fee, pre-fee amount and inverse fee equal spl-token and whirlpools-core on random fees and amounts', () => {
  const seed = seedFor(0x7fee);
  const r = rng(seed);
  const n = caseCount(20_000, 200_000);
  for (let i = 0; i < n; i++) {
    const fee: TransferFee = {
      epoch: 0n,
      basisPoints: r.bool(0.5) ? r.pick([0, 1, 10, 100, 5000, 9999, 10000]) : r.int(0, 10000),
      maximumFee: r.bool(0.2) ? U64_MAX : r.logBig(64),
    };
    const amount = r.bool(0.02) ? 0n : r.logBig(64);
    const splFee = calculateFee({ epoch: 0n, maximumFee: fee.maximumFee, transferFeeBasisPoints: fee.basisPoints }, amount);
    assert.equal(calculateTransferFee(fee, amount), splFee, `seed ${seed} case ${i}`);
    const coreFee = { feeBps: fee.basisPoints, maxFee: fee.maximumFee };
    assert.equal(amount - calculateTransferFee(fee, amount), core.tryApplyTransferFee(amount, coreFee), `post-fee, seed ${seed} case ${i}`);
    let corePre: bigint | null;
    try {
      corePre = core.tryReverseApplyTransferFee(amount, coreFee);
    } catch {
      corePre = null;
    }
    assert.equal(calculatePreFeeAmount(fee, amount), corePre, `pre-fee, seed ${seed} case ${i}`);
    const inverse = calculateInverseTransferFee(fee, amount);
    if (inverse !== null) assert.equal(inverse, calculateTransferFee(fee, calculatePreFeeAmount(fee, amount)!));
  }
});

test('the newer fee applies from its epoch on (spl-token calculateEpochFee)', () => {
  const config = {
    configAuthority: null,
    withdrawWithheldAuthority: null,
    withheldAmount: 0n,
    older: { epoch: 0n, maximumFee: 1000n, basisPoints: 10 },
    newer: { epoch: 600n, maximumFee: 10n, basisPoints: 500 },
  };
  const spl = {
    transferFeeConfigAuthority: null as never,
    withdrawWithheldAuthority: null as never,
    withheldAmount: 0n,
    olderTransferFee: { epoch: 0n, maximumFee: 1000n, transferFeeBasisPoints: 10 },
    newerTransferFee: { epoch: 600n, maximumFee: 10n, transferFeeBasisPoints: 500 },
  };
  for (const epoch of [0n, 599n, 600n, 601n]) {
    assert.equal(calculateTransferFee(epochTransferFee(config, epoch), 100_000n), calculateEpochFee(spl, epoch, 100_000n), `epoch ${epoch}`);
  }
  assert.equal(epochTransferFee(config, 599n), config.older);
  assert.equal(epochTransferFee(config, 600n), config.newer);
});

function mint2022(extensions: [number, Uint8Array][]): ReturnType<typeof decodeMint> {
  const len = 166 + extensions.reduce((s, [, v]) => s + 4 + v.length, 0);
  const w = new Writer(len).u64(36, 1000n).u8(44, 6).u8(45, 1).u8(165, 1);
  let o = 166;
  for (const [type, value] of extensions) {
    w.u16(o, type).u16(o + 2, value.length).bytes(o + 4, value);
    o += 4 + value.length;
  }
  return decodeMint({ address: 'susdabGDNbhrnCa6ncrYo81u4s9GM8ecK2UwMyZiq4X', owner: TOKEN_2022_PROGRAM_ID, data: w.data, lamports: 1n, executable: false, rentEpoch: 0n });
}

function feeConfig(older: [bigint, number, bigint], newer: [bigint, number, bigint]): Uint8Array {
  const w = new Writer(108);
  w.u64(72, older[0]).u64(80, older[2]).u16(88, older[1]);
  w.u64(90, newer[0]).u64(98, newer[2]).u16(106, newer[1]);
  return w.data;
}

test('effective fee: known epoch picks the schedule; an unknown epoch is refused only when it matters', () => {
  const changing = mint2022([[1, feeConfig([0n, 10, 100n], [700n, 50, 100n])]]);
  assert.equal(effectiveTransferFee(changing, 699n)!.fee.basisPoints, 10);
  assert.equal(effectiveTransferFee(changing, 700n)!.fee.basisPoints, 50);
  assert.throws(() => effectiveTransferFee(changing, undefined), (e) => isSolrulesError(e, 'DEX_TRANSFER_FEE_EPOCH_REQUIRED') && e.context.account === changing.address);
  const steady = mint2022([[1, feeConfig([0n, 30, 100n], [700n, 30, 100n])]]);
  assert.equal(effectiveTransferFee(steady, undefined)!.fee.basisPoints, 30);
  const zero = mint2022([[1, feeConfig([0n, 0, 0n], [0n, 0, 0n])]]);
  assert.equal(effectiveTransferFee(zero, undefined), null);
  assert.equal(effectiveTransferFee(mint2022([]), undefined), null);
});

test('NonTransferable and paused Pausable mints are refused; an unpaused one is fine', () => {
  assert.throws(() => requireTransferable(mint2022([[9, new Uint8Array(0)]])), (e) => isSolrulesError(e, 'DEX_TOKEN_NOT_TRANSFERABLE') && e.context.field === 'NonTransferable');
  const paused = new Uint8Array(33);
  paused[32] = 1;
  assert.throws(() => requireTransferable(mint2022([[26, paused]])), (e) => isSolrulesError(e, 'DEX_TOKEN_NOT_TRANSFERABLE') && e.context.field === 'Pausable.paused');
  requireTransferable(mint2022([[26, new Uint8Array(33)]]));
});
