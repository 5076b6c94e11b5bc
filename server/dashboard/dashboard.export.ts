// The dashboard as a workbook (exceljs) or CSV, from plain data. Every text cell from user data goes through
// safeCell so a name such as "=HYPERLINK(…)" is shown as text, never run as a formula.
import ExcelJS from 'exceljs';
import { stringify } from 'csv-stringify/sync';
import { formatDate, safeCell } from '../../reports/format.js';
import { STATE_LABELS } from '../submissions/workflow.js';
import { TIMELINESS_LABELS, type AgencyStatus, type Completeness, type Counts } from './completeness.js';

export interface ExportMeta {
  periodName: string;
  periodCode: string;
  frameworkName: string;
}

const AGENCY_HEADER = ['Khối', 'Mã đơn vị', 'Đơn vị', 'Trạng thái', 'Ngày gửi lần đầu', 'Đúng hạn / trễ hạn', 'Số ngày làm việc trễ'];

function agencyRow(groupName: string, a: AgencyStatus): Array<string | number> {
  return [
    safeCell(groupName),
    safeCell(a.agencyCode),
    safeCell(a.agencyName),
    a.state ? STATE_LABELS[a.state] : 'Chưa bắt đầu',
    a.firstSubmittedOn ? formatDate(a.firstSubmittedOn) : '',
    TIMELINESS_LABELS[a.timeliness],
    a.daysLate,
  ];
}

const COUNT_HEADER = ['Khối', 'Phải báo cáo', 'Đã gửi', 'Đúng hạn', 'Trễ hạn', 'Chưa gửi', 'Bị trả lại'];
const countRow = (name: string, c: Counts): Array<string | number> => [
  safeCell(name),
  c.expected,
  c.submitted,
  c.onTime,
  c.late,
  c.missing,
  c.returned,
];

export async function dashboardWorkbook(meta: ExportMeta, data: Completeness): Promise<Buffer> {
  const wb = new ExcelJS.Workbook();
  wb.creator = 'Nền tảng đánh giá chuyển đổi số';
  const summary = wb.addWorksheet('Tổng hợp');
  summary.addRow([safeCell(`Tiến độ báo cáo — ${meta.periodName} (${meta.periodCode})`)]).font = { bold: true, size: 13 };
  summary.addRow([safeCell(meta.frameworkName)]);
  summary.addRow([`Hạn gửi (tính ngày làm việc): ${formatDate(data.deadline)} · số liệu đến ngày ${formatDate(data.today)}`]);
  summary.addRow([]);
  summary.addRow(COUNT_HEADER).font = { bold: true };
  for (const g of data.groups) summary.addRow(countRow(g.groupName, g.counts));
  summary.addRow(countRow('Toàn tỉnh', data.totals)).font = { bold: true };
  summary.getColumn(1).width = 36;
  for (let c = 2; c <= COUNT_HEADER.length; c += 1) summary.getColumn(c).width = 14;

  const agencies = wb.addWorksheet('Đơn vị');
  agencies.addRow(AGENCY_HEADER).font = { bold: true };
  for (const g of data.groups) for (const a of g.agencies) agencies.addRow(agencyRow(g.groupName, a));
  agencies.views = [{ state: 'frozen', ySplit: 1 }];
  [28, 12, 44, 24, 16, 18, 14].forEach((w, i) => (agencies.getColumn(i + 1).width = w));
  return Buffer.from(await wb.xlsx.writeBuffer());
}

/** CSV of the agencies, UTF-8 with a byte-order mark so Excel opens the Vietnamese text correctly. */
export function dashboardCsv(data: Completeness): string {
  const rows = data.groups.flatMap((g) => g.agencies.map((a) => agencyRow(g.groupName, a)));
  return `\ufeff${stringify([AGENCY_HEADER, ...rows])}`;
}
