// One measurement in its own process, so its peak RSS is its own: `project` builds the provincial report workbook
// (every section, the annex and the charts) with the platform's builder; `reference` writes the same cells with
// bare exceljs streaming (no styles, no print setup, no charts). Prints one JSON line.
import ExcelJS from 'exceljs';
import { PassThrough } from 'node:stream';
import { buildReportWorkbook } from '../reports/annual-report.xlsx.js';
import { syntheticReport } from './report-data.js';

const [mode, agencies, indicators] = [process.argv[2], Number(process.argv[3] ?? 1000), Number(process.argv[4] ?? 100)];
const data = syntheticReport(agencies, indicators);

async function reference(): Promise<number> {
  const sink = new PassThrough();
  let bytes = 0;
  sink.on('data', (c: Buffer) => (bytes += c.length));
  const wb = new ExcelJS.stream.xlsx.WorkbookWriter({ stream: sink });
  const cover = wb.addWorksheet('Báo cáo');
  cover.addRow([data.subject]).commit();
  cover.commit();
  for (const g of data.groups) {
    const ws = wb.addWorksheet(`Xếp hạng - ${g.name}`);
    for (const r of g.rows) {
      ws.addRow([
        r.rank, r.agencyName, r.points, r.max, r.total,
        ...data.indices.map((c) => r.indices[c.code] ?? null),
        ...data.subindices.flatMap((s) => [r.subindices[s.code]?.value ?? null, r.subindices[s.code]?.rank ?? null]),
        r.previousRank, r.rank !== null && r.previousRank !== null ? r.previousRank - r.rank : null,
      ]).commit();
    }
    ws.commit();
  }
  const pillars = wb.addWorksheet('Chỉ số phụ');
  for (const g of data.groups) for (const s of data.subindices) for (const r of g.rows) pillars.addRow([r.subindices[s.code]?.rank, r.agencyName, r.subindices[s.code]?.value]).commit();
  pillars.commit();
  const changes = wb.addWorksheet('Thay đổi');
  for (const g of data.groups) for (const r of g.rows) changes.addRow([g.name, r.agencyName, r.previousTotal, r.total, r.previousTotal === null ? null : r.total - r.previousTotal, r.previousRank, r.rank]).commit();
  changes.commit();
  const annex = wb.addWorksheet('Phụ lục');
  for (const a of data.annex) {
    annex.addRow([a.agencyName, a.groupName, a.indicatorCode, a.indicatorName, a.selfValue, a.appraisedValue, a.points, a.max, a.flag]).commit();
  }
  annex.commit();
  await wb.commit();
  return bytes;
}

const started = process.hrtime.bigint();
const cpu = process.cpuUsage();
const bytes = mode === 'reference' ? await reference() : (await buildReportWorkbook(data)).length;
const ms = Number(process.hrtime.bigint() - started) / 1e6;
const used = process.cpuUsage(cpu);
// maxRSS is in kilobytes.
console.log(JSON.stringify({ mode, ms, cpuMs: (used.user + used.system) / 1000, peakMB: process.resourceUsage().maxRSS / 1024, bytes }));
