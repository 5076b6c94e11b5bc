// The Excel round trip's own cost: building the agency's workbook and reading an upload back (zip guard + checks +
// mapping to raw values), each against bare exceljs doing the same write (plain rows: no protection, validation,
// styles or hidden sheets) or the same load in the same run.
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { performance } from 'node:perf_hooks';
import ExcelJS from 'exceljs';
import type { BenchRow } from './run.js';
import { loadFrameworkFile } from '../server/frameworks/framework.loader.js';
import { indicatorsOf } from '../server/frameworks/framework.types.js';
import { checkZip } from '../server/files/zip-guard.js';
import { buildSubmissionWorkbook, readSubmissionWorkbook, type WorkbookLine } from '../server/submissions/submission-workbook.js';

export const name = 'workbook';

const ROUNDS = 30;

async function median(fn: () => Promise<unknown>): Promise<number> {
  const times: number[] = [];
  for (let i = 0; i < ROUNDS; i++) {
    const t0 = performance.now();
    await fn();
    times.push(performance.now() - t0);
  }
  times.sort((a, b) => a - b);
  return Math.round(times[Math.floor(times.length / 2)]! * 100) / 100;
}

export async function run(): Promise<BenchRow[]> {
  const file = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../frameworks/dti-so.yaml');
  const indicators = indicatorsOf((await loadFrameworkFile(file)).nodes);
  const lines: WorkbookLine[] = indicators.map((i) => ({
    code: i.code,
    name: i.name,
    max: i.max,
    input: i.input,
    applicable: true,
    current: { value: 4, denominator: i.input.kind === 'ratio' ? 10 : null, option: null },
    comment: 'Số liệu theo báo cáo quý IV',
    previous: { value: 3, denominator: i.input.kind === 'ratio' ? 10 : null, option: null },
  }));
  const meta = { submissionId: 1, agencyId: 1, agencyCode: 'SNV', agencyName: 'Sở Nội vụ', periodId: 1, periodCode: 'P', periodName: 'Năm 2026', version: 1 };
  const limits = { maxUncompressedBytes: 20 * 1024 * 1024, maxRows: 5000, maxColumns: 50 };

  const build = await median(() => buildSubmissionWorkbook(meta, lines));
  const bareWrite = await median(async () => {
    const wb = new ExcelJS.Workbook();
    const ws = wb.addWorksheet('Số liệu');
    for (const l of lines) ws.addRow([l.code, l.name, '', l.current?.value, l.current?.denominator, l.comment, '3', l.code]);
    return wb.xlsx.writeBuffer();
  });
  const data = await buildSubmissionWorkbook(meta, lines);
  const read = await median(async () => {
    if (!checkZip(data, limits).ok) throw new Error('guard refused the platform\'s own workbook');
    return readSubmissionWorkbook(data, lines, limits);
  });
  const bareLoad = await median(() => new ExcelJS.Workbook().xlsx.load(data as unknown as ArrayBuffer));
  return [
    { name: `build the agency workbook (${lines.length} indicators)`, value: build, unit: 'ms', reference: bareWrite, ratio: build / bareWrite },
    { name: 'read an uploaded workbook (zip guard, checks, values)', value: read, unit: 'ms', reference: bareLoad, ratio: read / bareLoad },
  ];
}
