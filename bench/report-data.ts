// A synthetic provincial report for the benchmark: N agencies in two ranking groups, the QĐ 922 main indices and
// pillars, M indicators per agency (an annex of N × M values with every kind of flag), targets, completeness and
// three periods of trend. Deterministic (the engine's seeded generator), so every run measures the same.
import { prng } from '../server/scoring/uncertainty.js';
import { competitionRanks } from '../server/scoring/rank.js';
import type { ReportAnnexRow, ReportData, ReportFlag, ReportGroup, ReportRankingRow } from '../reports/report.types.js';

const INDICES = [
  { code: 'NTS', name: 'Nhận thức số', max: 100 },
  { code: 'TCS', name: 'Thể chế số', max: 100 },
  { code: 'HTS', name: 'Hạ tầng số', max: 100 },
  { code: 'NLS', name: 'Nhân lực số', max: 100 },
  { code: 'ATTT', name: 'An toàn thông tin mạng', max: 100 },
  { code: 'HDCQS', name: 'Hoạt động chính quyền số', max: 200 },
  { code: 'HDKTS', name: 'Hoạt động kinh tế số', max: 150 },
  { code: 'HDXHS', name: 'Hoạt động xã hội số', max: 150 },
];
const SUBINDICES = [
  { code: 'CQS', name: 'Chính quyền số', max: 700 },
  { code: 'KTS', name: 'Kinh tế số', max: 650 },
  { code: 'XHS', name: 'Xã hội số', max: 650 },
];
const FLAGS: ReportFlag[] = ['reported', 'reported', 'reported', 'reported', 'reported', 'reported', 'adjusted', 'missing', 'carried', 'excluded'];

const round4 = (x: number): number => Math.round(x * 10_000) / 10_000;

/** Standard competition ranks of the rows by a value, in row order (the engine's own rule). */
function ranks(rows: ReportRankingRow[], value: (r: ReportRankingRow) => number): number[] {
  const byRow = competitionRanks(rows.map((r, i) => ({ key: i, value: value(r) })));
  return rows.map((_r, i) => byRow.get(i)!);
}

export function syntheticReport(agencies = 1000, indicators = 100): ReportData {
  const rnd = prng(20261122);
  const groupsSpec = [
    { code: 'so-nganh', name: 'Sở, ban, ngành', count: Math.round(agencies * 0.2) },
    { code: 'xa-phuong', name: 'UBND xã, phường', count: agencies - Math.round(agencies * 0.2) },
  ];
  const annex: ReportAnnexRow[] = [];
  let n = 0;
  const groups: ReportGroup[] = groupsSpec.map((g) => {
    const rows: ReportRankingRow[] = [];
    for (let i = 0; i < g.count; i += 1) {
      n += 1;
      const code = `DV${String(n).padStart(4, '0')}`;
      const agencyName = `${g.code === 'so-nganh' ? 'Sở' : 'UBND xã'} thử nghiệm số ${n}`;
      const indices: Record<string, number> = {};
      let points = 0;
      for (const c of INDICES) {
        const p = Math.round(rnd() * c.max * 100) / 100;
        indices[c.code] = round4(p / c.max);
        points += p;
      }
      const total = round4(points / 1000);
      rows.push({
        rank: null,
        agencyCode: code,
        agencyName,
        points: Math.round(points * 100) / 100,
        max: 1000,
        total,
        previousTotal: n % 7 === 0 ? null : round4(Math.min(1, Math.max(0, total + (rnd() - 0.5) / 5))),
        previousRank: null,
        indices,
        subindices: Object.fromEntries(SUBINDICES.map((s) => [s.code, { value: round4(rnd()), rank: null }])),
      });
      for (let k = 1; k <= indicators; k += 1) {
        const flag = FLAGS[Math.floor(rnd() * FLAGS.length)]!;
        const max = 10;
        const pts = flag === 'missing' || flag === 'excluded' ? 0 : Math.round(rnd() * max * 100) / 100;
        annex.push({
          agencyCode: code,
          agencyName,
          groupName: g.name,
          indicatorCode: `${INDICES[k % INDICES.length]!.code}.${k}`,
          indicatorName: `Chỉ số thành phần thử nghiệm số ${k} về chuyển đổi số`,
          selfValue: `${Math.round(rnd() * 50)}/50`,
          appraisedValue: flag === 'adjusted' ? `${Math.round(rnd() * 50)}/50` : '',
          points: pts,
          max: flag === 'excluded' ? 0 : max,
          flag,
        });
      }
    }
    const totalRanks = ranks(rows, (r) => r.total);
    rows.forEach((r, i) => {
      r.rank = totalRanks[i]!;
      r.previousRank = r.previousTotal === null ? null : Math.max(1, r.rank + Math.round((rnd() - 0.5) * 10));
    });
    for (const s of SUBINDICES) {
      const sr = ranks(rows, (r) => r.subindices[s.code]!.value!);
      rows.forEach((r, i) => (r.subindices[s.code]!.rank = sr[i]!));
    }
    return { code: g.code, name: g.name, ranked: true, rows };
  });
  return {
    issuer: { parent: 'ỦY BAN NHÂN DÂN TỈNH KHÁNH HÒA', name: 'Sở Khoa học và Công nghệ', place: 'Khánh Hòa' },
    number: '05/BC-SKHCN',
    date: '2026-12-15',
    subject: 'Kết quả đánh giá, xếp hạng mức độ chuyển đổi số năm 2026',
    period: { code: 'DTI-2026-N', name: 'Năm 2026', kind: 'annual', year: 2026, dataFrom: '2025-12-15', dataTo: '2026-12-14' },
    framework: { code: 'DTI', name: 'Bộ chỉ số thử nghiệm', version: 1 },
    publication: { number: 1, publishedAt: '2026-12-15' },
    runId: 1,
    indices: INDICES,
    subindices: SUBINDICES,
    groups,
    annex,
    targets: [
      { code: 'nop', name: 'Tỷ lệ hồ sơ nộp trực tuyến', indicatorCode: 'HDCQS.8', source: 'NQ 17/NQ-CP', target: 0.5, numerator: 61234, denominator: 100000, pooled: 0.6123, meanOfRates: 0.58, agencies, meeting: 600 },
    ],
    completeness: {
      dueOn: '2026-12-15',
      groups: groups.map((g) => ({ name: g.name, expected: g.rows.length, submitted: g.rows.length - 3, onTime: g.rows.length - 10, late: 7, missing: g.rows.slice(0, 3).map((r) => r.agencyName), lateAgencies: g.rows.slice(3, 10).map((r) => r.agencyName) })),
    },
    trend: ['Năm 2024', 'Năm 2025', 'Năm 2026'].map((p, i) => ({
      periodCode: p,
      periodName: p,
      means: Object.fromEntries(groups.map((g) => [g.name, round4(0.5 + i * 0.05)])),
    })),
  };
}
