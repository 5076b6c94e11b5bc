// Nothing lost: the audit chain is verified and its first broken link named; a backup of the database and the
// evidence files restores into an empty database (either engine) with every row, file and hash link intact, and a
// restore refuses to overwrite data, a truncated archive or a foreign file.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import zlib from 'node:zlib';
import { expect } from 'chai';
import { bootTestApp, type TestApp } from '../support/app.js';
import { freshDatabase, usingPostgres, type TestDatabase } from '../support/database.js';
import { runDti } from '../support/processes.js';
import { AuditService } from '../../server/audit/audit.service.js';
import { BackupService } from '../../server/backup/backup.service.js';
import type { Db } from '../../server/db/database.js';

/** Every table's rows, as PostgreSQL prints them, sorted: two databases with equal dumps hold the same data. */
async function dump(db: Db): Promise<Record<string, string[]>> {
  const tables = (
    await db.raw(
      `SELECT c.relname AS name FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
        WHERE n.nspname = current_schema() AND c.relkind = 'r' AND c.relname NOT LIKE 'knex_%' ORDER BY 1`,
    )
  ).rows as Array<{ name: string }>;
  const out: Record<string, string[]> = {};
  for (const { name } of tables) {
    const r = await db.raw('SELECT row_to_json(t)::text AS j FROM ?? t', [name]);
    out[name] = (r.rows as Array<{ j: string }>).map((x) => x.j).sort();
  }
  return out;
}

async function breakEvent(db: Db, id: number, change: 'update' | 'delete'): Promise<void> {
  await db.transaction(async (trx) => {
    await trx.raw('ALTER TABLE audit_events DISABLE TRIGGER audit_events_no_update');
    if (change === 'update') await trx('audit_events').where({ id }).update({ reason: 'Sửa lén sau khi ghi' });
    else await trx('audit_events').where({ id }).delete();
    await trx.raw('ALTER TABLE audit_events ENABLE TRIGGER audit_events_no_update');
  });
}

describe('audit chain verification', function () {
  this.timeout(180_000);
  let t: TestApp;
  before(async () => {
    t = await bootTestApp();
  });
  after(async () => t?.close());

  it('when nothing was tampered with, then every event of the demo province checks out', async () => {
    const r = await t.services.audit.verify();
    expect(r.broken).to.equal(undefined);
    expect(r.checked).to.equal(Number((await t.services.db('audit_events').count('* as n'))[0]!.n));
    expect(r.checked).to.be.greaterThan(10);
  });

  it('when one event is edited with the trigger disabled, then verification names exactly that event', async () => {
    const ids = (await t.services.db('audit_events').orderBy('id').select('id')).map((r) => Number(r.id));
    const target = ids[Math.floor(ids.length / 2)]!;
    await breakEvent(t.services.db, target, 'update');
    const r = await t.services.audit.verify();
    expect(r.broken).to.deep.equal({ id: target, reason: 'hash' });
    expect(r.checked).to.equal(ids.indexOf(target));
  });

  it('when the chain is broken and `dti audit verify` runs against the database, then it names the event and exits 65', async function () {
    if (!usingPostgres()) this.skip(); // an in-memory PGlite cannot be opened by a second process
    const first = (await t.services.audit.verify()).broken!.id;
    const r = await runDti(['audit', 'verify'], { DATABASE_URL: t.database.url });
    expect(r.code, r.output).to.equal(65);
    expect(r.output).to.include(`Chuỗi nhật ký bị phá vỡ tại sự kiện #${first}: nội dung không khớp mã băm`);
  });

  it('when an event is deleted, then verification stops at the event after the gap', async () => {
    const db = await freshDatabase();
    try {
      const audit = new AuditService(db.db, () => new Date('2026-11-22T02:00:00Z'));
      await db.db.transaction(async (trx) => {
        for (let i = 0; i < 5; i += 1) {
          await audit.record(trx, null, [{ action: 'seed', entity: 'test', entityId: i, after: { b: i, a: [i, { z: 1, y: 'Đ' }] } }]);
        }
      });
      expect((await audit.verify()).broken).to.equal(undefined);
      const ids = (await db.db('audit_events').orderBy('id').select('id')).map((r) => Number(r.id));
      await breakEvent(db.db, ids[2]!, 'delete');
      expect((await audit.verify()).broken).to.deep.equal({ id: ids[3], reason: 'prev_hash' });
    } finally {
      await db.drop();
    }
  });
});

describe('backup and restore', function () {
  this.timeout(300_000);
  let t: TestApp;
  let work: string;
  let archive: string;
  const files: Record<string, Buffer> = {
    '2026/SNV/bien-ban <họp> "1".pdf': Buffer.from('%PDF-1.4 giả lập biên bản họp'),
    '2026/STC/ke-hoach.docx': Buffer.from([0x50, 0x4b, 0x03, 0x04, 0, 1, 2, 3, 255]),
    'readme.txt': Buffer.from('tệp minh chứng\n'),
  };

  before(async () => {
    t = await bootTestApp();
    work = fs.mkdtempSync(path.join(os.tmpdir(), 'dti-backup-'));
    const dir = path.join(work, 'source/files');
    for (const [rel, body] of Object.entries(files)) {
      fs.mkdirSync(path.dirname(path.join(dir, rel)), { recursive: true });
      fs.writeFileSync(path.join(dir, rel), body);
    }
    archive = path.join(work, 'sao-luu.dtibak');
    // Regeneration requests (migration 071), so the round trip covers them: one done, one failed with its reason.
    const db = t.services.db;
    const period = (await db('periods').first('id'))!.id as number;
    const by = (await db('users').where({ username: 'quantri' }).first('id'))!.id as number;
    await db('report_requests').insert([
      { period_id: period, requested_by: by, requested_at: new Date('2026-11-20T02:00:00Z'), status: 'done', attempts: 1, files: 4, finished_at: new Date('2026-11-20T02:01:00Z') },
      { period_id: period, requested_by: by, requested_at: new Date('2026-11-21T02:00:00Z'), status: 'failed', attempts: 1, error: 'Không tạo được báo cáo: "lỗi" thử' },
    ]);
  });
  after(async () => {
    await t?.close();
    if (work) fs.rmSync(work, { recursive: true, force: true });
  });

  const serviceFor = (db: Db, dir: string): BackupService => new BackupService(db, path.join(work, dir, 'files'), new AuditService(db));

  it('when the database and files are backed up and restored into an empty database, then every row, file and audit link comes back', async () => {
    const summary = await serviceFor(t.services.db, 'source').backup(archive);
    expect(summary.files).to.equal(3);
    expect(summary.tables.audit_events).to.be.greaterThan(0);
    const target: TestDatabase = await freshDatabase();
    try {
      const r = await serviceFor(target.db, 'target').restore(archive);
      expect(r.audit.broken).to.equal(undefined);
      expect(r.audit.checked).to.equal(summary.tables.audit_events);
      expect(await dump(target.db)).to.deep.equal(await dump(t.services.db));
      for (const [rel, body] of Object.entries(files)) {
        expect(fs.readFileSync(path.join(work, 'target/files', rel)).equals(body), rel).to.equal(true);
      }
      // Sequences moved past the restored ids: new rows get fresh ids.
      const maxId = Number((await target.db('agencies').max('id as m'))[0]!.m);
      const [row] = await target.db('ranking_groups').insert({ code: 'moi', name: 'Khối mới' }).returning('id');
      expect(row.id).to.be.greaterThan(0);
      const [agency] = await target.db('agencies').insert({ code: 'MOI', name: 'Đơn vị mới', kind: 'other' }).returning('id');
      expect(agency.id).to.be.greaterThan(maxId);
    } finally {
      await target.drop();
    }
  });

  it('when the target database already has data, then the restore is refused and nothing changes; with --force it replaces the data', async () => {
    const target = await freshDatabase();
    try {
      await target.db('ranking_groups').insert({ code: 'cu', name: 'Dữ liệu cũ' });
      const svc = serviceFor(target.db, 'occupied');
      let err: Error | undefined;
      await svc.restore(archive).catch((e: Error) => (err = e));
      expect(err?.message).to.include('Cơ sở dữ liệu đích đã có dữ liệu.');
      expect(await target.db('ranking_groups').select('code')).to.deep.equal([{ code: 'cu' }]);
      const r = await svc.restore(archive, { force: true });
      expect(r.audit.broken).to.equal(undefined);
      expect(await dump(target.db)).to.deep.equal(await dump(t.services.db));
    } finally {
      await target.drop();
    }
  });

  it('when the archive is truncated, then the restore is refused and the empty database stays empty', async () => {
    const whole = zlib.gunzipSync(fs.readFileSync(archive)).toString();
    const cut = path.join(work, 'cut.dtibak');
    fs.writeFileSync(cut, zlib.gzipSync(whole.slice(0, Math.floor(whole.length * 0.7))));
    const target = await freshDatabase();
    try {
      let err: Error | undefined;
      await serviceFor(target.db, 'cut').restore(cut).catch((e: Error) => (err = e));
      expect(err?.message).to.match(/bị cắt cụt hoặc hỏng|bị hỏng/);
      expect(await target.db('agencies').count('* as n')).to.deep.equal([{ n: 0 }]);
      expect(await target.db('audit_events').count('* as n')).to.deep.equal([{ n: 0 }]);
      expect(fs.existsSync(path.join(work, 'cut/files'))).to.equal(false);
    } finally {
      await target.drop();
    }
  });

  it('when the file is not a backup, then the restore is refused with a clear message', async () => {
    const junk = path.join(work, 'junk.dtibak');
    fs.writeFileSync(junk, zlib.gzipSync('{"hello":"world"}\n'));
    const target = await freshDatabase();
    try {
      let err: Error | undefined;
      await serviceFor(target.db, 'junk').restore(junk).catch((e: Error) => (err = e));
      expect(err?.message).to.equal('Tệp không phải bản sao lưu của nền tảng DTI.');
    } finally {
      await target.drop();
    }
  });

  it('when `dti backup` and `dti restore` run as commands against PostgreSQL, then the restored database equals the source', async function () {
    if (!usingPostgres()) this.skip();
    const out = path.join(work, 'cli.dtibak');
    const b = await runDti(['backup', '--out', out], { DATABASE_URL: t.database.url, DATA_DIR: path.join(work, 'source') });
    expect(b.code, b.output).to.equal(0);
    expect(b.output).to.match(/Đã sao lưu \d+ bảng \(\d+ bản ghi\) và 3 tệp/);
    const target = await freshDatabase();
    try {
      const again = await runDti(['restore', out], { DATABASE_URL: target.url, DATA_DIR: path.join(work, 'cli-target') });
      expect(again.code, again.output).to.equal(0);
      expect(again.output).to.include('Chuỗi nhật ký toàn vẹn');
      expect(await dump(target.db)).to.deep.equal(await dump(t.services.db));
      const refused = await runDti(['restore', out], { DATABASE_URL: target.url, DATA_DIR: path.join(work, 'cli-target') });
      expect(refused.code).to.equal(65);
      expect(refused.output).to.include('Cơ sở dữ liệu đích đã có dữ liệu.');
    } finally {
      await target.drop();
    }
  });
});
