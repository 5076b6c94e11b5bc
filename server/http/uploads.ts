// Multipart bodies (file uploads). Parsed before the CSRF check so that a browser form can carry its `_csrf`
// field beside the file, but only for signed-in users who may make that upload, on the routes that take one: an
// anonymous request, or one from a role the route refuses (or for another agency, where the path names it), never
// gets its upload buffered — it goes on unparsed and is refused by the CSRF check or the route's own rule.
// Files are kept in memory within the configured size limit and never touch the disk before a service has
// checked them; one file per request, except on a form with a file input per line (the appeal form).
import type { NextFunction, Request, Response } from 'express';
import multer from 'multer';
import { can, type Action, type Actor } from '../auth/policy.js';
import { AppError } from '../errors.js';
import { ACCEPT_ATTRIBUTE } from '../files/file-types.js';
import { bodyProblem } from './middleware.js';

export interface UploadedFile {
  originalName: string;
  clientMime: string;
  data: Buffer;
}

/** A route that takes uploads, how many files one request to it may carry, and who may send them. */
interface UploadRoute {
  path: RegExp;
  files: number;
  /** The route's own access rule (the policy decides again, with the agency, when the route runs). */
  action: Action;
  /** Where the path names the agency, the capture group holding its id. */
  agencyGroup?: number;
}

/** The files one appeal filing may carry (one per appealed indicator), each within the upload size limit. */
export const MAX_APPEAL_FILES = 10;

/** The paths that take an upload; a multipart body sent anywhere else is not parsed (and fails the CSRF check). */
export const UPLOAD_ROUTES: UploadRoute[] = [
  { path: /^\/submissions\/\d+\/(evidence-files|workbook)$/, files: 1, action: 'submission.edit' },
  { path: /^\/admin\/import$/, files: 1, action: 'directory.manage' },
  { path: /^\/periods\/\d+\/agencies\/(\d+)\/appeals$/, files: MAX_APPEAL_FILES, action: 'appeal.file', agencyGroup: 1 },
];

/** The most indicators a form names, and so the most file inputs it has (appeals.routes.ts refuses more). */
const MAX_FORM_LINES = 500;

/** Files with content seen so far in a request with several file inputs. */
const counted = new WeakMap<Request, number>();

function parser(maxBytes: number, files: number) {
  const common = { storage: multer.memoryStorage(), defParamCharset: 'utf8' };
  if (files === 1) {
    // File names are sent in UTF-8 by every current browser; busboy's default would read them as Latin-1.
    return multer({ ...common, limits: { fileSize: maxBytes, files: 1, fields: 50, fieldSize: 64 * 1024, parts: 60, headerPairs: 200 } }).single('file');
  }
  // A form with a file input per line: the browser sends every input, the empty ones as file parts without a name,
  // which busboy counts but multer never buffers. Files with content are counted here, before any byte of them is
  // kept, so one request holds at most `files` × maxBytes in memory.
  return multer({
    ...common,
    limits: { fileSize: maxBytes, files: MAX_FORM_LINES, fields: MAX_FORM_LINES * 8, fieldSize: 64 * 1024, parts: MAX_FORM_LINES * 9, headerPairs: 200 },
    fileFilter: (req, _file, cb) => {
      const n = (counted.get(req) ?? 0) + 1;
      counted.set(req, n);
      if (n > files) cb(new AppError('validation', `Mỗi lần gửi đính kèm tối đa ${files} tệp. Chưa lưu gì.`));
      else cb(null, true);
    },
  }).any();
}

export function multipartBody(maxBytes: number, routes: UploadRoute[] = UPLOAD_ROUTES) {
  const parsers = new Map(routes.map((r) => [r, parser(maxBytes, r.files)]));
  const mb = String(Math.round((maxBytes / 1024 / 1024) * 10) / 10).replace('.', ',');
  return (req: Request, res: Response, next: NextFunction): void => {
    res.locals.uploadMaxMb = mb;
    res.locals.evidenceAccept = ACCEPT_ATTRIBUTE;
    const route = routes.find((r) => r.path.test(req.path));
    if (!res.locals.actor || req.method !== 'POST' || !req.is('multipart/form-data') || !route) return next();
    const agency = route.agencyGroup === undefined ? undefined : Number(route.path.exec(req.path)![route.agencyGroup]);
    if (!can(res.locals.actor as Actor, route.action, agency)) return next();
    parsers.get(route)!(req, res, (err: unknown) => {
      if (!err) {
        // The same refusals as for the other body formats (NUL characters, prototype keys, absurd nesting).
        const problem = bodyProblem(req.body);
        return next(problem ? new AppError('validation', problem) : undefined);
      }
      if (err instanceof AppError) return next(err);
      if (err instanceof multer.MulterError) {
        if (err.code === 'LIMIT_FILE_SIZE') return next(new AppError('too_large', `Tệp vượt quá dung lượng cho phép (${mb} MB). Chưa lưu gì.`));
        const shape = route.files === 1 ? 'chỉ gửi một tệp, trong trường "file"' : `tối đa ${route.files} tệp`;
        return next(new AppError('validation', `Biểu mẫu tải tệp không hợp lệ (${shape}).`));
      }
      next(new AppError('validation', 'Dữ liệu gửi lên không đúng định dạng.'));
    });
  };
}

/**
 * The uploaded file of the request, or null; services check that it is there after authorising the request, so a
 * request the actor may not make is refused as such whatever it carries.
 */
export function uploadedFile(req: Request): UploadedFile | null {
  const f = req.file;
  return f ? { originalName: f.originalname, clientMime: f.mimetype, data: f.buffer } : null;
}

/** Every uploaded file of a form with several file inputs, with the name of its input. */
export function uploadedFiles(req: Request): Array<UploadedFile & { field: string }> {
  const files = Array.isArray(req.files) ? req.files : [];
  return files.map((f) => ({ field: f.fieldname, originalName: f.originalname, clientMime: f.mimetype, data: f.buffer }));
}
