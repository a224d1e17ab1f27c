/** Reader for the Tulip Indicators test-vector files (../shared/fixtures/indicators/tulip/). */
import { readFileSync } from 'node:fs';
import { sharedFixture } from '../support/paths.ts';

export const TULIP_DIR = `${sharedFixture('indicators', 'tulip')}/`;

export interface TulipCase {
  file: string;
  /** 1-based line of the `name options` header. */
  line: number;
  name: string;
  options: number[];
  /** Input arrays then output arrays, in file order (which are which depends on the indicator). */
  arrays: number[][];
  /** Decimals printed for each value of each array (the vectors' own precision). */
  decimals: number[][];
}

/** Every test block of one file; commented-out blocks (`#name …`) are skipped. */
export function readTulip(file: 'atoz.txt' | 'untest.txt' | 'extra.txt'): TulipCase[] {
  const lines = readFileSync(`${TULIP_DIR}${file}`, 'utf8').split('\n');
  const out: TulipCase[] = [];
  let cur: TulipCase | undefined;
  lines.forEach((raw, i) => {
    const l = raw.trim();
    if (l === '' || l.startsWith('#')) return;
    if (l.startsWith('{')) {
      if (!cur) return;
      const cells = l.replace(/[{}]/g, '').split(',').map((s) => s.trim()).filter((s) => s !== '');
      cur.arrays.push(cells.map(Number));
      cur.decimals.push(cells.map((s) => (s.includes('.') ? s.split('.')[1]!.length : 0)));
      return;
    }
    const [name, ...opts] = l.split(/\s+/);
    cur = { file, line: i + 1, name: name!, options: opts.map(Number), arrays: [], decimals: [] };
    out.push(cur);
  });
  return out;
}
