// Uploads are buffered only for those who may make them (server/http/uploads.ts): a role the route refuses, or an
// agency the path does not name, gets its request passed on unparsed, for the CSRF check and the route to refuse.
import type { AddressInfo } from 'node:net';
import { expect } from 'chai';
import express from 'express';
import type { Actor } from '../../../server/auth/policy.js';
import { multipartBody } from '../../../server/http/uploads.js';

const actor = (role: Actor['role'], agencyId: number | null): Actor => ({ id: 1, username: 'u', fullName: 'U', role, agencyId });

async function post(who: Actor, path: string): Promise<{ parsed: boolean; files: number }> {
  const app = express();
  app.use((_req, res, next) => {
    res.locals.actor = who;
    next();
  });
  app.use(multipartBody(1024 * 1024));
  app.post(/.*/, (req, res) => {
    const files = Array.isArray(req.files) ? req.files.length : req.file ? 1 : 0;
    res.json({ parsed: req.body !== undefined && Object.keys(req.body as object).length > 0, files });
  });
  const server = app.listen(0);
  try {
    const form = new FormData();
    form.append('_csrf', 'token');
    form.append('file', new Blob([Buffer.from('%PDF-1.4 test')], { type: 'application/pdf' }), 'a.pdf');
    const res = await fetch(`http://127.0.0.1:${(server.address() as AddressInfo).port}${path}`, { method: 'POST', body: form });
    return (await res.json()) as { parsed: boolean; files: number };
  } finally {
    server.close();
  }
}

describe('multipart uploads are parsed only for those who may make them', () => {
  it('when the agency head files an appeal for their own agency, then the upload is parsed', async () => {
    expect(await post(actor('head', 7), '/periods/3/agencies/7/appeals')).to.deep.equal({ parsed: true, files: 1 });
  });

  it('when the head of another agency posts to that appeal route, then nothing is parsed', async () => {
    expect(await post(actor('head', 8), '/periods/3/agencies/7/appeals')).to.deep.equal({ parsed: false, files: 0 });
  });

  it('when a role that may not upload there posts, then nothing is parsed', async () => {
    expect(await post(actor('leader', null), '/submissions/5/evidence-files')).to.deep.equal({ parsed: false, files: 0 });
    expect(await post(actor('reporter', 7), '/admin/import')).to.deep.equal({ parsed: false, files: 0 });
  });

  it('when a reporter uploads evidence to a submission, then the upload is parsed (the route checks the agency)', async () => {
    expect(await post(actor('reporter', 7), '/submissions/5/evidence-files')).to.deep.equal({ parsed: true, files: 1 });
  });
});
