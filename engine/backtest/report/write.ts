/** Writes the report files: `<dir>/report.json` and `<dir>/report.html`. */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { reportHtml } from './html.ts';
import { buildReportModel, reportJson, type ReportModel } from './report.ts';
import type { BacktestResult } from './types.ts';

export interface WrittenReport {
  model: ReportModel;
  jsonPath: string;
  htmlPath: string;
  htmlBytes: number;
}

/** Validates the result, computes the metrics and writes report.json and report.html into `dir`. */
export function writeReport(result: BacktestResult, dir: string, name = 'report'): WrittenReport {
  const model = buildReportModel(result);
  mkdirSync(dir, { recursive: true });
  const jsonPath = join(dir, `${name}.json`);
  const htmlPath = join(dir, `${name}.html`);
  writeFileSync(jsonPath, `${JSON.stringify(reportJson(model))}\n`);
  const html = reportHtml(model);
  writeFileSync(htmlPath, html);
  return { model, jsonPath, htmlPath, htmlBytes: Buffer.byteLength(html) };
}
