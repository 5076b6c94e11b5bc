import fs from 'node:fs';
import ExcelJS from 'exceljs';
const wb = new ExcelJS.Workbook();
await wb.xlsx.load(fs.readFileSync('/tmp/rt/r.xlsx'));
for (const ws of wb.worksheets) console.log(ws.name, ws.rowCount, ws.getImages().length, ws.views[0]?.state, ws.pageSetup.printTitlesRow);
const c = wb.getWorksheet('Báo cáo')!;
console.log(c.getColumn(1).values.filter(Boolean).slice(0, 40).join('\n'));
