/** Writes the dashboards to deploy/grafana/dashboards/ (`npm run dashboards`). */
import { mkdirSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { join } from 'node:path';
import { renderDashboards } from './dashboards.ts';

const dir = fileURLToPath(new URL('./dashboards/', import.meta.url));
mkdirSync(dir, { recursive: true });
for (const [file, text] of Object.entries(renderDashboards())) {
  writeFileSync(join(dir, file), text);
  console.log(`wrote deploy/grafana/dashboards/${file}`);
}
