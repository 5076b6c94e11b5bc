// The index run reads counted values as arrays in PostgreSQL's binary format (countedValueColumns, binary-arrays.ts).
// On both drivers every value must arrive exactly as stored: the same numbers (to the last of numeric(20,6)'s digits
// a double holds), nulls where nothing was given, options in Vietnamese, and the reviewer's value over the agency's.
import { expect } from 'chai';
import fc from 'fast-check';
import { bytesOf, numericInto } from '../../server/db/binary-arrays.js';
import { bootTestApp, type TestApp } from '../support/app.js';
import { agencyId, userId } from '../support/builders.js';
import { parseFramework } from '../../server/frameworks/framework.loader.js';
import type { Actor } from '../../server/auth/policy.js';
import { usingPostgres } from '../support/database.js';

const SOURCE = `
code: T-COLS
name: Bộ chỉ số thử đọc số liệu
version: 1
applies_to: [so-nganh]
periods: [annual]
nodes:
  - { code: R, name: Tỷ lệ, max: 10, input: { kind: ratio, numerator: Đạt, denominator: Tổng }, score: { rule: linear } }
  - { code: C, name: Số lượng, max: 10, input: { kind: count }, score: { rule: linear, full: 100 } }
  - code: K
    name: Lựa chọn
    max: 10
    input: { kind: choice, options: [{ code: đạt-đủ, label: Đạt đầy đủ, points: 10 }, { code: chưa, label: Chưa đạt, points: 0 }] }
    score: { rule: choice }
  - { code: P, name: Tỷ lệ phần trăm, max: 10, input: { kind: percent }, score: { rule: linear } }
`;

describe('counted values read as binary arrays', function () {
  let t: TestApp;
  before(async () => {
    t = await bootTestApp();
  });
  after(async () => t?.close());

  it('when values of every shape are approved, then the columns hold exactly what the value rows hold', async () => {
    const db = t.services.db;
    const def = parseFramework(SOURCE, 't-cols.yaml');
    const { id } = await t.services.frameworks.importFramework(def);
    const year = await t.services.periods.ensure({ id, code: def.code }, 'annual', 2026);
    const actor: Actor = { id: await userId(db, 'thamdinh'), username: 'thamdinh', fullName: 'Thẩm định', role: 'reviewer', agencyId: null };
    const v = (value: number | null, denominator: number | null = null, option: string | null = null) => ({ value, denominator, option });
    const agencies = [await agencyId(db, 'SNV'), await agencyId(db, 'STC')];
    await db.transaction(async (trx) => {
      await t.services.submissions.importSubmission(trx, actor, {
        agencyId: agencies[0]!,
        periodId: year.id,
        state: 'approved',
        values: [
          { code: 'R', self: v(12345678901234.123456, 99999999999998.5) },
          { code: 'C', self: v(0.000001), appraised: v(7), appraisalReason: 'Theo biên bản kiểm tra' },
          { code: 'K', self: v(null, null, 'đạt-đủ') },
          { code: 'P', self: v(null, 40) },
        ],
        evidence: [],
      }, 'test');
      await t.services.submissions.importSubmission(trx, actor, {
        agencyId: agencies[1]!,
        periodId: year.id,
        state: 'approved',
        values: [
          { code: 'R', self: v(3, 0) },
          { code: 'K', self: v(null, null, 'chưa'), appraised: v(null, null, 'đạt-đủ'), appraisalReason: 'Đã bổ sung' },
        ],
        evidence: [],
      }, 'test');
    });

    const columns = await t.services.submissions.countedValueColumns([year.id], null);
    const rows = await t.services.submissions.countedValues(year.id);
    const codeOf = new Map([...(await t.services.frameworks.nodeIds(id))].map(([code, nodeId]) => [nodeId, code]));
    const seen = columns.flatMap((c) =>
      Array.from(c.nodeIds, (nodeId, i) => ({
        agencyId: c.agencyId,
        code: codeOf.get(nodeId)!,
        value: Number.isNaN(c.values[i]!) ? null : c.values[i]!,
        denominator: Number.isNaN(c.denominators[i]!) ? null : c.denominators[i]!,
        option: c.options?.[i] ?? null,
        adjusted: c.adjusted?.[i] === 1,
      })),
    );
    const expected = rows.map((r) => {
      const recognised = r.appraised ?? r.self;
      return {
        agencyId: r.agencyId,
        code: r.code,
        value: recognised?.value ?? null,
        denominator: recognised?.denominator ?? null,
        option: recognised?.option ?? null,
        adjusted: r.appraised !== null,
      };
    });
    const order = (a: { agencyId: number; code: string }, b: { agencyId: number; code: string }): number => a.agencyId - b.agencyId || a.code.localeCompare(b.code);
    expect(seen.sort(order)).to.deep.equal(expected.sort(order));
    expect(seen).to.have.length(6);
    // The shapes the test is about are all there.
    expect(seen.find((s) => s.code === 'R' && s.agencyId === agencies[0])?.value).to.equal(12345678901234.123456);
    expect(seen.find((s) => s.code === 'P')).to.include({ value: null, denominator: 40 });
    expect(seen.find((s) => s.code === 'K' && s.agencyId === agencies[1])).to.include({ option: 'đạt-đủ', adjusted: true });

    // Read as a run reads them — a binary COPY on a connection of its own sharing the transaction's snapshot on
    // PostgreSQL, a cursor in the transaction on PGlite — a part at a time, they are the same columns.
    const streamed = await t.services.db.transaction(async (trx) => {
      const cursor = await t.services.submissions.countedValueCursor([year.id], trx);
      expect(cursor.alongside).to.equal(usingPostgres());
      const out = [];
      for (let part = await cursor.fetch(1); part.length > 0; part = await cursor.fetch(1)) out.push(...part);
      await cursor.close();
      return out;
    });
    expect(streamed).to.deep.equal(columns);

    // Only the agencies asked for, and nothing for a period without counted reports.
    const one = await t.services.submissions.countedValueColumns([year.id], [agencies[1]!]);
    expect(one.map((c) => c.agencyId)).to.deep.equal([agencies[1]]);
    expect(await t.services.submissions.countedValueColumns([], null)).to.deep.equal([]);
  });

  it('when any numeric(20,6) is sent as PostgreSQL sends it, then it reads as the double its float8 cast gives', async () => {
    const db = t.services.db;
    const decimal = fc
      .tuple(fc.boolean(), fc.stringMatching(/^[0-9]{1,14}$/), fc.stringMatching(/^[0-9]{0,6}$/))
      .map(([negative, whole, fraction]) => `${negative ? '-' : ''}${whole}${fraction ? `.${fraction}` : ''}`);
    await fc.assert(
      fc.asyncProperty(fc.array(decimal, { minLength: 1, maxLength: 50 }), async (texts) => {
        const { rows } = await db.raw('SELECT array_send(?::numeric(20,6)[]) AS sent, ?::numeric(20,6)[]::float8[] AS cast', [texts, texts]);
        const out = new Float64Array(texts.length);
        numericInto(bytesOf(rows[0].sent), out, 0);
        expect(Array.from(out)).to.deep.equal((rows[0].cast as number[]).map(Number));
      }),
      { numRuns: 40 },
    );
  });
});
