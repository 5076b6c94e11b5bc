import zlib from 'node:zlib';
import { expect } from 'chai';
import ExcelJS from 'exceljs';
import { checkZip } from '../../../server/files/zip-guard.js';

/** A one-entry zip of `content`, deflated, declaring `declared` bytes uncompressed. */
function zipOf(content: Buffer, declared = content.length): Buffer {
  const name = Buffer.from('a.xml');
  const data = zlib.deflateRawSync(content);
  const local = Buffer.alloc(30);
  local.writeUInt32LE(0x04034b50, 0);
  local.writeUInt16LE(8, 8);
  local.writeUInt32LE(data.length, 18);
  local.writeUInt32LE(declared, 22);
  local.writeUInt16LE(name.length, 26);
  const central = Buffer.alloc(46);
  central.writeUInt32LE(0x02014b50, 0);
  central.writeUInt16LE(8, 10);
  central.writeUInt32LE(data.length, 20);
  central.writeUInt32LE(declared, 24);
  central.writeUInt16LE(name.length, 28);
  const eocd = Buffer.alloc(22);
  eocd.writeUInt32LE(0x06054b50, 0);
  eocd.writeUInt16LE(1, 8);
  eocd.writeUInt16LE(1, 10);
  eocd.writeUInt32LE(46 + name.length, 12);
  eocd.writeUInt32LE(30 + name.length + data.length, 16);
  return Buffer.concat([local, name, data, central, name, eocd]);
}

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
