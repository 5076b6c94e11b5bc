import type { Services } from '../container.js';
import { AppError } from '../errors.js';
import { actorOf, bodyString, type Route } from '../http/route.js';
import { uploadedFile } from '../http/uploads.js';
import { NO_FILE } from '../files/file-types.js';
import { renderPage } from '../http/views.js';
import { IMPORT_COLUMNS, type ImportKind } from './directory-import.service.js';

const OUTCOME_LABELS = { create: 'Tạo mới', update: 'Cập nhật', unchanged: 'Không đổi', refused: 'Từ chối' } as const;

export function directoryImportRoutes(s: Services): Route[] {
  const page = (extra: Record<string, unknown>) => ({
    title: 'Nhập đơn vị, người dùng từ tệp',
    columns: (['agencies', 'users'] as const).map((k) => ({ kind: k, columns: IMPORT_COLUMNS[k].map(([key, help]) => ({ key, help })) })),
    ...extra,
  });
  return [
    {
      method: 'get',
      path: '/admin/import',
      access: 'directory.manage',
      handler: (_req, res) => {
        actorOf(res);
        res.send(renderPage('admin/import', { ...res.locals, ...page({}) }));
      },
    },
    {
      method: 'post',
      path: '/admin/import',
      access: 'directory.manage',
      handler: async (req, res) => {
        const kind = bodyString(req, 'kind', 10);
        const dryRun = bodyString(req, 'mode', 10) !== 'apply';
        try {
          if (kind !== 'agencies' && kind !== 'users') throw new AppError('validation', 'Chọn loại dữ liệu cần nhập (đơn vị hoặc người dùng).');
          const file = uploadedFile(req);
          if (!file || file.data.length === 0) throw new AppError('validation', NO_FILE);
          const result = await s.directoryImport.run(actorOf(res), kind as ImportKind, { name: file.originalName, data: file.data }, dryRun);
          const refused = !dryRun && !result.committed;
          res.status(refused ? 400 : 200).send(
            renderPage('admin/import', {
              ...res.locals,
              ...page({
                result: { ...result, rows: result.rows.map((r) => ({ ...r, actionLabel: OUTCOME_LABELS[r.action] })) },
                ...(refused ? { errorMessage: 'Có dòng bị từ chối nên không dòng nào được nhập. Sửa tệp rồi nhập lại.' } : {}),
                ...(result.committed ? { notice: 'Đã nhập dữ liệu từ tệp.' } : {}),
              }),
            }),
          );
        } catch (err) {
          if (!(err instanceof AppError) || err.code === 'forbidden') throw err;
          res.status(err.status).send(renderPage('admin/import', { ...res.locals, ...page({ errorMessage: err.message, errorList: err.details }) }));
        }
      },
    },
  ];
}
