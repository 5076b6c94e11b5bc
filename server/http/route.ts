// The route table's shape. Every route names the policy action it needs (or says it is public); createApp refuses
// to start if one does not, so no page can be added without an authorisation rule.
import type { Request, Response } from 'express';
import { ACTIONS, type Action, type Actor } from '../auth/policy.js';
import { AppError, notFound } from '../errors.js';

export type Access = Action | 'public' | 'authenticated';

export interface Route {
  method: 'get' | 'post' | 'put';
  path: string;
  access: Access;
  handler: (req: Request, res: Response) => Promise<void> | void;
}

export function assertRulesComplete(routes: Route[]): void {
  for (const r of routes) {
    if (r.access !== 'public' && r.access !== 'authenticated' && !ACTIONS.includes(r.access)) {
      throw new Error(`Route ${r.method.toUpperCase()} ${r.path} has no authorisation rule`);
    }
  }
}

/** The signed-in actor; routes that are not public only run after the session middleware set it. */
export function actorOf(res: Response): Actor {
  const actor = res.locals.actor as Actor | undefined;
  if (!actor) throw new AppError('unauthenticated', 'Bạn cần đăng nhập.');
  return actor;
}

/** A positive integer id from the path; anything else is "not found", never a 500. */
export function idParam(req: Request, name: string): number {
  const raw = req.params[name];
  const n = typeof raw === 'string' && /^\d{1,9}$/.test(raw) ? Number(raw) : NaN;
  if (!Number.isSafeInteger(n) || n <= 0) throw notFound('trang yêu cầu');
  return n;
}

export function bodyString(req: Request, name: string, max = 4000): string {
  const v = (req.body as Record<string, unknown> | undefined)?.[name];
  if (v === undefined || v === null) return '';
  if (typeof v !== 'string') throw new AppError('validation', `Trường "${name}" không hợp lệ.`);
  if (v.length > max) throw new AppError('validation', `Trường "${name}" dài quá ${max} ký tự.`);
  return v;
}

export function bodyVersion(req: Request): number {
  const v = Number(bodyString(req, 'version', 12));
  if (!Number.isSafeInteger(v) || v < 1) throw new AppError('validation', 'Thiếu phiên bản của báo cáo; hãy tải lại trang.');
  return v;
}

/** Messages shown after a redirect, by key, so no user text travels in the URL. */
export const NOTICES: Record<string, string> = {
  saved: 'Đã lưu bản nháp.',
  'evidence-added': 'Đã thêm tài liệu kiểm chứng.',
  'evidence-removed': 'Đã xóa tài liệu kiểm chứng.',
  'workbook-saved': 'Đã lưu số liệu từ bảng tính Excel.',
  'agency-saved': 'Đã lưu thông tin đơn vị.',
  'user-saved': 'Đã lưu thông tin người dùng.',
  'password-reset': 'Đã đặt lại mật khẩu; các phiên đăng nhập cũ của người dùng đã bị đóng.',
  imported: 'Đã nhập dữ liệu từ tệp.',
  submitted: 'Đã gửi báo cáo tới Sở Khoa học và Công nghệ.',
  returned: 'Đã trả lại báo cáo cho đơn vị.',
  approved: 'Đã phê duyệt báo cáo.',
  appraised: 'Đã ghi nhận giá trị thẩm định.',
  computed: 'Đã tính lại chỉ số.',
  unchanged: 'Số liệu không thay đổi kể từ lần tính trước; kết quả giữ nguyên.',
  busy: 'Một lần tính khác đang chạy; vui lòng thử lại sau ít phút.',
  published: 'Đã công bố kết quả.',
  'report-queued': 'Đã nhận yêu cầu tạo lại báo cáo; báo cáo được tạo ở chế độ nền và trang tự cập nhật khi xong.',
  'exemption-set': 'Đã ghi nhận chỉ số không áp dụng cho đơn vị; có hiệu lực từ lần tính sau.',
  'exemption-removed': 'Đã bỏ quyết định; chỉ số lại áp dụng cho đơn vị từ lần tính sau.',
};

export function noticeOf(req: Request): string | undefined {
  const key = typeof req.query.msg === 'string' ? req.query.msg : undefined;
  return key ? NOTICES[key] : undefined;
}
