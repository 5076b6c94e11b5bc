import { expect } from 'chai';
import fc from 'fast-check';
import { attachmentDisposition, cleanFileName, detectAccepted } from '../../../server/files/file-types.js';

/** The header of an OLE compound file (Office 97–2003 documents, but also .msi installers). */
const CFB = Buffer.concat([Buffer.from([0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1]), Buffer.alloc(4096)]);

describe('evidence file types', () => {
  it('when a compound file is named .doc, then it is accepted as a Word 97 document, and refused under any other name', async () => {
    expect(await detectAccepted(CFB, 'to-trinh.doc')).to.deep.equal({ ext: 'doc', mime: 'application/msword' });
    expect(await detectAccepted(CFB, 'bang.XLS')).to.deep.equal({ ext: 'xls', mime: 'application/vnd.ms-excel' });
    expect(await detectAccepted(CFB, 'cai-dat.msi')).to.equal(null);
    expect(await detectAccepted(CFB, 'khong-duoi')).to.equal(null);
  });

  it('when a name carries a path, control or direction-override characters, then only the clean last segment is kept', () => {
    expect(cleanFileName('C:\\Users\\a\\Báo cáo.pdf')).to.equal('Báo cáo.pdf');
    expect(cleanFileName('../../etc/passwd')).to.equal('passwd');
    expect(cleanFileName('a\u0000b\u202Ec.pdf')).to.equal('abc.pdf');
    expect(cleanFileName('..')).to.equal('tep-dinh-kem');
    expect(cleanFileName('x'.repeat(500))).to.have.length(200);
  });

  it('when any name is offered for download, then the header has a quoted ASCII fallback and the exact UTF-8 name', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'grapheme', maxLength: 60 }), (raw) => {
        const name = cleanFileName(raw);
        const h = attachmentDisposition(name);
        const m = /^attachment; filename="([\x20-\x7e]*)"; filename\*=UTF-8''([A-Za-z0-9%!._~-]*)$/.exec(h);
        expect(m, h).to.not.equal(null);
        expect(m![1]).to.not.match(/["\\]/);
        expect(decodeURIComponent(m![2]!)).to.equal(name);
      }),
    );
  });
});
