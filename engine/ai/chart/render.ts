/**
 * PNG rendering of a chart: our SVG rasterized by resvg (@resvg/resvg-js, a Rust renderer whose
 * native binary ships inside its npm package) with the DejaVu Sans TTFs from the
 * `dejavu-fonts-ttf` npm package. System fonts are never loaded, so the same input gives the
 * same bytes on every machine (the analysis cache and the replay log are keyed by those bytes).
 */
import { createHash } from 'node:crypto';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import type { Resvg as ResvgClass } from '@resvg/resvg-js';
import type { ChartInput } from '../types.ts';
import { chartSvg, type ChartSize } from './svg.ts';

/**
 * 1024×768: OpenAI's high-detail mode scales images so the short side is at most 768 px, so at
 * this size nothing is resampled and 11 px labels stay legible; it is 4 tiles of 512 px (about
 * 765 input tokens), and below the ~1.15 MP where other vision models start downscaling.
 */
export const DEFAULT_CHART_SIZE: ChartSize = { width: 1024, height: 768 };

export interface RenderedChart {
  png: Buffer;
  svg: string;
  /** sha256 of the PNG bytes, hex: the chart's content identity. */
  sha256: string;
  width: number;
  height: number;
}

const require = createRequire(import.meta.url);
const fontDir = join(dirname(require.resolve('dejavu-fonts-ttf/package.json')), 'ttf');
const FONT_FILES = [join(fontDir, 'DejaVuSans.ttf'), join(fontDir, 'DejaVuSans-Bold.ttf')];

/** Renders the chart to PNG (deterministic: same input, same bytes). */
export function renderChart(input: ChartInput, size: ChartSize = DEFAULT_CHART_SIZE): RenderedChart {
  const svg = chartSvg(input, size);
  // The native renderer (and its two runtime threads) loads on the first chart, not with every run that imports engine/ai.
  const { Resvg } = require('@resvg/resvg-js') as { Resvg: typeof ResvgClass };
  const resvg = new Resvg(svg, {
    background: '#ffffff',
    fitTo: { mode: 'original' },
    font: { loadSystemFonts: false, fontFiles: FONT_FILES, defaultFontFamily: 'DejaVu Sans' },
    shapeRendering: 2,
    textRendering: 1,
  });
  const png = resvg.render().asPng();
  return { png, svg, sha256: createHash('sha256').update(png).digest('hex'), width: size.width, height: size.height };
}
