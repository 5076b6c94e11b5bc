// A demo province for `dti seed`, screenshots and tests: Khánh Hòa after the 2025 reorganisation, its departments
// and its communes and wards, one user per role, and believable reported values and evidence for any indicator.
// Plain data and pure functions only — no database, no HTTP — so the seeder, the benchmarks and the unit tests share
// it. Values are pseudo-random but deterministic: a hash of the arguments seeds a small generator (no Math.random),
// so the same agency, indicator, year and half always give the same value.

import type { IndicatorDef } from '../frameworks/framework.types.js';
import type { ReportedValue } from '../scoring/scoring.types.js';
import { prng as mulberry32 } from '../scoring/uncertainty.js';

export const DEMO_PROVINCE = {
  code: 'KH',
  name: 'Tỉnh Khánh Hòa',
  parentName: 'ỦY BAN NHÂN DÂN TỈNH KHÁNH HÒA',
  /** Sở Khoa học và Công nghệ: took over Sở Thông tin và Truyền thông on 1/3/2025 and runs the DTI. */
  departmentCode: 'SKHCN',
} as const;

/** Password of every demo user; the seeder hashes it like any other. */
export const DEMO_PASSWORD = 'demo@2026';

export type DemoGroupCode = 'so-nganh' | 'xa' | 'phuong';

export interface DemoRankingGroup {
  code: DemoGroupCode;
  name: string;
  ranked: boolean;
  sortOrder: number;
}

export type DemoAgencyKind = 'province' | 'department' | 'commune' | 'ward';

export interface DemoAgency {
  code: string;
  name: string;
  kind: DemoAgencyKind;
  /** Code of the parent agency; null for the province root. */
  parent: string | null;
  /** Ranking group code; null for the province root, which is not assessed. */
  group: DemoGroupCode | null;
}

export type DemoRole = 'reporter' | 'head' | 'reviewer' | 'admin' | 'leader';

export interface DemoUser {
  username: string;
  fullName: string;
  role: DemoRole;
  /** Agency code; every demo user belongs to one. */
  agency: string | null;
  email: string;
}

/** A document reference backing a value (số ký hiệu, ngày ban hành, trích yếu, cơ quan ban hành). */
export interface DemoEvidence {
  docNumber: string;
  /** ISO date (YYYY-MM-DD) inside the annual data window: 15/12 of the previous year to 14/12. */
  issuedOn: string;
  summary: string;
  issuer: string;
}

/** H1: the semiannual report (15/12 of the previous year to 14/6); Y: the annual one (to 14/12). */
export type DemoHalf = 'H1' | 'Y';

export const demoRankingGroups: DemoRankingGroup[] = [
  { code: 'so-nganh', name: 'Sở, ban, ngành', ranked: true, sortOrder: 1 },
  { code: 'xa', name: 'UBND xã', ranked: true, sortOrder: 2 },
  { code: 'phuong', name: 'UBND phường', ranked: true, sortOrder: 3 },
];

export const PROVINCE_ROOT_CODE = 'UBND-KH';

/**
 * Provincial agencies after the 2025 mergers (specialised departments cut to the post-merger list; Sở TT&TT into
 * Sở KH&CN, Sở KH&ĐT into Sở Tài chính, Sở LĐ-TB&XH split between Sở Nội vụ and others). Khánh Hòa keeps a
 * separate Sở Du lịch beside Sở Văn hóa và Thể thao.
 */
const DEPARTMENTS: ReadonlyArray<readonly [code: string, name: string]> = [
  ['SNV', 'Sở Nội vụ'],
  ['STC', 'Sở Tài chính'],
  ['SKHCN', 'Sở Khoa học và Công nghệ'],
  ['STP', 'Sở Tư pháp'],
  ['SCT', 'Sở Công Thương'],
  ['SXD', 'Sở Xây dựng'],
  ['SNNMT', 'Sở Nông nghiệp và Môi trường'],
  ['SGDDT', 'Sở Giáo dục và Đào tạo'],
  ['SYT', 'Sở Y tế'],
  ['SVHTT', 'Sở Văn hóa và Thể thao'],
  ['SDL', 'Sở Du lịch'],
  ['SDTTG', 'Sở Dân tộc và Tôn giáo'],
  ['SNGV', 'Sở Ngoại vụ'],
  ['VPUB', 'Văn phòng UBND tỉnh'],
  ['TTR', 'Thanh tra tỉnh'],
  ['BQLKKT', 'Ban Quản lý Khu kinh tế Vân Phong'],
  ['BQLVNT', 'Ban Quản lý vịnh Nha Trang'],
  ['BPTTH', 'Báo và Phát thanh, Truyền hình Khánh Hòa'],
  ['DHKH', 'Trường Đại học Khánh Hòa'],
  ['BQLDA', 'Ban Quản lý dự án đầu tư xây dựng các công trình dân dụng và công nghiệp tỉnh'],
];

/**
 * Agencies that handle no administrative procedures of their own: their public-service rates have no denominator,
 * which the frameworks' "exclude" policy leaves out of the max.
 */
const WITHOUT_PUBLIC_SERVICES: ReadonlySet<string> = new Set(['BPTTH', 'DHKH', 'BQLDA']);

/** Wards and communes in the style of Khánh Hòa after 1/7/2025 (two-tier government, no districts). */
const WARDS = [
  'Nha Trang', 'Bắc Nha Trang', 'Tây Nha Trang', 'Nam Nha Trang', 'Bắc Cam Ranh', 'Cam Ranh', 'Cam Linh',
  'Ba Ngòi', 'Ninh Hòa', 'Đông Ninh Hòa', 'Hòa Thắng', 'Phan Rang', 'Đông Hải', 'Ninh Chử',
] as const;

const COMMUNES = [
  'Vạn Ninh', 'Vạn Hưng', 'Vạn Thắng', 'Tu Bông', 'Đại Lãnh', 'Diên Khánh', 'Diên Lạc', 'Diên Điền', 'Diên Lâm',
  'Diên Thọ', 'Suối Hiệp', 'Cam Lâm', 'Suối Dầu', 'Cam Hiệp', 'Cam An', 'Nam Cam Ranh', 'Khánh Vĩnh',
  'Nam Khánh Vĩnh', 'Bắc Khánh Vĩnh', 'Khánh Sơn', 'Tây Khánh Sơn', 'Ninh Phước', 'Thuận Nam', 'Ninh Hải',
  'Ninh Sơn', 'Bác Ái',
] as const;

/** "Bắc Nha Trang" → "BACNHATRANG": diacritics dropped, đ → d, spaces removed, upper case. */
export function asciiCode(name: string): string {
  return name
    .normalize('NFD')
    .replace(/\p{Mn}/gu, '')
    .replace(/đ/g, 'd')
    .replace(/Đ/g, 'D')
    .replace(/[^A-Za-z0-9]/g, '')
    .toUpperCase();
}

export const demoAgencies: DemoAgency[] = [
  { code: PROVINCE_ROOT_CODE, name: 'UBND tỉnh Khánh Hòa', kind: 'province', parent: null, group: null },
  ...DEPARTMENTS.map(([code, name]): DemoAgency => ({
    code,
    name,
    kind: 'department',
    parent: PROVINCE_ROOT_CODE,
    group: 'so-nganh',
  })),
  ...WARDS.map((name): DemoAgency => ({
    code: `P-${asciiCode(name)}`,
    name: `Phường ${name}`,
    kind: 'ward',
    parent: PROVINCE_ROOT_CODE,
    group: 'phuong',
  })),
  ...COMMUNES.map((name): DemoAgency => ({
    code: `X-${asciiCode(name)}`,
    name: `Xã ${name}`,
    kind: 'commune',
    parent: PROVINCE_ROOT_CODE,
    group: 'xa',
  })),
];

export const demoUsers: DemoUser[] = [
  { username: 'chuyenvien', fullName: 'Nguyễn Thị Minh Thư', role: 'reporter', agency: 'SNV', email: 'chuyenvien@khanhhoa.gov.vn' },
  { username: 'lanhdao', fullName: 'Trần Văn Hùng', role: 'head', agency: 'SNV', email: 'lanhdao@khanhhoa.gov.vn' },
  { username: 'thamdinh', fullName: 'Lê Thị Thu Hà', role: 'reviewer', agency: 'SKHCN', email: 'thamdinh@khanhhoa.gov.vn' },
  { username: 'quantri', fullName: 'Phạm Quốc Bảo', role: 'admin', agency: 'SKHCN', email: 'quantri@khanhhoa.gov.vn' },
  { username: 'lanhdaotinh', fullName: 'Võ Thanh Sơn', role: 'leader', agency: PROVINCE_ROOT_CODE, email: 'lanhdaotinh@khanhhoa.gov.vn' },
  { username: 'chuyenvien.xa', fullName: 'Đặng Thị Ngọc Lan', role: 'reporter', agency: 'X-VANNINH', email: 'chuyenvien.xa@khanhhoa.gov.vn' },
  { username: 'lanhdao.xa', fullName: 'Huỳnh Văn Tâm', role: 'head', agency: 'X-VANNINH', email: 'lanhdao.xa@khanhhoa.gov.vn' },
  { username: 'chuyenvien.stc', fullName: 'Bùi Thị Hồng Nhung', role: 'reporter', agency: 'STC', email: 'chuyenvien.stc@khanhhoa.gov.vn' },
];

const agencyByCode = new Map(demoAgencies.map((a) => [a.code, a]));

// ---------------------------------------------------------------------------------------------------------------
// Deterministic randomness

/** 32-bit FNV-1a over the UTF-16 code units, with a final avalanche so close strings seed far apart. */
function xfnv1a(text: string): number {
  let h = 2166136261 >>> 0;
  for (let i = 0; i < text.length; i += 1) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 16777619);
  }
  h += h << 13;
  h ^= h >>> 7;
  h += h << 3;
  h ^= h >>> 17;
  h += h << 5;
  return h >>> 0;
}

/** A generator seeded by the given parts, e.g. rng('cap', 'SNV'). */
function rng(...parts: Array<string | number>): () => number {
  return mulberry32(xfnv1a(parts.join('|')));
}

const clamp = (x: number, lo: number, hi: number): number => Math.min(hi, Math.max(lo, x));
const between = (r: () => number, lo: number, hi: number): number => lo + (hi - lo) * r();
const intBetween = (r: () => number, lo: number, hi: number): number => Math.floor(between(r, lo, hi + 1));

// ---------------------------------------------------------------------------------------------------------------
// Values

const BASE_YEAR = 2025;
/** Share of values left unreported, so the missing-data flags show. */
const MISSING_SHARE = 0.03;

const isLocal = (kind: DemoAgencyKind): boolean => kind === 'commune' || kind === 'ward';

function kindOf(agencyCode: string): DemoAgencyKind {
  return agencyByCode.get(agencyCode)?.kind ?? 'department';
}

/**
 * How far along an agency is, in [0, 1]: a fixed capability per agency plus a few points a year, so 2026 looks a
 * little better than 2025 and the trend charts have something to show.
 */
function levelOf(agencyCode: string, year: number): number {
  const capability = between(rng('capability', agencyCode), 0.55, 0.92);
  return clamp(capability + 0.05 * (year - BASE_YEAR), 0.05, 0.99);
}

/**
 * The agency's achievement on one indicator, in [0, 1]. The per-indicator offset does not depend on the year, so an
 * agency's weak spots persist from one year to the next; about one indicator in twelve is a weak spot.
 */
function shareFor(agencyCode: string, code: string, year: number, half: DemoHalf): number {
  const fixed = rng('offset', agencyCode, code);
  const offset = between(fixed, -0.12, 0.1);
  const weak = fixed() < 0.08;
  const jitter = between(rng('jitter', agencyCode, code, year, half), -0.03, 0.03);
  const level = levelOf(agencyCode, year);
  const share = weak ? level * 0.45 + offset / 2 : level + offset;
  return clamp(share + jitter, 0.03, 1);
}

/** Flows (documents, dossiers) over half a year are about half the year's; a little growth from year to year. */
function flowScale(year: number, half: DemoHalf): number {
  return (half === 'H1' ? 0.48 : 1) * (1 + 0.06 * (year - BASE_YEAR));
}

/** Headcount of the agency: officials 30–400 in a department, 15–40 in a commune or ward. Stable over time. */
function officialsOf(agencyCode: string): number {
  const r = rng('officials', agencyCode);
  return isLocal(kindOf(agencyCode)) ? intBetween(r, 15, 40) : intBetween(r, 30, 400);
}

/**
 * A plausible denominator for a ratio, chosen from what its label counts. The same thing (officials, computers,
 * dossiers) gets the same number across the indicators of one agency and period.
 */
function denominatorFor(label: string, agencyCode: string, year: number, half: DemoHalf): number {
  const text = label.toLocaleLowerCase('vi');
  const kind = kindOf(agencyCode);
  const local = isLocal(kind);
  const r = (what: string): (() => number) => rng('denominator', what, agencyCode);
  const flow = flowScale(year, half);
  const noServices = WITHOUT_PUBLIC_SERVICES.has(agencyCode);

  if (text.includes('máy tính')) return Math.round(officialsOf(agencyCode) * between(r('computers'), 0.85, 1.02));
  if (text.includes('hệ thống thông tin')) return local ? intBetween(r('systems'), 1, 2) : intBetween(r('systems'), 1, 6);
  if (text.includes('lãnh đạo')) return local ? intBetween(r('leaders'), 3, 4) : intBetween(r('leaders'), 5, 20);
  if (text.includes('chế độ báo cáo')) return intBetween(r('reports'), 12, 40);
  if (/(^|\s)thôn(\s|,|$)/u.test(text)) return intBetween(r('villages'), 6, 28);
  if (text.includes('công dân') || text.includes('người dân')) {
    const base = kind === 'ward' ? intBetween(r('citizens'), 15000, 60000) : intBetween(r('citizens'), 6000, 35000);
    return Math.round(base * (1 + 0.01 * (year - BASE_YEAR)));
  }
  if (text.includes('thủ tục') || text.includes('tthc')) {
    if (text.includes('hồ sơ')) return dossiersFor(text, agencyCode, flow, noServices);
    if (noServices) return 0;
    const procedures = local ? intBetween(r('procedures'), 60, 140) : intBetween(r('procedures'), 15, 160);
    if (text.includes('không đủ điều kiện')) return Math.max(1, Math.round(procedures * 0.3));
    if (text.includes('đủ điều kiện')) return Math.max(1, Math.round(procedures * 0.7));
    return procedures;
  }
  if (text.includes('hồ sơ công việc')) {
    const perYear = local ? intBetween(r('workfiles'), 400, 2500) : intBetween(r('workfiles'), 600, 5000);
    return Math.round(perYear * flow);
  }
  if (text.includes('văn bản')) {
    const outgoing = local ? intBetween(r('documents'), 800, 4000) : intBetween(r('documents'), 1200, 8000);
    const both = text.includes('đến, đi') ? 2.6 : 1;
    return Math.round(outgoing * both * flow);
  }
  if (text.includes('cbccvc') || text.includes('cán bộ') || text.includes('công chức')) return officialsOf(agencyCode);
  return intBetween(r(text), 10, 100);
}

/** Dossiers of administrative procedures; those with fees are a share of them. */
function dossiersFor(text: string, agencyCode: string, flow: number, noServices: boolean): number {
  if (noServices) return 0;
  const local = isLocal(kindOf(agencyCode));
  const r = rng('denominator', 'dossiers', agencyCode);
  const perYear = local ? intBetween(r, 1500, 9000) : intBetween(r, 150, 15000);
  const withFees = text.includes('phí') ? between(r, 0.3, 0.6) : 1;
  return Math.round(perYear * withFees * flow);
}

const isLowerBetter = (def: IndicatorDef): boolean => 'direction' in def.score && def.score.direction === 'lower';

/** The count worth full points: the highest step threshold, or `full` for a linear rule. */
function countScale(def: IndicatorDef): number {
  const score = def.score;
  if (score.rule === 'steps') return Math.max(...score.steps.map(([threshold]) => threshold));
  if (score.rule === 'linear' && score.full !== undefined) return score.full;
  if (score.rule === 'target') return score.target;
  return 6;
}

const round = (x: number, decimals: number): number => Number(x.toFixed(decimals));

const reported = (value: number | null, denominator: number | null = null, option: string | null = null): ReportedValue => ({
  value,
  denominator,
  option,
});

/**
 * A believable value an agency might report for an indicator in a year's semiannual (H1) or annual (Y) report,
 * or null when it is not reported: about 3 % of the time, always for an annual-only indicator in H1, and for an
 * indicator whose applies_to leaves out the agency's ranking group.
 * Ratios have denominators that fit the agency (numerator ≤ denominator); counts are whole and ≥ 0; yes/no is
 * mostly yes; a choice is one of the indicator's options; an appraised value is points in [0, max]; an
 * evidence-only indicator reports no number.
 */
export function demoValueFor(agencyCode: string, indicator: IndicatorDef, year: number, half: DemoHalf): ReportedValue | null {
  if (half === 'H1' && indicator.periodicity === 'annual') return null;
  const group = agencyByCode.get(agencyCode)?.group;
  if (group != null && indicator.appliesTo !== undefined && !indicator.appliesTo.includes(group)) return null;
  if (rng('missing', agencyCode, indicator.code, year, half)() < MISSING_SHARE) return null;

  const share = shareFor(agencyCode, indicator.code, year, half);
  // One draw per agency and indicator, independent of the year: with a threshold that rises with the level, a
  // "yes" or a better option once reached stays reached in later years.
  const steady = rng('steady', agencyCode, indicator.code)();
  const level = levelOf(agencyCode, year);

  switch (indicator.input.kind) {
    case 'ratio': {
      const denominator = denominatorFor(indicator.input.denominator ?? '', agencyCode, year, half);
      if (denominator === 0) return reported(0, 0);
      const rate = isLowerBetter(indicator) ? clamp((1 - share) * 0.15, 0, 1) : share;
      const numerator = clamp(Math.round(denominator * rate), 0, denominator);
      return reported(numerator, denominator);
    }
    case 'count': {
      const scale = countScale(indicator);
      const expected = share * scale * 1.15 * (half === 'H1' && indicator.periodicity === 'both' ? 0.5 : 1);
      const jitter = intBetween(rng('count', agencyCode, indicator.code, year, half), -1, 1);
      return reported(clamp(Math.round(expected) + jitter, 0, Math.ceil(scale * 1.5) + 1));
    }
    case 'percent':
      return reported(round((isLowerBetter(indicator) ? (1 - share) * 0.15 : share) * 100, 1));
    case 'fraction':
      return reported(round(isLowerBetter(indicator) ? (1 - share) * 0.15 : share, 3));
    case 'yesno':
      return reported(steady < clamp(level + 0.15, 0, 0.97) ? 1 : 0);
    case 'choice': {
      const options = [...(indicator.input.options ?? [])].sort((a, b) => b.points - a.points);
      if (options.length === 0) return null;
      const best = clamp(level, 0, 0.95);
      const index = steady < best ? 0 : steady < best + (1 - best) * 0.7 ? 1 : 2;
      const chosen = options[Math.min(index, options.length - 1)]!;
      return reported(null, null, chosen.code);
    }
    case 'appraised':
      return reported(Math.round(indicator.max * share * 2) / 2);
    case 'evidence':
      return reported(null);
  }
}

// ---------------------------------------------------------------------------------------------------------------
// Evidence

type DocType = 'QĐ' | 'KH' | 'TB' | 'BC';

interface EvidenceTemplate {
  /** Matched against the indicator's name, lower case. */
  match: string[];
  type: DocType;
  summary: (agency: string, year: number) => string;
  /** Where in the data window it is usually issued, as a fraction of the window. */
  window: readonly [from: number, to: number];
  /** The province issues it rather than the agency (e.g. the provincial incident response team). */
  byProvince?: boolean;
}

/** First match wins, so the more specific phrases come first. */
const EVIDENCE_TEMPLATES: EvidenceTemplate[] = [
  {
    match: ['phiên họp'],
    type: 'TB',
    summary: (a) => `Thông báo kết luận phiên họp Ban Chỉ đạo chuyển đổi số của ${a}`,
    window: [0.3, 0.95],
  },
  {
    match: ['ban chỉ đạo'],
    type: 'QĐ',
    summary: (a) => `Quyết định kiện toàn Ban Chỉ đạo chuyển đổi số của ${a}`,
    window: [0.02, 0.3],
  },
  {
    match: ['ngày chuyển đổi số'],
    type: 'KH',
    summary: (a, y) => `Kế hoạch hưởng ứng Ngày Chuyển đổi số quốc gia (10/10) năm ${y} của ${a}`,
    window: [0.7, 0.78],
  },
  {
    match: ['thi đua'],
    type: 'QĐ',
    summary: (a, y) => `Quyết định ban hành Hướng dẫn thi đua, khen thưởng năm ${y} của ${a}, có tiêu chí chuyển đổi số`,
    window: [0.03, 0.2],
  },
  {
    match: ['kế hoạch chuyển đổi số'],
    type: 'KH',
    summary: (a, y) => `Kế hoạch chuyển đổi số năm ${y} của ${a}`,
    window: [0.02, 0.15],
  },
  {
    match: ['văn bản điện tử'],
    type: 'QĐ',
    summary: (a) => `Quyết định ban hành Quy chế quản lý, gửi, nhận văn bản điện tử của ${a}`,
    window: [0.05, 0.4],
  },
  {
    match: ['quy chế bảo đảm an toàn'],
    type: 'QĐ',
    summary: (a) => `Quyết định ban hành Quy chế bảo đảm an toàn thông tin mạng của ${a}`,
    window: [0.05, 0.5],
  },
  {
    match: ['kinh phí'],
    type: 'QĐ',
    summary: (a, y) => `Quyết định giao dự toán ngân sách năm ${y} của ${a}, có nội dung chi cho chuyển đổi số`,
    window: [0, 0.1],
  },
  {
    match: ['đội ứng cứu sự cố'],
    type: 'QĐ',
    summary: () => 'Quyết định kiện toàn Đội ứng cứu sự cố an toàn thông tin mạng tỉnh Khánh Hòa',
    window: [0.05, 0.4],
    byProvince: true,
  },
  {
    match: ['phân công', 'phụ trách'],
    type: 'QĐ',
    summary: (a) => `Quyết định phân công lãnh đạo phụ trách, công chức đầu mối về chuyển đổi số và an toàn thông tin của ${a}`,
    window: [0.02, 0.3],
  },
  {
    match: ['diễn tập'],
    type: 'BC',
    summary: (a, y) => `Báo cáo kết quả tham gia diễn tập bảo đảm an toàn thông tin mạng năm ${y} của ${a}`,
    window: [0.6, 0.9],
  },
  {
    match: ['cấp độ an toàn'],
    type: 'QĐ',
    summary: (a) => `Quyết định phê duyệt hồ sơ đề xuất cấp độ an toàn hệ thống thông tin do ${a} quản lý`,
    window: [0.1, 0.8],
  },
  {
    match: ['chuẩn kỹ năng'],
    type: 'BC',
    summary: (a) =>
      `Báo cáo rà soát kỹ năng sử dụng công nghệ thông tin của cán bộ, công chức, viên chức ${a} theo Thông tư số 03/2014/TT-BTTTT`,
    window: [0.4, 0.9],
  },
  {
    match: ['số lớp'],
    type: 'KH',
    summary: (a, y) => `Kế hoạch bồi dưỡng, tập huấn kỹ năng số năm ${y} của ${a}`,
    window: [0.05, 0.3],
  },
  {
    match: ['tổ công nghệ số cộng đồng'],
    type: 'QĐ',
    summary: (a) => `Quyết định kiện toàn Tổ công nghệ số cộng đồng tại các thôn, tổ dân phố của ${a}`,
    window: [0.02, 0.4],
  },
  {
    match: ['báo cáo định kỳ'],
    type: 'BC',
    summary: (a, y) => `Báo cáo kết quả thực hiện chuyển đổi số năm ${y} của ${a}`,
    window: [0.93, 0.99],
  },
];

const DEFAULT_TEMPLATE: EvidenceTemplate = {
  match: [],
  type: 'BC',
  summary: (a, y) => `Báo cáo kết quả thực hiện nhiệm vụ chuyển đổi số năm ${y} của ${a}`,
  window: [0.4, 0.95],
};

/** The name an agency signs with: "Sở Nội vụ", "UBND xã Vạn Ninh", "UBND tỉnh Khánh Hòa". */
function issuerName(agency: DemoAgency | undefined, code: string): string {
  if (agency === undefined) return code;
  if (agency.kind === 'commune' || agency.kind === 'ward') return `UBND ${agency.name.charAt(0).toLocaleLowerCase('vi')}${agency.name.slice(1)}`;
  return agency.name;
}

/** Symbol after the document type in the number: the department's abbreviation, or UBND for a People's Committee. */
function issuerSymbol(agency: DemoAgency | undefined, code: string): string {
  if (agency === undefined || agency.kind !== 'department') return 'UBND';
  return code;
}

const DAY_MS = 86_400_000;

/** A date at `fraction` of the annual data window 15/12 of year − 1 to 14/12 of year. */
function dateInWindow(year: number, fraction: number): string {
  const start = Date.UTC(year - 1, 11, 15);
  const end = Date.UTC(year, 11, 14);
  const days = Math.round((end - start) / DAY_MS);
  const offset = clamp(Math.floor(days * fraction), 0, days);
  return new Date(start + offset * DAY_MS).toISOString().slice(0, 10);
}

/**
 * A document reference for an indicator whose evidence is required (NĐ 30/2020/NĐ-CP numbering: "125/QĐ-SNV",
 * "07/KH-UBND"); null for other indicators, for values not reported, and where the value it would back is "none"
 * (no plan, no board, no meeting). About one in twenty-five is missing anyway, as when an agency sends an
 * explanatory note instead of evidence.
 */
export function demoEvidenceFor(agencyCode: string, indicator: IndicatorDef, year: number): DemoEvidence | null {
  if (indicator.evidence !== 'required') return null;
  const value = demoValueFor(agencyCode, indicator, year, 'Y');
  if (value === null || !backsSomething(indicator, value)) return null;
  const r = rng('evidence', agencyCode, indicator.code, year);
  if (r() < 0.04) return null;

  const name = indicator.name.toLocaleLowerCase('vi');
  const template = EVIDENCE_TEMPLATES.find((t) => t.match.some((m) => name.includes(m))) ?? DEFAULT_TEMPLATE;
  const agency = agencyByCode.get(agencyCode);
  const agencyName = issuerName(agency, agencyCode);
  const byProvince = template.byProvince === true;
  const number = intBetween(r, 1, byProvince ? 2800 : isLocal(kindOf(agencyCode)) ? 450 : 900);
  const symbol = byProvince ? 'UBND' : issuerSymbol(agency, agencyCode);
  return {
    docNumber: `${String(number).padStart(2, '0')}/${template.type}-${symbol}`,
    issuedOn: dateInWindow(year, between(r, template.window[0], template.window[1])),
    summary: template.summary(agencyName, year),
    issuer: byProvince ? 'UBND tỉnh Khánh Hòa' : agencyName,
  };
}

/** Whether a value claims something a document could back: not a "no", a zero count or the worst option. */
function backsSomething(indicator: IndicatorDef, value: ReportedValue): boolean {
  switch (indicator.input.kind) {
    case 'yesno':
    case 'count':
      return (value.value ?? 0) > 0;
    case 'choice': {
      const option = indicator.input.options?.find((o) => o.code === value.option);
      return option !== undefined && option.points > 0;
    }
    case 'ratio':
      return (value.denominator ?? 0) > 0;
    default:
      return true;
  }
}
