import { expect } from 'chai';
import ExcelJS from 'exceljs';
import { checkZip } from '../../../server/files/zip-guard.js';
import { zipWithOneEntry as zipOf } from '../../support/zip.js';

describe('zip guard', () => {
  it('when a workbook written by exceljs is checked, then it passes with its real uncompressed size', async () => {
    const wb = new ExcelJS.Workbook();
    wb.addWorksheet('A').getCell('A1').value = 'xin chào';
    const v = checkZip(Buffer.from(await wb.xlsx.writeBuffer()), { maxUncompressedBytes: 1024 * 1024 });
    expect(v.ok).to.equal(true);
    if (v.ok) expect(v.entries).to.be.greaterThan(3);
  });

  it('when an entry honestly declares more than the limit, then it is refused without inflating', () => {
    const v = checkZip(zipOf(Buffer.alloc(2_000_000)), { maxUncompressedBytes: 1_000_000 });
    expect(v).to.deep.equal({ ok: false, reason: 'dung lượng sau giải nén vượt giới hạn cho phép' });
  });

  it('when an entry declares a small size but inflates to more, then it is refused', () => {
    const v = checkZip(zipOf(Buffer.alloc(2_000_000), 100), { maxUncompressedBytes: 1_000_000 });
    expect(v).to.deep.equal({ ok: false, reason: 'dung lượng sau giải nén vượt giới hạn cho phép' });
  });

  it('when an entry declares more than it inflates to, then it is refused as damaged', () => {
    const v = checkZip(zipOf(Buffer.alloc(1000), 5000), { maxUncompressedBytes: 1_000_000 });
    expect(v).to.deep.equal({ ok: false, reason: 'tệp nén bị hỏng' });
  });

  it('when the content is not a zip at all, then it is refused', () => {
    expect(checkZip(Buffer.from('không phải zip, chỉ là văn bản dài hơn hai mươi hai byte'), { maxUncompressedBytes: 1000 }).ok).to.equal(false);
    expect(checkZip(Buffer.alloc(0), { maxUncompressedBytes: 1000 }).ok).to.equal(false);
  });

  it('when the bytes are truncated, then it is refused, never thrown', () => {
    const z = zipOf(Buffer.from('abc'.repeat(100)));
    for (let n = 0; n < z.length; n += 7) expect(() => checkZip(z.subarray(0, n), { maxUncompressedBytes: 1000 })).to.not.throw();
  });
});
