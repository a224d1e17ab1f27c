/** Meteora DLMM `poolMints`, `vaults` and `reserves` on the fixture pairs (values from the README and _decoded-summary.json). */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { loadAccountDir, type AccountSnapshot } from '../../../engine/accounts/index.ts';
import { meteoraDlmm } from '../../../engine/venues/meteora-dlmm/index.ts';
import { isSolrulesError } from '../../../engine/errors/index.ts';
import { sharedFixture } from '../../support/paths.ts';

const ROOT = sharedFixture('accounts/meteora-dlmm');
const WSOL = 'So11111111111111111111111111111111111111112';
const PAIRS = [
  // pump token / WSOL (dlmm-sdk commons fixture)
  { dir: 'dlmm-sdk-commons-fixtures/EtAdVRLFH22rjWh3mcUasKFF27WtHhsaCvK27tPFFWig', address: 'EtAdVRLFH22rjWh3mcUasKFF27WtHhsaCvK27tPFFWig', mintX: 'Df6yfrKC8kZE3KNkrHERKzAetSxbrWeniQfyJY4Jpump', mintY: WSOL, reserveX: 'BmW4cCRpJwwL8maFB1AoAuEQf96t64Eq5gUvXikZardM', reserveY: 'FDZDrPtCjmSHeq14goCxp5pCJSRekSXY3XSgGz5Rvass', amountX: 4_362_066_806n, amountY: 1_820_186_920n },
  // Token-2022 X mint: its reserve is a 178-byte Token-2022 account
  { dir: 'dlmm-sdk-commons-fixtures/B5Eia4cE71tKuEDaqPHucJLG2fxySKyKzLMewd2nUvoc', address: 'B5Eia4cE71tKuEDaqPHucJLG2fxySKyKzLMewd2nUvoc', mintX: 'B4rGSdcBrmLEPUQXpZa91PMsRE3GqNcjLd6EMvM3yaj2', mintY: WSOL, reserveX: 'HmAJViUS3iMSzuedDs1z4QxAPitnK8oNC6dwAaNrRTBE', reserveY: '2LAbjR3C5pWMVKh7HUWyEZ6wwubHwHB6B91vu5jaB3mr', amountX: 999_994_987n, amountY: 999_999_984n },
  // JLP / hubSOL
  { dir: 'dlmm-sdk-artifacts/jlp-hubsol-6StaAqeVjKUPTgMLmcLmdpmUjoYHRcZ6uViLdWNdUghM', address: '6StaAqeVjKUPTgMLmcLmdpmUjoYHRcZ6uViLdWNdUghM', mintX: '27G8MtK7VtTcCHkpASjSDdkWWYfoqT6ggEuKidVJidD4', mintY: 'HUBsveNpjo5pWqNkH57QzxjQASdTVXcSK7bVKTSZtcSX', reserveX: 'GsFx4ZtbojMJgwfjkse8wu7e1P9KSPA1JaLXKrH8xHP6', reserveY: '9Xb8K1CKzwERAZL9ezVxpnYtgtpic6ag3fxfUwDqD5wR', amountX: 11_788_067_880n, amountY: 270_934_780_429n },
];

test('poolMints, vaults (reserve_x / reserve_y) and reserves of the fixture pairs', () => {
  for (const p of PAIRS) {
    const accounts = loadAccountDir(join(ROOT, p.dir));
    const pair = accounts.get(p.address)!;
    assert.deepEqual(meteoraDlmm.poolMints(pair), { mintA: p.mintX, mintB: p.mintY }, p.address);
    const state = meteoraDlmm.buildState(pair, accounts, { unixTimestamp: 1_700_000_000n });
    assert.deepEqual(meteoraDlmm.vaults(state), [p.reserveX, p.reserveY], p.address);
    assert.deepEqual(meteoraDlmm.reserves(state, accounts), { reserveA: p.amountX, reserveB: p.amountY }, p.address);
  }
});

test('poolMints refuses what is not an lb pair; reserves wait for both vaults and refuse one of another mint', () => {
  const p = PAIRS[0]!;
  const accounts = loadAccountDir(join(ROOT, p.dir));
  const pair = accounts.get(p.address)!;
  assert.throws(() => meteoraDlmm.poolMints({ ...pair, owner: WSOL }), (e) => isSolrulesError(e, 'DEX_ACCOUNT_WRONG_OWNER'));
  const binArray = [...accounts.values()].find((a) => a.data.length === 10136)!;
  assert.throws(() => meteoraDlmm.poolMints(binArray), (e) => isSolrulesError(e) && e.code.startsWith('DEX_'), 'a bin array of the same program');
  const state = meteoraDlmm.buildState(pair, accounts, { unixTimestamp: 1_700_000_000n });
  const without = new Map(accounts);
  without.delete(p.reserveX);
  assert.equal(meteoraDlmm.reserves(state, without), undefined);
  const swapped = new Map<string, AccountSnapshot>(accounts).set(p.reserveY, accounts.get(p.reserveX)!);
  assert.throws(() => meteoraDlmm.reserves(state, swapped), (e) => isSolrulesError(e, 'DEX_ACCOUNT_MISMATCH') && e.context.account === p.reserveY && e.context.expected === WSOL);
});
