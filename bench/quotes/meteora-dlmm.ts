/**
 * Meteora DLMM on the real fixture pairs (JLP/hubSOL with four full bin arrays, EtAd pump/SOL at bin
 * step 250, B5Eia with a Token-2022 transfer fee): ours vs `@meteora-ag/dlmm` `swapQuote` /
 * `swapQuoteExactOut`, same process, same accounts, same clock.
 */
import { join } from 'node:path';
import { loadAccountDir, type AccountSnapshot } from '../../engine/accounts/index.ts';
import { meteoraDlmm, type MeteoraDlmmState } from '../../engine/venues/meteora-dlmm/index.ts';
import { sharedFixture } from '../../test/support/paths.ts';
import { sdkPair, sdkQuoteExactIn, sdkQuoteExactOut } from '../../test/venues/meteora-dlmm/sdk.ts';
import type { QuoteBench, QuoteBenchCase } from './_shape.ts';

const ROOT = sharedFixture('accounts/meteora-dlmm');
const WSOL = 'So11111111111111111111111111111111111111112';

function load(dir: string, pair: string) {
  const accounts = loadAccountDir(join(ROOT, dir));
  if (!accounts.has(WSOL)) accounts.set(WSOL, loadAccountDir(join(ROOT, 'dlmm-sdk-artifacts/FJbEo74c2W4QLBBVUfUvi8VBWXtMdJVPuFpq2f6UV1iB')).get(WSOL)!);
  const state = meteoraDlmm.buildState(accounts.get(pair)!, accounts);
  const bins = [...accounts.entries()].filter(([, a]) => a.data.length === 10136).map(([address, a]: [string, AccountSnapshot]) => ({ address, data: a.data }));
  const sdk = sdkPair(pair, accounts.get(pair)!.data, bins, accounts.get(state.lbPair.tokenXMint)!, accounts.get(state.lbPair.tokenYMint)!);
  return { state, sdk };
}

function cases(label: string, state: MeteoraDlmmState, sdk: ReturnType<typeof sdkPair>, now: number, list: [boolean, bigint, boolean][]): QuoteBenchCase[] {
  return list.map(([swapForY, amount, exactIn]) => {
    const mint = swapForY ? state.mintA : state.mintB;
    const quote = () => (exactIn ? meteoraDlmm.quoteExactIn(state, mint, amount, { unixTimestamp: now }) : meteoraDlmm.quoteExactOut(state, mint, amount, { unixTimestamp: now }));
    const bins = Math.abs(quote().endBinId - state.lbPair.activeId);
    return {
      name: `${label}: ${swapForY ? 'X→Y' : 'Y→X'} ${amount}, exact-${exactIn ? 'in' : 'out'}, crosses ${bins} bin${bins === 1 ? '' : 's'}`,
      targetMicros: 30,
      ours: quote,
      baseline: exactIn
        ? { name: '@meteora-ag/dlmm swapQuote', run: () => sdkQuoteExactIn(sdk, amount, swapForY, now) }
        : { name: '@meteora-ag/dlmm swapQuoteExactOut', run: () => sdkQuoteExactOut(sdk, amount, swapForY, now) },
    };
  });
}

export default function bench(): QuoteBench {
  const jlp = load('dlmm-sdk-artifacts/jlp-hubsol-6StaAqeVjKUPTgMLmcLmdpmUjoYHRcZ6uViLdWNdUghM', '6StaAqeVjKUPTgMLmcLmdpmUjoYHRcZ6uViLdWNdUghM');
  const et = load('dlmm-sdk-commons-fixtures/EtAdVRLFH22rjWh3mcUasKFF27WtHhsaCvK27tPFFWig', 'EtAdVRLFH22rjWh3mcUasKFF27WtHhsaCvK27tPFFWig');
  const b5 = load('dlmm-sdk-commons-fixtures/B5Eia4cE71tKuEDaqPHucJLG2fxySKyKzLMewd2nUvoc', 'B5Eia4cE71tKuEDaqPHucJLG2fxySKyKzLMewd2nUvoc');
  const jlpNow = Number(jlp.state.lbPair.vParameters.lastUpdateTimestamp) + 60;
  const etNow = Number(et.state.lbPair.vParameters.lastUpdateTimestamp) + 60;
  return {
    venue: 'meteora-dlmm',
    cases: [
      ...cases('JLP/hubSOL', jlp.state, jlp.sdk, jlpNow, [
        [true, 1_000_000n, true],
        [true, 2_000_000_000n, true],
        [true, 5_000_000_000n, true],
        [false, 5_000_000_000n, true],
        [false, 200_000_000_000n, true],
        [false, 200_000_000n, false],
      ]),
      ...cases('EtAd pump/SOL', et.state, et.sdk, etNow, [[false, 1_000_000_000n, true], [true, 100_000_000n, true]]),
      ...cases('B5Eia Token-2022/SOL', b5.state, b5.sdk, 1_700_000_000, [[true, 50_000_000n, true]]),
    ],
  };
}
