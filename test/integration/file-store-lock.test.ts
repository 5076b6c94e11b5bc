// Identical content is stored once and shared (server/files/stored-files.ts): removing a file no row names must wait
// for an upload of the same content that is under way, and keep the file once that upload's row names it. Needs a
// second connection, so PostgreSQL only.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { expect } from 'chai';
import { bootTestApp, type TestApp } from '../support/app.js';
import { usingPostgres } from '../support/database.js';
import { FileStore, sha256Hex } from '../../server/files/file-store.js';
import { recordingFiles, removeUnnamed } from '../../server/files/stored-files.js';

describe('stored files shared by identical uploads', function () {
  let t: TestApp;
  let dir: string;
  before(async function () {
    if (!usingPostgres()) this.skip();
    t = await bootTestApp();
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'dti-store-lock-'));
  });
  after(async () => {
    await t?.close();
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
  });

  it('when a file is removed while an upload of the same content is being recorded, then the removal waits and keeps the file', async () => {
    const db = t.services.db;
    const store = new FileStore(dir);
    const data = Buffer.from(`%PDF-1.4\n% shared content ${Date.now()}\n%%EOF\n`);
    const key = sha256Hex(data);
    const evidence = await db('evidence').first('id', 'doc_number');
    expect(evidence, 'the demo has evidence rows').to.not.equal(undefined);

    let wrote!: () => void;
    const written = new Promise<void>((resolve) => (wrote = resolve));
    let release!: () => void;
    const held = new Promise<void>((resolve) => (release = resolve));
    const upload = recordingFiles(db, store, (put) =>
      db.transaction(async (trx) => {
        expect(await put(trx, data)).to.equal(key);
        wrote();
        await held;
        await trx('evidence').where({ id: evidence.id }).update({
          file_name: 'chung.pdf',
          mime_type: 'application/pdf',
          size_bytes: data.length,
          sha256: key,
          storage_key: key,
        });
      }),
    );
    await written;
    let removed: boolean | undefined;
    const removal = removeUnnamed(db, store, key).then((r) => (removed = r));
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(removed, 'the removal waits for the upload under way').to.equal(undefined);

    release();
    await upload;
    await removal;
    expect(removed, 'the committed row names the file').to.equal(false);
    expect(sha256Hex(await store.read(key))).to.equal(key);

    // Once no row names it, the file goes.
    await db('evidence').where({ id: evidence.id }).update({ file_name: null, mime_type: null, size_bytes: null, sha256: null, storage_key: null, doc_number: evidence.doc_number ?? 'Số 1/KH' });
    expect(await removeUnnamed(db, store, key)).to.equal(true);
    let missing = false;
    await store.read(key).catch(() => (missing = true));
    expect(missing).to.equal(true);
  });
});
