import { expect } from 'chai';
import ExcelJS from 'exceljs';
import { buildScorecardWorkbook } from '../../../reports/scorecard.xlsx.js';
import { changes, renderScorecardHtml, strengths, weaknesses } from '../../../reports/scorecard.js';
import { registerChartFont, renderChartPng } from '../../../reports/charts.js';
import type { ScorecardData } from '../../../reports/report.types.js';
import { HOSTILE_NAME } from '../../fixtures/report-data.js';

function scorecard(): ScorecardData {
  const line = (code: string, points: number, max: number, flag: ScorecardData['sections'][number]['lines'][number]['flag'], previous: number | null, self: number | null) => ({
    code,
    name: `Chỉ số ${code}`,
    selfValue: self === null ? '' : `${self}/10`,
    appraisedValue: flag === 'adjusted' ? `${points / 2}/10` : '',
    selfPoints: self,
    points,
    max,
    lost: Math.round((max - points) * 10_000) / 10_000,
    previousPoints: previous,
    flag,
  });
  return {
    issuer: { parent: 'ỦY BAN NHÂN DÂN TỈNH KHÁNH HÒA', name: 'Sở Khoa học và Công nghệ', place: 'Khánh Hòa' },
    date: '2026-12-15',
    reportNumber: '05/BC-SKHCN',
    period: { code: '2026-N', name: 'Năm 2026', kind: 'annual', year: 2026, dataFrom: '2025-12-15', dataTo: '2026-12-14' },
    framework: { code: 'DTI-SO', name: 'Bộ chỉ số', version: 1 },
    publication: { number: 2, publishedAt: '2026-12-15' },
    runId: 7,
    agency: { code: 'X', name: HOSTILE_NAME, groupName: 'Sở, ban, ngành', ranked: true, groupSize: 20 },
    total: { points: 31, max: 50, value: 0.62, rank: 3 },
    previous: { periodName: 'Năm 2025', value: 0.58, rank: 5 },
    history: [
      { periodName: 'Năm 2025', value: 0.58, rank: 5 },
      { periodName: 'Năm 2026', value: 0.62, rank: 3 },
    ],
    sections: [
      {
        code: 'NTS', name: 'Nhận thức số', points: 18, max: 30, value: 0.6, rank: 4,
        lines: [line('NTS.1', 10, 10, 'reported', 10, 10), line('NTS.2', 8, 20, 'adjusted', 12, 16)],
      },
      {
        code: 'NLS', name: 'Nhân lực số', points: 13, max: 20, value: 0.65, rank: 2,
        lines: [line('NLS.1', 13, 15, 'reported', 9, 13), line('NLS.2', 0, 5, 'missing', 5, null)],
      },
    ],
    subindices: [{ code: 'CQS', name: 'Chính quyền số', value: 0.61, rank: 3 }],
    groupMeans: { NTS: 0.55, NLS: 0.5 },
  };
}

describe('reports/scorecard', () => {
  it('when strengths, weaknesses and changes are listed, then they are the full-point, most-lost and most-moved lines', () => {
    const d = scorecard();
    expect(strengths(d).map((l) => l.code)).to.deep.equal(['NTS.1']);
    expect(weaknesses(d).map((l) => l.code)).to.deep.equal(['NTS.2', 'NLS.2', 'NLS.1']);
    expect(changes(d).map((l) => [l.code, l.delta])).to.deep.equal([['NLS.2', -5], ['NLS.1', 4], ['NTS.2', -4]]);
  });

  it('when the workbook is read back, then self-assessed and appraised points sit side by side and flagged lines are marked', async () => {
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.load(Uint8Array.from(await buildScorecardWorkbook(scorecard())).buffer);
    expect(wb.worksheets.map((w) => w.name)).to.deep.equal(['Phiếu điểm', 'Điểm theo chỉ số', 'Lịch sử xếp hạng', 'Biểu đồ']);
    const cover = wb.getWorksheet('Phiếu điểm')!;
    expect(cover.getCell('A1').value).to.equal('ỦY BAN NHÂN DÂN TỈNH KHÁNH HÒA');
    expect(cover.getCell('A4').value).to.equal('Kèm theo Báo cáo số 05/BC-SKHCN');
    expect(cover.getCell('D4').value).to.equal('Khánh Hòa, ngày 15 tháng 12 năm 2026');
    expect(cover.getCell('A6').value).to.equal('PHIẾU ĐIỂM');
    const text = cover.getColumn(1).values.filter((v) => typeof v === 'string').join('\n');
    expect(text).to.include('xếp hạng 3/20 khối Sở, ban, ngành');
    expect(text).to.include('Kỳ trước (Năm 2025): chỉ số 0,5800, hạng 5; thay đổi +0,0400.');
    const lines = wb.getWorksheet('Điểm theo chỉ số')!;
    const nts2 = lines.getRow(6);
    expect([1, 3, 4, 5, 6, 7, 8, 9].map((c) => nts2.getCell(c).value)).to.deep.equal(['NTS.2', '16/10', 16, '4/10', 8, 20, 12, 12]);
    expect((nts2.getCell(1).fill as ExcelJS.FillPattern).fgColor?.argb).to.equal('FFFFF2CC');
    expect(lines.getRow(8).getCell(4).value).to.equal(13);
    expect(lines.getRow(9).getCell(4).value).to.equal('—');
    expect(wb.getWorksheet('Biểu đồ')!.getImages()).to.have.length(2);
    expect(wb.getWorksheet('Lịch sử xếp hạng')!.getRow(5).values).to.deep.equal([undefined, 'Năm 2026', 0.62, 3]);
  });

  it('when the agency name is hostile, then the HTML escapes it and the single file has no script', () => {
    const d = scorecard();
    const served = renderScorecardHtml(d);
    expect(served).to.not.include(HOSTILE_NAME);
    expect(served).to.include('&lt;script&gt;alert(1)&lt;/script&gt;');
    expect(served.match(/<script[^>]*>/g)).to.deep.equal(['<script src="/static/vendor/chart.umd.js" defer>', '<script src="/static/js/report-charts.js" defer>']);
    const single = renderScorecardHtml(d, { inlineAssets: true });
    expect(single).to.not.include('<script');
    expect(single.match(/<img src="data:image\/png;base64,/g)).to.have.length(2);
    expect(renderScorecardHtml(d)).to.equal(served);
  });
});

describe('reports/charts', () => {
  it('when the chart font file is missing, then drawing refuses with a message naming it', () => {
    expect(() => registerChartFont('/khong/co/phong.ttf')).to.throw(/\/khong\/co\/phong\.ttf.*fonts-dejavu-core/);
  });

  it('when the same chart is drawn twice, then the PNG is the same', () => {
    const spec = { id: 'x', kind: 'ranking' as const, title: 'Xếp hạng khối Sở', description: 'Mô tả', labels: ['Sở Nội vụ', 'Sở Y tế'], series: [{ label: 'DTI', data: [0.8, 0.6] }] };
    const a = renderChartPng(spec);
    expect(a.subarray(1, 4).toString()).to.equal('PNG');
    expect(renderChartPng({ ...spec }).equals(a)).to.equal(true);
  });
});
