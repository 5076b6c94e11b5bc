// Bulk import of agencies or users from an Excel or CSV file. Both the dry run and the real run apply every row,
// in file order, inside one transaction through the same rules as the edit screens (so a parent created on line
// 3 can be used on line 7); the dry run then rolls back, so what it reports is exactly what the real run would do.
// The real run commits only when no row is refused: a file is imported whole or not at all. Each row's change is
// audited in that transaction.
import type { Knex } from 'knex';
import { authorize, ROLE_LABELS, ROLES, type Actor, type Role } from '../auth/policy.js';
import { validationError } from '../errors.js';
import { AGENCY_KIND_LABELS, AGENCY_KINDS, type AgencyAdminService } from '../agencies/agency-admin.service.js';
import type { UserAdminService } from '../users/user-admin.service.js';
import { ImportFileError, normaliseHeader, readImportFile, type FileRow, type SheetLimits } from './directory-file.js';

export type ImportKind = 'agencies' | 'users';

export interface ImportRowResult {
  line: number;
  key: string;
  action: 'create' | 'update' | 'unchanged' | 'refused';
  problems: string[];
}

export interface ImportResult {
  kind: ImportKind;
  dryRun: boolean;
  committed: boolean;
  rows: ImportRowResult[];
  counts: Record<ImportRowResult['action'], number>;
}

/** Columns of each kind of file: the normalised header and what it means. */
export const IMPORT_COLUMNS: Record<ImportKind, Array<[string, string]>> = {
  agencies: [
    ['ma', 'Mã đơn vị (bắt buộc)'],
    ['ten', 'Tên đơn vị'],
    ['loai', 'Loại: Tỉnh, Sở ban ngành, Huyện, Xã, Phường, Khác'],
    ['ma_cap_tren', 'Mã đơn vị cấp trên'],
    ['ma_khoi', 'Mã khối xếp hạng'],
    ['ngung_hoat_dong', 'Ngày ngừng hoạt động (yyyy-mm-dd), để trống nếu còn hoạt động'],
  ],
  users: [
    ['ten_dang_nhap', 'Tên đăng nhập (bắt buộc)'],
    ['ho_ten', 'Họ và tên'],
    ['email', 'Email'],
    ['vai_tro', 'Vai trò: Chuyên viên đơn vị, Lãnh đạo đơn vị, Thẩm định viên, Quản trị, Lãnh đạo tỉnh'],
    ['ma_don_vi', 'Mã đơn vị'],
    ['mat_khau', 'Mật khẩu (bắt buộc với người dùng mới)'],
    ['hoat_dong', 'Hoạt động: Có / Không (để trống: giữ nguyên; người dùng mới: Có)'],
  ],
};

class DryRunRollback extends Error {}

const byLabel = <T extends string>(codes: readonly T[], labels: Record<T, string>, raw: string): T | string => {
  const n = normaliseHeader(raw);
  return codes.find((c) => c === raw.trim() || normaliseHeader(labels[c]) === n || normaliseHeader(labels[c]).startsWith(n + '_')) ?? raw;
};

export class DirectoryImportService {
  constructor(
    private readonly db: Knex,
    private readonly deps: { agencyAdmin: AgencyAdminService; userAdmin: UserAdminService; limits: SheetLimits },
  ) {}

  async run(actor: Actor, kind: ImportKind, file: { name: string; data: Buffer }, dryRun: boolean): Promise<ImportResult> {
    authorize(actor, 'directory.manage');
    let rows: FileRow[];
    try {
      rows = await readImportFile(file.data, file.name, this.deps.limits);
    } catch (err) {
      if (err instanceof ImportFileError) throw validationError(err.message);
      throw err;
    }
    if (rows.length === 0) throw validationError('Tệp không có dòng dữ liệu nào.');
    const keyColumn = IMPORT_COLUMNS[kind][0]![0];
    if (!(keyColumn in rows[0]!.cells)) {
      throw validationError(`Tệp thiếu cột "${keyColumn}". Các cột: ${IMPORT_COLUMNS[kind].map(([k]) => k).join(', ')}.`);
    }

    const results: ImportRowResult[] = [];
    let committed = false;
    try {
      await this.db.transaction(async (trx) => {
        const seen = new Set<string>();
        for (const row of rows) {
          const key = (row.cells[keyColumn] ?? '').trim();
          const dup = key && seen.has(key.toLowerCase());
          seen.add(key.toLowerCase());
          // A column the file does not have (or, for "hoat_dong", an empty cell) keeps the current value.
          const outcome = dup
            ? { action: 'refused' as const, problems: [`trùng với một dòng trước trong tệp`] }
            : kind === 'agencies'
              ? await this.deps.agencyAdmin.applyRow(trx, actor, { ...(await this.deps.agencyAdmin.currentInput(trx, key)), ...given(agencyInput(row)) })
              : await this.deps.userAdmin.applyRow(trx, actor, { ...(await this.deps.userAdmin.currentInput(trx, key)), ...given(userInput(row)) });
          results.push({ line: row.line, key, action: outcome.action, problems: 'problems' in outcome ? outcome.problems : [] });
        }
        if (dryRun || results.some((r) => r.action === 'refused')) throw new DryRunRollback();
      });
      committed = true;
    } catch (err) {
      if (!(err instanceof DryRunRollback)) throw err;
    }
    const counts = { create: 0, update: 0, unchanged: 0, refused: 0 };
    for (const r of results) counts[r.action]++;
    return { kind, dryRun, committed, rows: results, counts };
  }
}

/** The fields the file gives a value for. */
const given = <T extends object>(o: T): Partial<T> =>
  Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;

const cell = (row: FileRow, ...keys: string[]): string | undefined => {
  for (const k of keys) if (row.cells[k] !== undefined) return row.cells[k];
  return undefined;
};
/** An absent column stays undefined (keep); an empty cell is null (clear). */
const orNull = (s: string | undefined): string | null | undefined => (s === undefined ? undefined : s.trim() === '' ? null : s.trim());
const kindOf = (raw: string | undefined) => (raw === undefined ? undefined : (byLabel(AGENCY_KINDS, AGENCY_KIND_LABELS, raw) as (typeof AGENCY_KINDS)[number]));

function agencyInput(row: FileRow) {
  return {
    code: cell(row, 'ma', 'ma_don_vi') ?? '',
    name: cell(row, 'ten', 'ten_don_vi'),
    kind: kindOf(cell(row, 'loai', 'loai_don_vi')),
    parentCode: orNull(cell(row, 'ma_cap_tren', 'ma_don_vi_cap_tren')),
    groupCode: orNull(cell(row, 'ma_khoi', 'khoi')),
    validTo: orNull(cell(row, 'ngung_hoat_dong', 'ngung_hoat_dong_tu', 'ngay_ngung_hoat_dong')),
  };
}

function userInput(row: FileRow) {
  const active = normaliseHeader(cell(row, 'hoat_dong') ?? '');
  const role = cell(row, 'vai_tro');
  return {
    username: cell(row, 'ten_dang_nhap', 'username') ?? '',
    fullName: cell(row, 'ho_ten', 'ho_va_ten'),
    email: orNull(cell(row, 'email')),
    role: role === undefined ? undefined : (byLabel(ROLES, ROLE_LABELS, role) as Role),
    agencyCode: orNull(cell(row, 'ma_don_vi')),
    password: orNull(cell(row, 'mat_khau')),
    active: active === '' ? undefined : !['khong', '0', 'no', 'false'].includes(active),
  };
}
