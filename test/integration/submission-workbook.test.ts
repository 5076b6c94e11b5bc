// The Excel round trip through HTTP: the agency downloads its pre-filled workbook, fills it in with exceljs and
// uploads it; the values are saved as if typed in the form. A workbook with bad values, moved or re-coded rows, a
// zip bomb, an oversized sheet, another agency's workbook or one older than the report is refused and saves
// nothing; bad values come back marked on an annotated workbook with the form's own messages.
import { expect } from 'chai';
import ExcelJS from 'exceljs';
import { bootTestApp, Client, versionOf, type TestApp } from '../support/app.js';
import { binary, frameworkFile, snapshot, stateOf, storedValues, submissionId, unescapeHtml, validReported } from '../support/builders.js';
import { zipWithOneEntry } from '../support/zip.js';
import { parseValue } from '../../server/submissions/value-validation.js';
import { displayValue } from '../../server/frameworks/value-display.js';
import type { IndicatorDef } from '../../server/frameworks/framework.types.js';

const PERIOD = 'DTI-SO-2026-N';
const DATA = 'Số liệu';
const FIRST_ROW = 7;
const COL = { code: 1, value: 4, denominator: 5, comment: 6, previous: 7, hidden: 8 };

async function load(buf: Buffer): Promise<ExcelJS.Workbook> {
  const wb = new ExcelJS.Workbook();
  await wb.xlsx.load(buf as unknown as ArrayBuffer);
  return wb;
}
const bytes = async (wb: ExcelJS.Workbook): Promise<Buffer> => Buffer.from(await wb.xlsx.writeBuffer());

/** The row of each indicator code in the data sheet, read from the hidden column. */
function rowsByCode(ws: ExcelJS.Worksheet): Map<string, number> {
  const out = new Map<string, number>();
  for (let r = FIRST_ROW; r <= ws.rowCount; r++) {
    const code = ws.getCell(r, COL.hidden).value;
    if (typeof code === 'string') out.set(code, r);
  }
  return out;
}

/** What a person types in the workbook for the value `validReported` describes. */
function fill(ws: ExcelJS.Worksheet, row: number, ind: IndicatorDef): void {
  const v = validReported(ind);
  const value = ws.getCell(row, COL.value);
  switch (ind.input.kind) {
    case 'ratio':
      value.value = v!.value;
      ws.getCell(row, COL.denominator).value = v!.denominator;
      break;
    case 'yesno':
      value.value = 'Có';
      break;
    case 'choice':
      value.value = ind.input.options!.find((o) => o.code === v!.option)!.label;
      break;
    case 'evidence':
      break;
    default:
      value.value = v!.value;
  }
}

describe('the Excel round trip through HTTP', function () {
  this.timeout(120_000);

  let t: TestApp;
  let indicators: IndicatorDef[];
  let snv: number;
  let stcSub: number;
  let reporter: Client;
  let stc: Client;

  const ind = (code: string): IndicatorDef => indicators.find((i) => i.code === code)!;
  const download = async (c: Client, id: number): Promise<Buffer> => {
    const res = await c.agent.get(`/submissions/${id}/workbook.xlsx`).buffer(true).parse(binary);
    expect(res.status, `download of ${id}`).to.equal(200);
    return res.body as Buffer;
  };
  const upload = async (c: Client, id: number, data: Buffer) => {
    await c.get(`/submissions/${id}`);
    return c.upload(`/submissions/${id}/workbook`, {}, { name: 'bao-cao.xlsx', data });
  };
  /** Uploads and expects a refusal with the status and message, and nothing changed in the report. */
  const refuses = async (data: Buffer, status: number, message: string, c: Client = reporter) => {
    const before = await snapshot(t.services.db, snv);
    const res = await upload(c, snv, data);
    expect(res.status).to.equal(status);
    expect(unescapeHtml(res.text)).to.include(message);
    expect(await snapshot(t.services.db, snv)).to.deep.equal(before);
    return res;
  };
  /** The annotated workbook offered on the refusal page. */
  const annotatedOf = async (html: string): Promise<ExcelJS.Workbook> => {
    const m = /href="data:application\/vnd\.openxmlformats-officedocument\.spreadsheetml\.sheet;base64,([^"]+)"/.exec(html);
    expect(m, 'the page offers the annotated workbook').to.not.equal(null);
    return load(Buffer.from(unescapeHtml(m![1]!), 'base64'));
  };

  before(async () => {
    t = await bootTestApp({ config: { workbookLimits: { maxUncompressedBytes: 4 * 1024 * 1024, maxRows: 300, maxColumns: 30 } } });
    indicators = (await frameworkFile('dti-so.yaml')).indicators;
    snv = await submissionId(t.services.db, 'SNV', PERIOD);
    stcSub = await submissionId(t.services.db, 'STC', PERIOD);
    reporter = await Client.login(t.app, 'chuyenvien');
    stc = await Client.login(t.app, 'chuyenvien.stc');
  });

  after(async () => {
    await t?.close();
  });

  describe('the downloaded workbook', () => {
    let wb: ExcelJS.Workbook;
    let ws: ExcelJS.Worksheet;
    before(async () => {
      wb = await load(await download(reporter, snv));
      ws = wb.getWorksheet(DATA)!;
    });

    it('when opened, then it has the Vietnamese instructions, the data sheet and hidden sheets for codes and lists', () => {
      expect(wb.worksheets.map((w) => [w.name, w.state])).to.deep.include.members([
        ['Hướng dẫn', 'visible'],
        [DATA, 'visible'],
        ['_dti', 'veryHidden'],
      ]);
      expect(String(wb.getWorksheet('Hướng dẫn')!.getCell('A1').value)).to.equal('HƯỚNG DẪN NHẬP SỐ LIỆU BẰNG BẢNG TÍNH');
      expect(String(ws.getCell('A2').value)).to.include('Sở Nội vụ');
      expect(ws.getColumn(COL.hidden).hidden).to.equal(true);
    });

    it('when inspected, then the sheet is protected and only the value cells of applicable indicators are unlocked', () => {
      expect((ws as unknown as { sheetProtection?: { sheet?: boolean } }).sheetProtection?.sheet).to.equal(true);
      const rows = rowsByCode(ws);
      expect([...rows.keys()]).to.deep.equal(indicators.map((i) => i.code));
      for (const i of indicators) {
        const r = rows.get(i.code)!;
        expect(ws.getCell(r, COL.code).protection?.locked, `${i.code} code`).to.not.equal(false);
        expect(ws.getCell(r, COL.comment).protection?.locked, `${i.code} comment`).to.equal(false);
        const valueUnlocked = ws.getCell(r, COL.value).protection?.locked === false;
        expect(valueUnlocked, `${i.code} value`).to.equal(i.input.kind !== 'evidence');
        expect(ws.getCell(r, COL.denominator).protection?.locked === false, `${i.code} denominator`).to.equal(i.input.kind === 'ratio');
      }
    });

    it('when inspected, then value cells carry data validation: lists for yes/no and choices, ranges for numbers', () => {
      const rows = rowsByCode(ws);
      for (const i of indicators) {
        const dv = ws.getCell(rows.get(i.code)!, COL.value).dataValidation;
        if (i.input.kind === 'yesno') expect(dv, i.code).to.include({ type: 'list' }) && expect(dv.formulae[0]).to.equal('"Có,Không"');
        else if (i.input.kind === 'choice') expect(dv?.type, i.code).to.equal('list');
        else if (i.input.kind === 'percent') expect(dv, i.code).to.deep.include({ type: 'decimal', operator: 'between', formulae: [0, 100] });
        else if (i.input.kind === 'count') expect(dv, i.code).to.deep.include({ type: 'whole', operator: 'greaterThanOrEqual', formulae: [0] });
        else if (i.input.kind === 'ratio') expect(dv?.type, i.code).to.equal('decimal');
      }
    });

    it('when the agency reported last period, then last period\'s values are shown beside each indicator', async () => {
      const u = await t.services.users.findByUsername('chuyenvien');
      const form = await t.services.submissions.form(u!, snv);
      const rows = rowsByCode(ws);
      const previous = form.sections.flatMap((sec) => sec.lines).filter((l) => l.previous !== null);
      expect(previous, 'the demo has a counted report of the previous period').to.not.be.empty;
      for (const l of form.sections.flatMap((sec) => sec.lines)) {
        const shown = ws.getCell(rows.get(l.indicator.code)!, COL.previous).value;
        expect(shown ?? '', l.indicator.code).to.equal(displayValue(l.indicator.input, l.previous));
      }
    });

    it('when the draft already holds values, then they are pre-filled', async () => {
      const stored = await storedValues(t.services.db, snv);
      const rows = rowsByCode(ws);
      const withValue = [...stored.values()].filter((v) => v.selfValue !== null && ind(v.code).input.kind === 'count');
      expect(withValue).to.not.be.empty;
      for (const v of withValue) expect(ws.getCell(rows.get(v.code)!, COL.value).value, v.code).to.equal(v.selfValue);
    });
  });

  it('when the reporter fills the workbook and uploads it, then every value is saved as the form would save it', async () => {
    const wb = await load(await download(reporter, snv));
    const ws = wb.getWorksheet(DATA)!;
    const rows = rowsByCode(ws);
    for (const i of indicators) fill(ws, rows.get(i.code)!, i);
    ws.getCell(rows.get(indicators[0]!.code)!, COL.comment).value = 'Số liệu theo báo cáo quý IV';
    const before = await stateOf(t.services.db, snv);
    const res = await upload(reporter, snv, await bytes(wb));
    expect(res.status, unescapeHtml(res.text ?? '').slice(0, 500)).to.equal(303);
    expect(res.headers.location).to.equal(`/submissions/${snv}?msg=workbook-saved`);
    const stored = await storedValues(t.services.db, snv);
    for (const i of indicators) {
      const want = validReported(i);
      const got = stored.get(i.code);
      if (!want) continue;
      expect({ v: got?.selfValue ?? null, d: got?.selfDenominator ?? null, o: got?.selfOption ?? null }, i.code).to.deep.equal({
        v: want.value,
        d: want.denominator,
        o: want.option,
      });
    }
    expect(stored.get(indicators[0]!.code)!.comment).to.equal('Số liệu theo báo cáo quý IV');
    expect((await stateOf(t.services.db, snv)).version).to.equal(before.version + 1);
  });

  it('when values break the rules, then nothing is saved, the annotated workbook marks each bad cell with the form\'s message, and once fixed it is accepted', async () => {
    const wb = await load(await download(reporter, snv));
    const ws = wb.getWorksheet(DATA)!;
    const rows = rowsByCode(ws);
    const ratio = indicators.find((i) => i.input.kind === 'ratio' && !i.input.allowAboveOne)!;
    const count = indicators.find((i) => i.input.kind === 'count')!;
    ws.getCell(rows.get(ratio.code)!, COL.value).value = 12;
    ws.getCell(rows.get(ratio.code)!, COL.denominator).value = 10;
    ws.getCell(rows.get(count.code)!, COL.value).value = 2.5;
    const before = await snapshot(t.services.db, snv);
    const res = await upload(reporter, snv, await bytes(wb));
    expect(res.status).to.equal(400);
    expect(await snapshot(t.services.db, snv)).to.deep.equal(before);
    const expected = [
      parseValue(ratio, { value: 12, denominator: 10 }).problems[0]!.message,
      parseValue(count, { value: 2.5 }).problems[0]!.message,
    ];
    const page = unescapeHtml(res.text);
    for (const m of expected) expect(page).to.include(m);
    const annotated = await annotatedOf(res.text);
    const aws = annotated.getWorksheet(DATA)!;
    for (const [i, message] of [[ratio, expected[0]], [count, expected[1]]] as const) {
      const cell = aws.getCell(rows.get(i.code)!, COL.value);
      const note = cell.note as { texts: Array<{ text: string }> } | string;
      expect(typeof note === 'string' ? note : note.texts.map((x) => x.text).join(''), i.code).to.include(message);
      expect((cell.fill as ExcelJS.FillPattern).fgColor?.argb).to.equal('FFFFC7CE');
    }
    const list = annotated.getWorksheet('Lỗi')!;
    expect(list.getColumn(2).values.filter(Boolean)).to.include.members(expected);

    // The user fixes the marked cells in the annotated workbook itself and uploads it again.
    aws.getCell(rows.get(ratio.code)!, COL.value).value = 8;
    aws.getCell(rows.get(count.code)!, COL.value).value = 2;
    const again = await upload(reporter, snv, await bytes(annotated));
    expect(again.status, unescapeHtml(again.text ?? '').slice(0, 400)).to.equal(303);
    const stored = await storedValues(t.services.db, snv);
    expect([stored.get(ratio.code)!.selfValue, stored.get(count.code)!.selfValue]).to.deep.equal([8, 2]);
  });

  it('when a client asks in JSON, then the refusal lists the problems by indicator and carries the annotated workbook', async () => {
    const wb = await load(await download(reporter, snv));
    const ws = wb.getWorksheet(DATA)!;
    const count = indicators.find((i) => i.input.kind === 'count')!;
    ws.getCell(rowsByCode(ws).get(count.code)!, COL.value).value = -1;
    await reporter.get(`/submissions/${snv}`);
    const res = await reporter.upload(`/submissions/${snv}/workbook`, {}, { name: 'b.xlsx', data: await bytes(wb) }).set('Accept', 'application/json');
    expect(res.status).to.equal(400);
    expect(res.body.error.details).to.deep.equal(parseValue(count, { value: -1 }).problems);
    const annotated = await load(Buffer.from(res.body.annotatedWorkbook, 'base64'));
    expect(annotated.getWorksheet('Lỗi')!.getCell('B2').value).to.equal(res.body.error.details[0].message);
  });

  it('when a hidden code was changed, then the workbook is refused and nothing is saved', async () => {
    const wb = await load(await download(reporter, snv));
    const ws = wb.getWorksheet(DATA)!;
    ws.getCell(FIRST_ROW, COL.hidden).value = indicators[1]!.code;
    await refuses(await bytes(wb), 400, `Mã chỉ số trong bảng tính đã bị thay đổi hoặc có dòng thêm vào (dòng ${FIRST_ROW})`);
  });

  it('when a row was added below the indicators, then the workbook is refused and nothing is saved', async () => {
    const wb = await load(await download(reporter, snv));
    const ws = wb.getWorksheet(DATA)!;
    const last = FIRST_ROW + indicators.length;
    ws.getCell(last, COL.hidden).value = 'NLS.1';
    ws.getCell(last, COL.value).value = 5;
    await refuses(await bytes(wb), 400, `dòng ${last}`);
  });

  it('when the workbook is a zip bomb, then it is refused before parsing and nothing is saved', async () => {
    // One honest about its size, one declaring 1 000 bytes for 8 MB.
    for (const bomb of [zipWithOneEntry(Buffer.alloc(8 * 1024 * 1024)), zipWithOneEntry(Buffer.alloc(8 * 1024 * 1024), 1000)]) {
      await refuses(bomb, 400, 'Tệp bị từ chối: dung lượng sau giải nén vượt giới hạn cho phép.');
    }
  });

  it('when a sheet has more rows than allowed, then the workbook is refused and nothing is saved', async () => {
    const wb = await load(await download(reporter, snv));
    wb.getWorksheet('Hướng dẫn')!.getCell(5000, 1).value = 'x';
    await refuses(await bytes(wb), 400, 'quá lớn');
  });

  it('when a file is not a workbook of the platform, then it is refused', async () => {
    const wb = new ExcelJS.Workbook();
    wb.addWorksheet('Sheet1').getCell('A1').value = 1;
    const res = await upload(reporter, snv, await bytes(wb));
    expect(res.status).to.equal(400);
    expect(unescapeHtml(res.text)).to.include('Tệp không phải bảng tính báo cáo tải từ hệ thống.');
    const text = await upload(reporter, snv, Buffer.from('không phải tệp excel'));
    expect(text.status).to.equal(400);
  });

  it('when Sở Nội vụ uploads Sở Tài chính\'s workbook, then it is refused naming the workbook\'s agency and nothing is saved', async () => {
    const wb = await load(await download(stc, stcSub));
    const ws = wb.getWorksheet(DATA)!;
    const rows = rowsByCode(ws);
    for (const i of indicators) fill(ws, rows.get(i.code)!, i);
    await refuses(await bytes(wb), 403, 'Bảng tính này được tạo cho đơn vị STC');
  });

  it('when another agency downloads or uploads Sở Nội vụ\'s workbook, then 403', async () => {
    expect((await stc.agent.get(`/submissions/${snv}/workbook.xlsx`)).status).to.equal(403);
    const wb = await download(reporter, snv);
    const before = await snapshot(t.services.db, snv);
    await stc.get('/submissions');
    const res = await stc.upload(`/submissions/${snv}/workbook`, {}, { name: 'x.xlsx', data: wb });
    expect(res.status).to.equal(403);
    expect(await snapshot(t.services.db, snv)).to.deep.equal(before);
  });

  it('when the draft was saved after the workbook was downloaded, then the upload is refused as stale and nothing is saved', async () => {
    const wb = await load(await download(reporter, snv));
    const ws = wb.getWorksheet(DATA)!;
    const rows = rowsByCode(ws);
    const count = indicators.find((i) => i.input.kind === 'count')!;
    ws.getCell(rows.get(count.code)!, COL.value).value = 7;
    const page = await reporter.get(`/submissions/${snv}`);
    const saved = await reporter.post(`/submissions/${snv}/values`, { version: versionOf(page.text), v: { [count.code]: { value: '3' } } });
    expect(saved.status).to.equal(303);
    await refuses(await bytes(wb), 409, 'Báo cáo đã được cập nhật sau khi bạn tải bảng tính');
    expect((await storedValues(t.services.db, snv)).get(count.code)!.selfValue).to.equal(3);
  });
});
