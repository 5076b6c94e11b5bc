// `npm run bench [name…]` — runs every bench/*.bench.ts (or those named) and writes bench/results.json.
// Each benchmark module exports `name` and `run()`, which measures the platform against a reference measured in
// the same run and returns its rows; a row's ratio is value / reference (lower is better for times).
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

export interface BenchRow {
  name: string;
  value: number;
  unit: string;
  reference?: number;
  ratio?: number;
  target?: string;
  /** Whether the row meets its target, when it has one. */
  ok?: boolean;
  [extra: string]: unknown;
}

export interface BenchModule {
  name: string;
  run(): Promise<BenchRow[]>;
}

const dir = path.dirname(fileURLToPath(import.meta.url));
const only = process.argv.slice(2);
const files = fs
  .readdirSync(dir)
  .filter((f) => f.endsWith('.bench.ts'))
  .sort();
const resultsFile = path.join(dir, 'results.json');
const previous = fs.existsSync(resultsFile)
  ? (JSON.parse(fs.readFileSync(resultsFile, 'utf8')) as { benchmarks?: Record<string, BenchRow[]> })
  : {};
const benchmarks: Record<string, BenchRow[]> = only.length ? { ...(previous.benchmarks ?? {}) } : {};

for (const file of files) {
  const mod = (await import(pathToFileURL(path.join(dir, file)).href)) as BenchModule;
  if (only.length && !only.includes(mod.name)) continue;
  console.log(`▶ ${mod.name}`);
  const rows = await mod.run();
  for (const row of rows) {
    const ratio = row.ratio !== undefined ? ` (×${row.ratio.toFixed(2)} of reference)` : '';
    const ok = row.ok === undefined ? '' : row.ok ? ' ✓' : ' ✗ target ' + (row.target ?? '');
    console.log(`  ${row.name}: ${row.value} ${row.unit}${ratio}${ok}`);
  }
  benchmarks[mod.name] = rows;
}
if (!files.length) console.log('no benchmarks yet');
fs.writeFileSync(
  resultsFile,
  JSON.stringify({ node: process.version, date: new Date().toISOString(), benchmarks }, null, 2) + '\n',
);
console.log(`→ ${path.relative(process.cwd(), resultsFile)}`);
