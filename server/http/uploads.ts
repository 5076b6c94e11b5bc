// Multipart bodies (file uploads). Parsed before the CSRF check so that a browser form can carry its `_csrf`
// field beside the file, but only for signed-in users and on the routes that take an upload: an anonymous request
// never gets its upload buffered.
// Files are kept in memory within the configured size limit and never touch the disk before a service has
// checked them; one file per request.
import type { NextFunction, Request, Response } from 'express';
import multer from 'multer';
import { AppError } from '../errors.js';

export interface UploadedFile {
  originalName: string;
  clientMime: string;
  data: Buffer;
}

/** The paths that take an upload; a multipart body sent anywhere else is not parsed (and fails the CSRF check). */
export const UPLOAD_PATHS: RegExp[] = [/^\/submissions\/\d+\/(evidence-files|workbook)$/, /^\/admin\/import$/];

export function multipartBody(maxBytes: number, paths: RegExp[] = UPLOAD_PATHS) {
  const parse = multer({
    storage: multer.memoryStorage(),
    // File names are sent in UTF-8 by every current browser; busboy's default would read them as Latin-1.
    defParamCharset: 'utf8',
    limits: { fileSize: maxBytes, files: 1, fields: 50, fieldSize: 64 * 1024, parts: 60, headerPairs: 200 },
  }).single('file');
  const mb = Math.round((maxBytes / 1024 / 1024) * 10) / 10;
  return (req: Request, res: Response, next: NextFunction): void => {
    res.locals.uploadMaxMb = String(mb).replace('.', ',');
    if (!res.locals.actor || req.method !== 'POST' || !req.is('multipart/form-data') || !paths.some((p) => p.test(req.path))) return next();
    parse(req, res, (err: unknown) => {
      if (!err) return next();
      if (err instanceof multer.MulterError) {
        if (err.code === 'LIMIT_FILE_SIZE') {
          return next(new AppError('too_large', `Tệp vượt quá dung lượng cho phép (${String(mb).replace('.', ',')} MB). Chưa lưu gì.`));
        }
        return next(new AppError('validation', 'Biểu mẫu tải tệp không hợp lệ (chỉ gửi một tệp, trong trường "file").'));
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
