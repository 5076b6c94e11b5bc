import { expect } from 'chai';
import ExcelJS from 'exceljs';
import { renderReportHtml } from '../../../reports/annual-report.html.js';
import { buildReportWorkbook, sheetName, summarizeReport } from '../../../reports/annual-report.xlsx.js';
import { flagLabel, formatIndex, isFlagged } from '../../../reports/format.js';
import type { ReportData } from '../../../reports/report.types.js';
import { GROUP_COMMUNES, GROUP_DEPARTMENTS, HOSTILE_NAME, buildReportData } from '../../fixtures/report-data.js';

async function load(data: ReportData): Promise<ExcelJS.Workbook> {
  const wb = new ExcelJS.Workbook();
  // exceljs types load() with its own Buffer (an ArrayBuffer), so hand it the bytes as one.
  await wb.xlsx.load(Uint8Array.from(await buildReportWorkbook(data)).buffer);
  return wb;
}

function sheet(wb: ExcelJS.Workbook, name: string): ExcelJS.Worksheet {
  const ws = wb.getWorksheet(name);
  if (!ws) throw new Error(`no sheet "${name}" in ${wb.worksheets.map((w) => w.name).join(', ')}`);
  return ws;
}

/** Data rows of a ranking or annex sheet: the header is on row 3. */
function dataRows(ws: ExcelJS.Worksheet): ExcelJS.Row[] {
  const rows: ExcelJS.Row[] = [];
  for (let r = 4; r <= ws.rowCount; r += 1) rows.push(ws.getRow(r));
  return rows;
}

function headers(ws: ExcelJS.Worksheet): string[] {
  return (ws.getRow(3).values as unknown[]).slice(1).map(String);
}

const mm = (x: number): number => x / 25.4;

const SECTION_SHEETS = ['Chỉ số phụ', 'Thay đổi so với kỳ trước', 'Chỉ tiêu toàn tỉnh', 'Đầy đủ, kịp thời', 'Chỉ số yếu', 'Biểu đồ'];
/** Sheets that print portrait; the wide tables print landscape (NĐ 30 allows it for tables). */
const PORTRAIT = new Set(['Báo cáo', 'Chỉ số phụ', 'Đầy đủ, kịp thời', 'Chỉ số yếu', 'Biểu đồ']);
/** Sheets without one table under a header row to freeze. */
const UNFROZEN = new Set(['Báo cáo', 'Chỉ số phụ', 'Biểu đồ']);

describe('reports/annual-report.xlsx', () => {
  let data: ReportData;
  let wb: ExcelJS.Workbook;

  before(async () => {
    data = buildReportData();
    wb = await load(data);
  });

  it('when built, then it has the cover, one ranking sheet per group, one sheet per section and the annex, in order', () => {
    expect(wb.worksheets.map((w) => w.name)).to.deep.equal([
      'Báo cáo',
      `Xếp hạng - ${GROUP_DEPARTMENTS}`,
      `Xếp hạng - ${GROUP_COMMUNES}`,
      ...SECTION_SHEETS,
      'Phụ lục',
    ]);
  });

  it('when the cover is read, then it has the NĐ 30 header block in two columns', () => {
    const ws = sheet(wb, 'Báo cáo');
    expect(ws.getCell('A1').value).to.equal('ỦY BAN NHÂN DÂN TỈNH KHÁNH HÒA');
    expect(ws.getCell('A1').font.bold).to.not.equal(true);
    expect(ws.getCell('A1').font.size).to.equal(13);
    expect(ws.getCell('A2').value).to.equal('SỞ KHOA HỌC VÀ CÔNG NGHỆ');
    expect(ws.getCell('A2').font.bold).to.equal(true);
    expect(ws.getCell('A4').value).to.equal('Số: 05/BC-SKHCN');
    expect(ws.getCell('D1').value).to.equal('CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM');
    expect(ws.getCell('D1').font).to.include({ bold: true, size: 13 });
    expect(ws.getCell('D2').value).to.equal('Độc lập - Tự do - Hạnh phúc');
    expect(ws.getCell('D2').font).to.include({ bold: true, size: 14 });
    expect(ws.getCell('D4').value).to.equal('Khánh Hòa, ngày 15 tháng 12 năm 2026');
    expect(ws.getCell('D4').font).to.include({ italic: true, size: 14 });
    // The short rules under the issuing agency and under the motto.
    expect(ws.getCell('B3').border.top?.style).to.equal('thin');
    expect(ws.getCell('E3').border.top?.style).to.equal('thin');
  });

  it('when the cover is read, then "BÁO CÁO", the subject and the summary follow the header', () => {
    const ws = sheet(wb, 'Báo cáo');
    expect(ws.getCell('A6').value).to.equal('BÁO CÁO');
    expect(ws.getCell('A6').font).to.include({ bold: true, size: 14 });
    expect(ws.getCell('A6').alignment.horizontal).to.equal('center');
    expect(ws.getCell('A7').value).to.equal(data.subject);
    expect(ws.getCell('A7').font.bold).to.equal(true);
    const text = ws.getColumn(1).values.filter((v) => typeof v === 'string').join('\n');
    expect(text).to.include('Số đơn vị được đánh giá: 8 đơn vị');
    expect(text).to.include(`khối ${GROUP_DEPARTMENTS}: 4 đơn vị`);
    const mean = formatIndex(summarizeReport(data).provinceMean);
    expect(mean).to.equal('0,6434');
    expect(text).to.include(`Chỉ số DTI trung bình của tỉnh (trung bình cộng chỉ số DTI của các đơn vị): ${mean}`);
    expect(text).to.include('cao nhất là Sở Khoa học và Công nghệ (0,8580)');
    expect(text).to.include('thấp nhất là UBND phường Cam Ranh (0,4300)');
  });

  it("when each group's sheet is read, then rank, name, points and total match the input in rank order", () => {
    for (const group of data.groups) {
      const ws = sheet(wb, `Xếp hạng - ${group.name}`);
      const read = dataRows(ws).map((r) => [1, 2, 3, 5].map((c) => r.getCell(c).value));
      expect(read).to.deep.equal(group.rows.map((r) => [r.rank, r.agencyName, r.points, r.total]));
    }
  });

  it('when two agencies have the same total, then both show the shared rank and the next rank is skipped', () => {
    const ranks = dataRows(sheet(wb, `Xếp hạng - ${GROUP_DEPARTMENTS}`)).map((r) => r.getCell(1).value);
    expect(ranks).to.deep.equal([1, 2, 2, 4]);
    const communes = dataRows(sheet(wb, `Xếp hạng - ${GROUP_COMMUNES}`)).map((r) => r.getCell(1).value);
    expect(communes).to.deep.equal([1, 2, 2, 4]);
  });

  it('when a ranking sheet is read, then it has each main index, each sub-index and its rank, the rank change', () => {
    const ws = sheet(wb, `Xếp hạng - ${GROUP_DEPARTMENTS}`);
    const h = headers(ws);
    expect(h.slice(0, 5)).to.deep.equal(['Hạng', 'Đơn vị', 'Điểm', 'Điểm tối đa', 'Chỉ số DTI (0–1)']);
    expect(h).to.include('Nhận thức số (NTS)');
    expect(h).to.include('Đô thị thông minh (DTTM) - không tính điểm');
    expect(h.slice(-8)).to.deep.equal([
      'Chính quyền số (CQS)', 'Hạng CQS', 'Kinh tế số (KTS)', 'Hạng KTS', 'Xã hội số (XHS)', 'Hạng XHS',
      'Hạng kỳ trước', 'Thay đổi hạng',
    ]);
    const first = ws.getRow(4);
    const col = (name: string) => h.indexOf(name) + 1;
    expect(first.getCell(col('Nhận thức số (NTS)')).value).to.equal(0.92);
    expect(first.getCell(col('Nhận thức số (NTS)')).numFmt).to.equal('0.0000');
    expect(first.getCell(col('Đô thị thông minh (DTTM) - không tính điểm')).value).to.equal('—');
    expect(first.getCell(col('Hạng CQS')).value).to.equal(data.groups[0]?.rows[0]?.subindices.CQS?.rank);
    expect(first.getCell(3).numFmt).to.equal('#,##0.00');
    expect(first.getCell(5).numFmt).to.equal('0.0000');
    // Sở Tài chính: 3rd last period, 2nd now.
    const stc = dataRows(ws).find((r) => r.getCell(2).value === 'Sở Tài chính');
    expect(stc?.getCell(col('Hạng kỳ trước')).value).to.equal(3);
    expect(stc?.getCell(col('Thay đổi hạng')).value).to.equal(1);
    // Formed by a merger: no previous period.
    const merged = dataRows(ws).find((r) => r.getCell(2).value === 'Sở Nông nghiệp và Môi trường');
    expect(merged?.getCell(col('Thay đổi hạng')).value).to.equal('—');
  });

  it('when the annex is read, then it has one row per value with its flag label, flagged rows highlighted', () => {
    const ws = sheet(wb, 'Phụ lục');
    expect(headers(ws)).to.deep.equal([
      'Đơn vị', 'Khối', 'Mã', 'Chỉ số', 'Tự đánh giá', 'Thẩm định', 'Điểm', 'Điểm tối đa', 'Ghi chú',
    ]);
    const rows = dataRows(ws);
    expect(rows).to.have.length(data.annex.length);
    rows.forEach((row, i) => {
      const a = data.annex[i]!;
      expect(row.getCell(1).value).to.equal(a.agencyName);
      expect(row.getCell(3).value).to.equal(a.indicatorCode);
      expect(row.getCell(7).value).to.equal(a.points);
      const fill = row.getCell(1).fill as ExcelJS.FillPattern | undefined;
      if (isFlagged(a.flag)) {
        expect(row.getCell(9).value).to.equal(flagLabel(a.flag));
        expect(fill?.pattern).to.equal('solid');
      } else {
        expect(fill?.pattern ?? 'none').to.equal('none');
      }
    });
    const flagged = rows.filter((r) => (r.getCell(1).fill as ExcelJS.FillPattern | undefined)?.pattern === 'solid');
    expect(flagged).to.have.length(data.annex.filter((a) => isFlagged(a.flag)).length);
    expect(flagged).to.have.length.greaterThan(0);
    expect(rows.map((r) => r.getCell(9).value)).to.include.members([
      'Điều chỉnh khi thẩm định', 'Không báo cáo (tính 0 điểm)', 'Lấy số liệu kỳ trước',
      'Không báo cáo (loại khỏi điểm tối đa)', 'Không áp dụng',
    ]);
  });

  it('when an agency name is a formula carrying a script, then every cell holding it is a plain string', () => {
    let seen = 0;
    for (const ws of wb.worksheets) {
      ws.eachRow((row) =>
        row.eachCell((cell) => {
          expect(cell.type, `${ws.name}!${cell.address}`).to.not.equal(ExcelJS.ValueType.Formula);
          if (cell.value === HOSTILE_NAME) {
            expect(cell.type).to.equal(ExcelJS.ValueType.String);
            expect(cell.formula).to.equal(undefined);
            seen += 1;
          }
        }),
      );
    }
    // Its ranking row, one row in each pillar table, its row in the changes table, and its annex rows.
    expect(seen).to.equal(1 + data.subindices.length + 1 + data.annex.filter((a) => a.agencyName === HOSTILE_NAME).length);
  });

  it('when any written cell is read, then its font is Times New Roman', () => {
    let checked = 0;
    for (const ws of wb.worksheets) {
      ws.eachRow((row) =>
        row.eachCell((cell) => {
          if (cell.type === ExcelJS.ValueType.Merge) return;
          expect(cell.font?.name, `${ws.name}!${cell.address}`).to.equal('Times New Roman');
          checked += 1;
        }),
      );
    }
    expect(checked).to.be.greaterThan(100);
  });

  it('when the print setup is read, then every sheet is A4 with NĐ 30 margins and centred page numbers on top', () => {
    for (const ws of wb.worksheets) {
      const { margins, paperSize, orientation, fitToWidth } = ws.pageSetup;
      expect(paperSize, ws.name).to.equal(9);
      expect(orientation, ws.name).to.equal(PORTRAIT.has(ws.name) ? 'portrait' : 'landscape');
      expect(fitToWidth).to.equal(1);
      expect(margins?.top).to.be.closeTo(mm(20), 1e-9);
      expect(margins?.bottom).to.be.closeTo(mm(20), 1e-9);
      expect(margins?.left).to.be.closeTo(mm(30), 1e-9);
      expect(margins?.right).to.be.closeTo(mm(15), 1e-9);
      expect(ws.headerFooter.oddHeader).to.match(/^&C.*&P$/);
      // NĐ 30: no page number on the first page.
      expect(ws.headerFooter.differentFirst).to.equal(true);
    }
  });

  it('when a table sheet is read, then its title and header rows are frozen', () => {
    for (const ws of wb.worksheets.filter((w) => !UNFROZEN.has(w.name))) {
      expect(ws.views[0], ws.name).to.include({ state: 'frozen', ySplit: 3 });
    }
  });

  it('when the properties are read, then the creator is the platform and the dates are the report date', () => {
    expect(wb.creator).to.equal('DTI platform');
    expect(wb.created.toISOString()).to.equal('2026-12-15T00:00:00.000Z');
    expect(wb.modified.toISOString()).to.equal('2026-12-15T00:00:00.000Z');
  });

  it('when the same data is built twice, then the workbooks have the same content', async () => {
    const again = await load(buildReportData());
    expect(again.worksheets.map((w) => w.name)).to.deep.equal(wb.worksheets.map((w) => w.name));
    for (const ws of wb.worksheets) {
      expect(JSON.stringify(sheet(again, ws.name).getSheetValues())).to.equal(JSON.stringify(ws.getSheetValues()));
    }
    expect(again.created.getTime()).to.equal(wb.created.getTime());
  });

  it('when a group name is long or has characters Excel forbids in sheet names, then it is cleaned', async () => {
    const base = buildReportData();
    const g = base.groups[0]!;
    const odd = buildReportData({
      groups: [
        { ...g, name: 'UBND [xã]/phường: khu vực *miền núi?* \\ hải đảo' },
        { ...g, code: 'other', name: 'UBND [xã]/phường: khu vực *miền núi?* \\ đồng bằng' },
      ],
    });
    const names = (await load(odd)).worksheets.map((w) => w.name);
    expect(names).to.have.length(4 + SECTION_SHEETS.length);
    expect(new Set(names).size).to.equal(4 + SECTION_SHEETS.length);
    for (const name of names) {
      expect(name.length).to.be.at.most(31);
      expect(name).to.not.match(/[[\]:*?/\\]/);
    }
  });

  it('when a sheet name is taken, then the next one gets a numbered suffix within 31 characters', () => {
    const taken = new Set<string>();
    expect(sheetName('Xếp hạng - Sở, ban, ngành', taken)).to.equal('Xếp hạng - Sở, ban, ngành');
    expect(sheetName('Xếp hạng - Sở, ban, ngành', taken)).to.equal('Xếp hạng - Sở, ban, ngành (2)');
    const long = 'Xếp hạng - UBND các xã, phường thuộc khu vực miền núi';
    expect(sheetName(long, taken)).to.equal('Xếp hạng - UBND các xã, phường');
    expect(sheetName(long, taken)).to.equal('Xếp hạng - UBND các xã, phư (2)');
  });

  it('when a name is in decomposed Unicode, then it is composed before counting the 31 characters', () => {
    const decomposed = 'Xếp hạng - Sở, ban, ngành'.normalize('NFD');
    expect(sheetName(decomposed, new Set())).to.equal('Xếp hạng - Sở, ban, ngành'.normalize('NFC'));
  });

  it('when a group is assessed but not ranked, then its ranks show a dash', async () => {
    const base = buildReportData();
    const unranked = buildReportData({ groups: [{ ...base.groups[0]!, ranked: false }, base.groups[1]!] });
    const ws = sheet(await load(unranked), `Xếp hạng - ${GROUP_DEPARTMENTS}`);
    expect(dataRows(ws).map((r) => r.getCell(1).value)).to.deep.equal(['—', '—', '—', '—']);
    expect(String(ws.getCell('A1').value)).to.include('KHÔNG XẾP HẠNG');
  });
});

describe('reports/annual-report.html', () => {
  let data: ReportData;
  let html: string;

  before(() => {
    data = buildReportData();
    html = renderReportHtml(data);
  });

  it('when an agency name carries a script, then it is escaped and the only scripts are the app\'s own files', () => {
    const scripts = html.match(/<script[^>]*>/g) ?? [];
    expect(scripts).to.deep.equal([
      '<script src="/static/vendor/chart.umd.js" defer>',
      '<script src="/static/js/report-charts.js" defer>',
    ]);
    expect(renderReportHtml(data, { inlineAssets: true })).to.not.include('<script');
    expect(html).to.not.include(HOSTILE_NAME);
    expect(html).to.include('&lt;script&gt;alert(1)&lt;/script&gt;');
  });

  it('when rendered, then it has the NĐ 30 header block text', () => {
    for (const text of [
      'ỦY BAN NHÂN DÂN TỈNH KHÁNH HÒA',
      'SỞ KHOA HỌC VÀ CÔNG NGHỆ',
      'Số: 05/BC-SKHCN',
      'CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM',
      'Độc lập - Tự do - Hạnh phúc',
      'Khánh Hòa, ngày 15 tháng 12 năm 2026',
      'BÁO CÁO',
    ]) {
      expect(html).to.include(text);
    }
    expect(html).to.include('<html lang="vi">');
  });

  it('when rendered, then every total appears formatted as in the workbook, e.g. "0,8580"', () => {
    expect(html).to.include('<td class="num">0,8580</td>');
    for (const row of data.groups.flatMap((g) => g.rows)) {
      expect(html).to.include(`<td class="num">${formatIndex(row.total)}</td>`);
    }
  });

  it('when rendered, then the tables are accessible: a caption, column headers and agency row headers', () => {
    const tables = html.match(/<table>/g) ?? [];
    // Rankings per group, each group by each pillar, changes, targets, completeness, weakest, trend, annex.
    expect(tables).to.have.length(data.groups.length * (1 + data.subindices.length) + 5 + 1);
    expect(html.match(/<caption>/g) ?? []).to.have.length(tables.length);
    expect(html).to.include('<th scope="col">Hạng</th>');
    expect(html).to.include('<th scope="row">Sở Khoa học và Công nghệ</th>');
  });

  it('when the annex has flagged values, then exactly those rows are marked and carry their label', () => {
    const flagged = data.annex.filter((a) => isFlagged(a.flag)).length;
    expect(html.match(/<tr class="flagged">/g) ?? []).to.have.length(flagged);
    expect(html).to.include('Không báo cáo (loại khỏi điểm tối đa)');
  });

  it('when assets are not inlined, then the stylesheet is linked under the asset base', () => {
    expect(html).to.include('<link rel="stylesheet" href="/static/css/report.css">');
    expect(renderReportHtml(data, { assetBase: '/assets/' })).to.include('href="/assets/css/report.css"');
    expect(html).to.not.include('<style>');
  });

  it('when assets are inlined, then the stylesheet is in a <style> element and nothing is linked', () => {
    const inline = renderReportHtml(data, { inlineAssets: true });
    expect(inline).to.include('<style>');
    expect(inline).to.include('@page');
    expect(inline).to.include('size: A4 portrait;');
    expect(inline).to.include('margin: 20mm 15mm 20mm 30mm;');
    expect(inline).to.include('font-family: "Times New Roman"');
    expect(inline).to.not.match(/<link[^>]+stylesheet/);
    expect(inline).to.not.include('<script');
  });

  it('when the data is a draft (no publication), then both the HTML and the workbook say so', async () => {
    const draft = buildReportData({ publication: null });
    expect(renderReportHtml(draft)).to.include('Số liệu dự thảo, chưa công bố (lần tính số 42)');
    const ws = (await load(draft)).getWorksheet('Báo cáo')!;
    expect(ws.getColumn(1).values).to.include('Số liệu dự thảo, chưa công bố (lần tính số 42).');
  });

  it('when rendered twice from the same data, then the HTML is identical', () => {
    expect(renderReportHtml(buildReportData())).to.equal(html);
  });
});
