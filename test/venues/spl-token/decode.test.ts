/**
 * SPL Token / Token-2022 decoders against the fixture READMEs and `_decoded-summary.json` files,
 * and field by field against the official `@solana/spl-token` decoders (unpackAccount, unpackMint,
 * getTransferFeeConfig, getTransferFeeAmount) on every token account and mint in the fixtures.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { PublicKey } from '@solana/web3.js';
import { getExtensionTypes, getTransferFeeAmount, getTransferFeeConfig, unpackAccount, unpackMint } from '@solana/spl-token';
import { loadAccountDir, loadAccountFile, type AccountSnapshot } from '../../../engine/accounts/index.ts';
import { TOKEN_2022_PROGRAM_ID, TOKEN_PROGRAM_ID, decodeMint, decodeTokenAccount } from '../../../engine/venues/spl-token/index.ts';
import { isSolrulesError, type ErrorCode } from '../../../engine/errors/index.ts';
import { sharedFixture } from '../../support/paths.ts';

const SPL = sharedFixture('accounts/spl-token');
const ESSENTIALS = sharedFixture('accounts/orca-whirlpool/whirlpool-essentials');

function file(dir: string, name: string): AccountSnapshot {
  return loadAccountFile(`${dir}/${name}`);
}

test('README (spl-token): asserted token accounts and mints', () => {
  const orca = decodeTokenAccount(file(SPL, 'user_ata_orca.7B8yNHX62NLvRswD86ttbGcV5TYxUsDNxEg2ZRMZLPRt.json'));
  assert.equal(orca.amount, 58875n);
  assert.equal(orca.mint, 'orcaEKTdK7LKz57vaAYr9QeNsVEPfiu6QeMU1kektZE');
  assert.equal(orca.owner, 'r21Gamwd9DtyjHeGywsneoQYR39C1VDwrw7tWxHAwh6');
  assert.equal(orca.delegate, null);
  assert.equal(orca.isNative, null);

  const pyusdAta = file(SPL, 'user_ata_2022_pyusd.2A7Cc48jwWWoixM5CWquQKEqk9KNQvY2Xw3WJbBRc6Ei.json');
  const ata = decodeTokenAccount(pyusdAta);
  assert.equal(ata.program, 'token-2022');
  assert.equal(pyusdAta.data.length, 187);
  assert.equal(ata.amount, 849007n);
  assert.equal(pyusdAta.data.length - 166, 21, '21 bytes of TLV');
  assert.deepEqual([...pyusdAta.data.subarray(166, 174)], [0x07, 0, 0, 0, 0x02, 0, 0x08, 0]);
  assert.deepEqual(ata.extensions.map((e) => [e.name, e.length]), [['ImmutableOwner', 0], ['TransferFeeAmount', 8], ['TransferHookAccount', 1]]);
  assert.equal(ata.withheldAmount, 0n);

  const pyusd = file(SPL, 'token_2022_pyusd.2b1kV6DkPAnxd5ixfnxCpjxmKwqjjaYmCZfHsFu24GXo.json');
  const mint = decodeMint(pyusd);
  assert.equal(mint.supply, 177784511063664n);
  assert.equal(mint.decimals, 6);
  assert.equal(mint.freezeAuthority, '2apBGMsS6ti9RyF5TwQTDswXBWskiJP2LD4cUEDqYJjk');
  assert.equal(pyusd.data.length - 166, 700, '700 bytes of TLV');
  assert.deepEqual([...pyusd.data.subarray(166, 170)], [0x03, 0, 0x20, 0]);
  assert.equal(mint.extensions[0]!.name, 'MintCloseAuthority');
  assert.ok(mint.transferFeeConfig, 'PYUSD carries a (zero) transfer fee');
  assert.equal(mint.transferFeeConfig.newer.basisPoints, 0);

  assert.equal(decodeTokenAccount(file(SPL, 'user_ata_usdc.FbQdXCQgGQYj3xcGeryVVFjKCTsAuu53vmCRtmjQEqM5.json')).amount, 16552564n);
  const solVaultFile = file(SPL, 'sol_usdc_wp_vault_a.3YQm7ujtXWJU2e9jhp2QGHpnn1ShXn12QjvzMvDgabpX.json');
  const solVault = decodeTokenAccount(solVaultFile);
  assert.equal(solVault.amount, 101826710217770n);
  assert.equal(solVault.isNative, 2039280n, 'wrapped SOL: the rent-exempt reserve');
  assert.equal(solVaultFile.lamports, solVault.amount + 2039280n);
  const usdc = decodeMint(file(SPL, 'token_usdc.EPjFWdd5AufqSSqeM2qN1xzybapC8G4wEGGkZwyTDt1v.json'));
  assert.deepEqual([usdc.supply, usdc.decimals], [5034999431478671n, 6]);
  const native = decodeMint(file(SPL, 'token_native.So11111111111111111111111111111111111111112.json'));
  assert.deepEqual([native.supply, native.decimals], [0n, 9]);
  const orcaMint = decodeMint(file(ESSENTIALS, 'token_orca.orcaEKTdK7LKz57vaAYr9QeNsVEPfiu6QeMU1kektZE.json'));
  assert.deepEqual([orcaMint.supply, orcaMint.decimals], [99999990272788n, 6]);
});

test('whirlpool-essentials _decoded-summary.json: every token account and mint', () => {
  const summary = JSON.parse(readFileSync(`${ESSENTIALS}/_decoded-summary.json`, 'utf8')) as Record<string, Record<string, unknown>>;
  let accounts = 0;
  let mints = 0;
  for (const [name, s] of Object.entries(summary)) {
    const programs = [TOKEN_PROGRAM_ID, TOKEN_2022_PROGRAM_ID];
    if (!programs.includes(s.owner_program as string)) continue;
    const snap = file(ESSENTIALS, name);
    assert.equal(snap.data.length, s.len, name);
    assert.equal(snap.owner, s.owner_program, name);
    if ('amount' in s) {
      const a = decodeTokenAccount(snap);
      assert.equal(a.mint, s.mint, name);
      assert.equal(a.owner, s.owner, name);
      assert.equal(a.amount, BigInt(s.amount as number), name);
      assert.equal(a.state, s.state === 1 ? 'initialized' : String(s.state), name);
      accounts += 1;
    } else if ('supply' in s) {
      const m = decodeMint(snap);
      // SAMO's supply (5.7e18) is past 2^53: the summary's JSON number is rounded, so compare as the float it holds
      assert.equal(Number(m.supply), s.supply as number, name);
      assert.equal(m.decimals, s.decimals, name);
      mints += 1;
    }
  }
  assert.equal(accounts, 12);
  assert.equal(mints, 6);
});

function web3Info(a: AccountSnapshot) {
  return { data: Buffer.from(a.data), owner: new PublicKey(a.owner), lamports: Number(a.lamports ?? 0n), executable: false, rentEpoch: 0 };
}

test('every token account and mint in the fixtures equals @solana/spl-token, extensions included', () => {
  const all = [
    ...loadAccountDir(ESSENTIALS).values(),
    ...loadAccountDir(sharedFixture('accounts/raydium-amm-v4')).values(),
    ...loadAccountDir(sharedFixture('accounts/meteora-dlmm')).values(),
  ].filter((a) => a.owner === TOKEN_PROGRAM_ID || a.owner === TOKEN_2022_PROGRAM_ID);
  let accounts = 0;
  let mints = 0;
  for (const snap of all) {
    const address = new PublicKey(snap.address!);
    const programId = new PublicKey(snap.owner);
    const isMint = snap.data.length === 82 || (snap.data.length > 165 && snap.data[165] === 1);
    if (isMint) {
      const ours = decodeMint(snap);
      const theirs = unpackMint(address, web3Info(snap), programId);
      assert.equal(ours.supply, theirs.supply);
      assert.equal(ours.decimals, theirs.decimals);
      assert.equal(ours.isInitialized, theirs.isInitialized);
      assert.equal(ours.mintAuthority, theirs.mintAuthority?.toBase58() ?? null);
      assert.equal(ours.freezeAuthority, theirs.freezeAuthority?.toBase58() ?? null);
      assert.deepEqual(ours.extensions.map((e) => e.type), getExtensionTypes(theirs.tlvData));
      const fee = getTransferFeeConfig(theirs);
      if (fee) {
        const c = ours.transferFeeConfig!;
        assert.deepEqual(
          [c.withheldAmount, c.older.epoch, c.older.maximumFee, c.older.basisPoints, c.newer.epoch, c.newer.maximumFee, c.newer.basisPoints],
          [fee.withheldAmount, fee.olderTransferFee.epoch, fee.olderTransferFee.maximumFee, fee.olderTransferFee.transferFeeBasisPoints, fee.newerTransferFee.epoch, fee.newerTransferFee.maximumFee, fee.newerTransferFee.transferFeeBasisPoints],
        );
      } else assert.equal(ours.transferFeeConfig, null);
      mints += 1;
    } else {
      const ours = decodeTokenAccount(snap);
      const theirs = unpackAccount(address, web3Info(snap), programId);
      assert.equal(ours.mint, theirs.mint.toBase58());
      assert.equal(ours.owner, theirs.owner.toBase58());
      assert.equal(ours.amount, theirs.amount);
      assert.equal(ours.delegate, theirs.delegate?.toBase58() ?? null);
      assert.equal(ours.delegatedAmount, theirs.delegatedAmount);
      assert.equal(ours.isNative, theirs.rentExemptReserve);
      assert.equal(ours.state === 'frozen', theirs.isFrozen);
      assert.equal(ours.closeAuthority, theirs.closeAuthority?.toBase58() ?? null);
      assert.deepEqual(ours.extensions.map((e) => e.type), getExtensionTypes(theirs.tlvData));
      assert.equal(ours.withheldAmount, getTransferFeeAmount(theirs)?.withheldAmount ?? null);
      accounts += 1;
    }
  }
  assert.ok(accounts >= 15, `${accounts} token accounts`);
  assert.ok(mints >= 8, `${mints} mints`);
});

test('malformed token data raises DEX_ errors naming account and field', () => {
  const usdcAta = file(SPL, 'user_ata_usdc.FbQdXCQgGQYj3xcGeryVVFjKCTsAuu53vmCRtmjQEqM5.json');
  const expect = (fn: () => unknown, code: ErrorCode, field: string) =>
    assert.throws(fn, (e) => {
      assert.ok(isSolrulesError(e, code), String(e));
      assert.equal(e.context.field, field);
      assert.ok(typeof e.context.account === 'string');
      return true;
    });
  expect(() => decodeTokenAccount({ ...usdcAta, owner: '11111111111111111111111111111111' }), 'DEX_ACCOUNT_WRONG_OWNER', 'owner');
  expect(() => decodeTokenAccount({ ...usdcAta, data: usdcAta.data.subarray(0, 100) }), 'DEX_ACCOUNT_BAD_VALUE', '<length>');
  expect(() => decodeTokenAccount({ ...usdcAta, owner: TOKEN_2022_PROGRAM_ID, data: usdcAta.data.subarray(0, 100) }), 'DEX_ACCOUNT_TOO_SHORT', 'closeAuthority');
  const badState = new Uint8Array(usdcAta.data);
  badState[108] = 3;
  expect(() => decodeTokenAccount({ ...usdcAta, data: badState }), 'DEX_ACCOUNT_BAD_VALUE', 'state');
  const badTag = new Uint8Array(usdcAta.data);
  badTag[72] = 2;
  expect(() => decodeTokenAccount({ ...usdcAta, data: badTag }), 'DEX_ACCOUNT_BAD_VALUE', 'delegate.tag');
  const pyusd = file(SPL, 'token_2022_pyusd.2b1kV6DkPAnxd5ixfnxCpjxmKwqjjaYmCZfHsFu24GXo.json');
  const longTlv = new Uint8Array(pyusd.data);
  new DataView(longTlv.buffer).setUint16(168, 5000, true);
  expect(() => decodeMint({ ...pyusd, data: longTlv }), 'DEX_ACCOUNT_BAD_VALUE', 'extension[3].length');
  const wrongType = new Uint8Array(pyusd.data);
  wrongType[165] = 2;
  expect(() => decodeMint({ ...pyusd, data: wrongType }), 'DEX_ACCOUNT_BAD_VALUE', 'accountType');
  const padding = new Uint8Array(pyusd.data);
  padding[100] = 1;
  expect(() => decodeMint({ ...pyusd, data: padding }), 'DEX_ACCOUNT_BAD_VALUE', 'padding');
  expect(() => decodeMint({ ...pyusd, data: new Uint8Array(355) }), 'DEX_ACCOUNT_BAD_VALUE', '<length>');
});
