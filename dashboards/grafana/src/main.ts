// Writes the dashboards as JSON files into the directory given as the first argument (Grafana's
// file provisioning reads them from there). `npm run build` writes ../dashboards.
import * as fs from 'fs';
import * as path from 'path';
import { toJson } from './lib';
import { pipelineHealth } from './pipelineHealth';
import { priceFeeds } from './priceFeeds';
import { riskOverview } from './riskOverview';

const DASHBOARDS = {
  'risk-overview.json': riskOverview,
  'price-feeds.json': priceFeeds,
  'pipeline-health.json': pipelineHealth,
};

function main(argv: string[]): void {
  const out = argv[2];
  if (out === undefined) {
    console.error('usage: node build/main.js OUTPUT_DIR');
    process.exit(2);
  }
  fs.mkdirSync(out, { recursive: true });
  for (const [file, build] of Object.entries(DASHBOARDS)) {
    const target = path.join(out, file);
    fs.writeFileSync(target, toJson(build()));
    console.log(`wrote ${target}`);
  }
}

main(process.argv);
