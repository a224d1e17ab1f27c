/**
 * What market a file holds and whether it is spot or perpetual-futures data. Sources, first that
 * answers wins: the caller's options; a sidecar `<file>.meta.json` or `candles.meta.json` in the
 * file's folder ({ "kind": "spot" | "perp", "market": "SOLUSDT" }); the `| Venue |` row of the
 * folder's README.md (perpetual / perp / futures / USDⓈ-M → perp, else spot → spot). Otherwise the
 * kind is `unknown` and the market is the file name up to its first `_` or `.`.
 */
import { existsSync, readFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { SolrulesError } from '../../errors/index.ts';
import type { MarketKind } from './series.ts';

export interface FileMeta {
  market: string;
  kind: MarketKind;
  /** Where the kind came from. */
  kindSource: 'option' | 'sidecar' | 'readme' | 'none';
}

interface Sidecar {
  kind?: unknown;
  market?: unknown;
}

function readSidecar(path: string): Sidecar | undefined {
  if (!existsSync(path)) return undefined;
  let data: unknown;
  try {
    data = JSON.parse(readFileSync(path, 'utf8'));
  } catch (err) {
    throw new SolrulesError('CANDLES_BAD_SIDECAR', `${path}: not valid JSON (${(err as Error).message})`, { file: path, field: 'json', value: (err as Error).message });
  }
  const s = (data ?? {}) as Sidecar;
  if (s.kind !== undefined && s.kind !== 'spot' && s.kind !== 'perp') {
    throw new SolrulesError('CANDLES_BAD_SIDECAR', `${path}: kind must be "spot" or "perp"; found ${JSON.stringify(s.kind)}`, { file: path, field: 'kind', value: s.kind });
  }
  return s;
}

/** The market kind stated by a README's `| Venue |` table row, if any. */
export function kindFromReadme(text: string): MarketKind | undefined {
  const row = text.split('\n').find((l) => /^\|\s*venue\s*\|/i.test(l));
  if (!row) return undefined;
  const v = row.toLowerCase();
  if (/perpetual|\bperps?\b|futures|usdⓈ-m|usd-m|fapi\./i.test(v)) return 'perp';
  if (/\bspot\b/.test(v)) return 'spot';
  return undefined;
}

/** Market name and kind of one candle file. */
export function fileMeta(file: string, options: { kind?: MarketKind; market?: string } = {}): FileMeta {
  const dir = dirname(file);
  const sidecar = readSidecar(`${file}.meta.json`) ?? readSidecar(join(dir, 'candles.meta.json'));
  const market = options.market ?? (typeof sidecar?.market === 'string' ? sidecar.market : basename(file).split(/[_.]/)[0]!);
  if (options.kind) return { market, kind: options.kind, kindSource: 'option' };
  if (sidecar?.kind === 'spot' || sidecar?.kind === 'perp') return { market, kind: sidecar.kind, kindSource: 'sidecar' };
  const readme = join(dir, 'README.md');
  if (existsSync(readme)) {
    const kind = kindFromReadme(readFileSync(readme, 'utf8'));
    if (kind) return { market, kind, kindSource: 'readme' };
  }
  return { market, kind: 'unknown', kindSource: 'none' };
}
