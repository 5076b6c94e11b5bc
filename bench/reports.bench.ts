// The annual report for 1 000 agencies × 100 indicators with charts: time and peak memory of the platform's
// workbook builder against bare exceljs streaming the same cells, each measured in a child process of its own
// (clean peak RSS), in the same run. Targets: within 2× the reference's time and under 300 MB. Both children
// build the same synthetic data first (bench/report-data.ts), so the peak RSS of each includes it.
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { BenchRow } from './run.js';

export const name = 'reports';

const CHILD = fileURLToPath(new URL('./reports-child.ts', import.meta.url));
const AGENCIES = 1000;
const INDICATORS = 100;
const ROUNDS = 3;

interface Sample {
  ms: number;
  cpuMs: number;
  peakMB: number;
  bytes: number;
}

function measure(mode: 'project' | 'reference'): Sample {
  const out = execFileSync(process.execPath, ['--import', 'tsx', CHILD, mode, String(AGENCIES), String(INDICATORS)], {
    encoding: 'utf8',
    maxBuffer: 1 << 20,
  });
  return JSON.parse(out.trim().split('\n').at(-1)!) as Sample;
}

const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

export async function run(): Promise<BenchRow[]> {
  const project: Sample[] = [];
  const reference: Sample[] = [];
  // Interleaved, so a busy machine slows both alike.
  for (let i = 0; i < ROUNDS; i += 1) {
    reference.push(measure('reference'));
    project.push(measure('project'));
  }
  const pTime = Math.round(median(project.map((s) => s.ms)));
  const rTime = Math.round(median(reference.map((s) => s.ms)));
  const pCpu = Math.round(median(project.map((s) => s.cpuMs)));
  const rCpu = Math.round(median(reference.map((s) => s.cpuMs)));
  const pMem = Math.round(Math.max(...project.map((s) => s.peakMB)));
  const rMem = Math.round(Math.max(...reference.map((s) => s.peakMB)));
  const scale = `${AGENCIES} đơn vị × ${INDICATORS} chỉ số`;
  return [
    {
      // CPU time (user + system) of the build: on a machine shared with other work it is the steadier comparison.
      name: `annual report xlsx with charts, ${scale}: CPU time (median of ${ROUNDS})`,
      value: pCpu,
      unit: 'ms',
      reference: rCpu,
      ratio: Math.round((pCpu / rCpu) * 100) / 100,
      target: '≤ 2× bare exceljs streaming',
      ok: pCpu <= 2 * rCpu,
    },
    {
      name: `annual report xlsx with charts, ${scale}: wall time (median of ${ROUNDS})`,
      value: pTime,
      unit: 'ms',
      reference: rTime,
      ratio: Math.round((pTime / rTime) * 100) / 100,
      target: '≤ 2× bare exceljs streaming',
      ok: pTime <= 2 * rTime,
    },
    {
      name: `annual report xlsx with charts, ${scale}: peak RSS`,
      value: pMem,
      unit: 'MB',
      reference: rMem,
      ratio: Math.round((pMem / rMem) * 100) / 100,
      target: '< 300 MB',
      ok: pMem < 300,
    },
    { name: `annual report xlsx, ${scale}: file size`, value: Math.round(project[0]!.bytes / 1024), unit: 'KiB', reference: Math.round(reference[0]!.bytes / 1024) },
  ];
}
