// Small real files of the accepted kinds, and one that is not, for the upload tests.
import { expect } from 'chai';
import { createHash } from 'node:crypto';

/** A minimal but real one-page PDF. */
export const PDF = Buffer.from(
  '%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n2 0 obj<</Type/Pages/Kids[3 0 R]/Count 1>>endobj\n' +
    '3 0 obj<</Type/Page/Parent 2 0 R/MediaBox[0 0 200 200]>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n',
);
export const PNG = Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==', 'base64');
/** The start of a Windows executable: the "MZ" header and its PE offset. */
export const EXE = Buffer.concat([Buffer.from('MZ'), Buffer.alloc(58), Buffer.from([0x80, 0, 0, 0]), Buffer.alloc(64), Buffer.from('PE\0\0'), Buffer.alloc(200)]);

export const sha = (b: Buffer): string => createHash('sha256').update(b).digest('hex');

/**
 * A stored PDF served back (server/http/downloads.ts): byte for byte, typed, unsniffed, as an attachment named in
 * ASCII and, exactly, in UTF-8.
 */
export function expectPdfDownload(
  res: { status: number; body: unknown; headers: Record<string, string> },
  name: { ascii: string; utf8: string },
): void {
  expect(res.status).to.equal(200);
  expect(res.body).to.deep.equal(PDF);
  expect(res.headers['content-type']).to.equal('application/pdf');
  expect(res.headers['x-content-type-options']).to.equal('nosniff');
  expect(res.headers['content-disposition']).to.equal(`attachment; filename="${name.ascii}"; filename*=UTF-8''${encodeURIComponent(name.utf8)}`);
}
