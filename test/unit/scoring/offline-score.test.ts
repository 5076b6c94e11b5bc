// `dti score`: the offline computation, through its functions and by spawning the command as an analyst would.
import { expect } from 'chai';
import { spawn } from 'node:child_process';
import { mkdtemp, rm, writeFile, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse } from 'csv-parse/sync';
import { AppError } from '../../../server/errors.js';
import { loadFrameworkFile } from '../../../server/frameworks/framework.loader.js';
import type { FrameworkDef } from '../../../server/frameworks/framework.types.js';
import { offlineCsv, parseAgenciesCsv, parseValuesCsv, scoreOffline } from '../../../server/scoring/offline-score.js';

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const FW_922 = join(ROOT, 'frameworks/dti-922-province.yaml');
const FW_SO = join(ROOT, 'frameworks/dti-so.yaml');
const DTI = join(ROOT, 'server/dti.mjs');

/** Province A of test/unit/scoring/reference-frameworks.test.ts: 710 points; B ties it; C has 500. */
const VALUES_922 = `agency,indicator,value
A,NTS,0.8
A,TCS,0.7
A,HTS,0.9
A,NLS,0.6
A,ATTT,0.5
A,DTTM,0.3
A,HDCQS,0.75
A,HDKTS,0.6
A,HDXHS,0.8
B,NTS,1
B,TCS,0.5
B,HTS,0.9
B,NLS,0.6
B,ATTT,0.5
B,HDCQS,0.75
B,HDKTS,0.6
B,HDXHS,0.8
C,NTS,0.5
C,TCS,0.5
C,HTS,0.5
C,NLS,0.5
C,ATTT,0.5
C,HDCQS,0.5
C,HDKTS,0.5
C,HDXHS,0.5
`;

function refusal(run: () => unknown): AppError {
  try {
    run();
  } catch (error) {
    if (error instanceof AppError) return error;
    throw error;
  }
  throw new Error('expected an AppError');
}

interface Spawned {
  code: number | null;
  stdout: string;
  stderr: string;
}

function dti(args: string[]): Promise<Spawned> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [DTI, ...args], { cwd: ROOT, env: { ...process.env, LOG_LEVEL: 'silent' } });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

describe('offline scoring (dti score) — functions', () => {
  let fw922: FrameworkDef;
  let so: FrameworkDef;
  before(async () => {
    fw922 = await loadFrameworkFile(FW_922);
    so = await loadFrameworkFile(FW_SO);
  });

  it('when the 922 values are scored, then the rows carry total, rank and every main index and pillar with its rank', () => {
    const values = parseValuesCsv(VALUES_922, 'values.csv', fw922, null);
    const list = ['A', 'B', 'C'].map((code) => ({ code, name: code, group: 'tinh' }));
    const rows = parse(offlineCsv(scoreOffline(fw922, list, values, 'annual')), { columns: true }) as Array<Record<string, string>>;
    // A and B: 710 / 1000, tied first; C: 500 / 1000, third. B's DTTM is not reported (no points either way).
    expect(rows.map((r) => [r.agency, r.points, r.max, r.total, r.rank])).to.deep.equal([
      ['A', '710', '1000', '0.7100', '1'],
      ['B', '710', '1000', '0.7100', '1'],
      ['C', '500', '1000', '0.5000', '3'],
    ]);
    expect(Object.keys(rows[0]!).slice(0, 8)).to.deep.equal(['agency', 'group', 'points', 'max', 'total', 'rank', 'NTS', 'NTS_rank']);
    expect(rows[0]).to.include({ CQS: '0.7143', CQS_rank: '1', KTS: '0.6769', XHS: '0.7231', 'NEN-TANG': '0.7000', DTTM: '', DTTM_rank: '' });
    expect(rows.map((r) => r.NTS_rank)).to.deep.equal(['2', '1', '3']);
  });

  it('when a choice, a yes/no and a ratio are given, then they are read as the entry form reads them', () => {
    const csv = 'agency,indicator,value,denominator\nSNV,NTS.1,cap-pho,\nSNV,NTS.3,co,\nSNV,NLS.1,30,40\n';
    const values = parseValuesCsv(csv, 'v.csv', so, null).values.get('SNV')!;
    expect(values['NTS.1']?.value).to.deep.equal({ value: null, denominator: null, option: 'cap-pho' });
    expect(values['NTS.3']?.value).to.deep.equal({ value: 1, denominator: null, option: null });
    expect(values['NLS.1']?.value).to.deep.equal({ value: 30, denominator: 40, option: null });
  });

  interface Bad {
    when: string;
    csv: string;
    says: string;
  }
  const bad: Bad[] = [
    { when: 'an indicator is unknown', csv: 'agency,indicator,value\nSNV,NLS.99,1\n', says: 'v.csv, dòng 2: chỉ số "NLS.99" không có' },
    { when: 'a ratio has no denominator', csv: 'agency,indicator,value\nSNV,NLS.1,30\n', says: 'v.csv, dòng 2: Chỉ số NLS.1' },
    { when: 'a value is not a number', csv: 'agency,indicator,value,denominator\nSNV,NLS.1,ba mươi,40\n', says: 'giá trị phải là một số' },
    { when: 'a choice option is unknown', csv: 'agency,indicator,value\nSNV,NTS.1,giam-doc\n', says: 'lựa chọn không có trong danh sách' },
    { when: 'a non-ratio has a denominator', csv: 'agency,indicator,value,denominator\nSNV,NTS.2,3,4\n', says: 'không phải tỷ lệ nên không có mẫu số' },
    { when: 'a value repeats', csv: 'agency,indicator,value\nSNV,NTS.2,3\nSNV,NTS.2,4\n', says: 'v.csv, dòng 3: đơn vị SNV đã có giá trị chỉ số NTS.2' },
    { when: 'the header lacks a column', csv: 'agency,value\nSNV,3\n', says: 'v.csv, dòng 1: thiếu cột "indicator"' },
    { when: 'the header has an unknown column', csv: 'agency,indicator,value,comment\nSNV,NTS.2,3,x\n', says: 'cột "comment" không được hỗ trợ' },
    { when: 'a line has too many fields', csv: 'agency,indicator,value\nSNV,NTS.2,3,4\n', says: 'v.csv, dòng 2: không đọc được tệp CSV' },
  ];
  for (const b of bad) {
    it(`when ${b.when}, then the file is refused naming the file, the line and the problem`, () => {
      expect(refusal(() => parseValuesCsv(b.csv, 'v.csv', so, null)).message).to.include(b.says);
    });
  }

  it('when the agency list names a group the framework does not have, then it is refused with the line', () => {
    const error = refusal(() => parseAgenciesCsv('agency,name,group\nSNV,Sở Nội vụ,so-nganh\nX,Xã Y,xa\n', 'a.csv', so));
    expect(error.message).to.include('a.csv, dòng 3: khối "xa" không thuộc bộ chỉ số DTI-SO');
  });

  it('when values name an agency missing from the agency list, then it is refused', () => {
    expect(refusal(() => parseValuesCsv('agency,indicator,value\nSTC,NTS.2,3\n', 'v.csv', so, new Set(['SNV']))).message).to.include(
      'v.csv, dòng 2: đơn vị STC không có trong tệp danh sách đơn vị',
    );
  });

  it('when an agency in the list reported nothing, then it is scored with every value missing', () => {
    const values = parseValuesCsv('agency,indicator,value\nSNV,NTS.2,4\n', 'v.csv', so, null);
    const result = scoreOffline(so, [{ code: 'SNV', name: 'Sở Nội vụ', group: 'so-nganh' }, { code: 'STC', name: 'Sở Tài chính', group: 'so-nganh' }], values, 'annual');
    const stc = result.agencies.find((a) => a.agency === 'STC')!;
    expect(stc.points).to.equal(0);
    expect(stc.indicators.filter((i) => i.flag === 'missing').length).to.be.greaterThan(30);
    // NTS.2: 4 meetings → 20 points (steps 4 → 20).
    expect(result.agencies.find((a) => a.agency === 'SNV')!.indicators.find((i) => i.code === 'NTS.2')).to.include({ points: 20, flag: 'reported' });
  });

  it('when a value is NA, then the indicator or the whole index node leaves the agency\'s points and max', () => {
    // B without HDKTS (150 points) and without DTTM: 710 − 90 = 620 of 850 = 0.7294; A keeps 710 of 1000.
    const csv = `${VALUES_922}B,DTTM,na\n`.replace('B,HDKTS,0.6', 'B,HDKTS,NA');
    const values = parseValuesCsv(csv, 'v.csv', fw922, null);
    expect(values.notApplicable.get('B')).to.deep.equal(['HDKTS', 'DTTM']);
    const result = scoreOffline(fw922, ['A', 'B'].map((code) => ({ code, name: code, group: 'tinh' })), values, 'annual');
    const b = result.agencies.find((a) => a.agency === 'B')!;
    expect([b.points, b.max, b.total]).to.deep.equal([620, 850, 0.7294]);
    expect(b.indicators.find((i) => i.code === 'HDKTS')?.flag).to.equal('not_applicable');
    const so2 = parseValuesCsv('agency,indicator,value\nSNV,HDCQS,KAD\n', 'v.csv', so, null);
    const snv = scoreOffline(so, [{ code: 'SNV', name: 'SNV', group: 'so-nganh' }], so2, 'annual').agencies[0]!;
    // HDCQS (500) leaves; of the foundation's 500, TCS.5 (20) and ATTT.1 (30) are "exclude" and not reported: 450.
    expect(snv.max).to.equal(450);
  });

  it('when the order of the value lines changes, then the output does not', () => {
    const lines = VALUES_922.trim().split('\n');
    const reversed = [lines[0], ...lines.slice(1).reverse()].join('\n');
    const list = ['A', 'B', 'C'].map((code) => ({ code, name: code, group: 'tinh' }));
    const score = (csv: string): string => offlineCsv(scoreOffline(fw922, list, parseValuesCsv(csv, 'v.csv', fw922, null), 'annual'));
    expect(score(reversed)).to.equal(score(VALUES_922));
  });
});

describe('offline scoring (dti score) — the command', function () {
  this.timeout(60_000);
  let dir: string;
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'dti-score-'));
    await writeFile(join(dir, 'values.csv'), VALUES_922);
    await writeFile(join(dir, 'agencies.csv'), 'agency,name,group\nA,Tỉnh A,tinh\nB,Tỉnh B,tinh\nC,Tỉnh C,tinh\nD,Tỉnh D,tinh\n');
    await writeFile(join(dir, 'bad.csv'), 'agency,indicator,value\nA,NTS,1.5\n');
  });
  after(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('when run on a framework and values, then it prints one CSV row per agency and exits 0', async () => {
    const r = await dti(['score', '--framework', FW_922, '--values', join(dir, 'values.csv')]);
    expect(r.code, r.stderr).to.equal(0);
    const rows = parse(r.stdout, { columns: true }) as Array<Record<string, string>>;
    expect(rows.map((x) => [x.agency, x.group, x.total, x.rank])).to.deep.equal([
      ['A', 'tinh', '0.7100', '1'],
      ['B', 'tinh', '0.7100', '1'],
      ['C', 'tinh', '0.5000', '3'],
    ]);
  });

  it('when asked for JSON with an agency list, then agencies without values are scored too and named', async () => {
    const r = await dti(['score', '--framework', FW_922, '--values', join(dir, 'values.csv'), '--agencies', join(dir, 'agencies.csv'), '--format', 'json']);
    expect(r.code, r.stderr).to.equal(0);
    const out = JSON.parse(r.stdout) as { framework: { code: string }; agencies: Array<{ agency: string; name: string; total: number; rank: number; subindices: Array<{ code: string; value: number; rank: number }> }> };
    expect(out.framework.code).to.equal('DTI-922-TINH');
    expect(out.agencies.map((a) => [a.agency, a.name, a.total, a.rank])).to.deep.equal([
      ['A', 'Tỉnh A', 0.71, 1],
      ['B', 'Tỉnh B', 0.71, 1],
      ['C', 'Tỉnh C', 0.5, 3],
      ['D', 'Tỉnh D', 0, 4],
    ]);
    expect(out.agencies[0]!.subindices.find((s) => s.code === 'XHS')).to.deep.include({ value: 0.7231, rank: 1 });
  });

  it('when --out is given, then the CSV goes to that file', async () => {
    const file = join(dir, 'out.csv');
    const r = await dti(['score', '--framework', FW_922, '--values', join(dir, 'values.csv'), '--out', file]);
    expect(r.code, r.stderr).to.equal(0);
    expect(await readFile(file, 'utf8')).to.match(/^agency,group,points,max,total,rank,NTS,NTS_rank/);
  });

  it('when a value is out of range, then it names the file and line and exits non-zero', async () => {
    const r = await dti(['score', '--framework', FW_922, '--values', join(dir, 'bad.csv')]);
    expect(r.code).to.equal(65);
    expect(r.stderr).to.include(`${join(dir, 'bad.csv')}, dòng 2: Chỉ số NTS (Nhận thức số): giá trị phải từ 0 đến 1.`);
    expect(r.stdout).to.equal('');
  });

  it('when the framework file is broken, then the loader names the file and rule and exits non-zero', async () => {
    const r = await dti(['score', '--framework', join(dir, 'values.csv'), '--values', join(dir, 'values.csv')]);
    expect(r.code).to.equal(65);
    expect(r.stderr).to.include('values.csv').and.include('rule schema');
  });

  it('when a file is missing or the format unknown, then it says so and exits non-zero', async () => {
    const missing = await dti(['score', '--framework', FW_922, '--values', join(dir, 'nope.csv')]);
    expect(missing.code).to.equal(65);
    expect(missing.stderr).to.include('nope.csv: không đọc được tệp (ENOENT)');
    const format = await dti(['score', '--framework', FW_922, '--values', join(dir, 'values.csv'), '--format', 'xlsx']);
    expect(format.code).to.equal(65);
    expect(format.stderr).to.include('--format phải là csv hoặc json');
  });
});
