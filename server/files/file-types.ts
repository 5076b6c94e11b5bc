// Which evidence files are accepted, decided by their content (magic numbers, and for office documents the
// package inside the zip), never by the name or the MIME type the browser sent: an .exe renamed .pdf is refused.
import { fileTypeFromBuffer } from 'file-type';

export interface DetectedType {
  ext: string;
  mime: string;
}

/** Accepted kinds by the extension file-type reports, with the MIME type the file is served with. */
const ACCEPTED: Record<string, string> = {
  pdf: 'application/pdf',
  png: 'image/png',
  jpg: 'image/jpeg',
  gif: 'image/gif',
  webp: 'image/webp',
  tif: 'image/tiff',
  docx: 'application/vnd.openxmlformats-officedocument.wordprocessingml.document',
  xlsx: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
  pptx: 'application/vnd.openxmlformats-officedocument.presentationml.presentation',
  odt: 'application/vnd.oasis.opendocument.text',
  ods: 'application/vnd.oasis.opendocument.spreadsheet',
  odp: 'application/vnd.oasis.opendocument.presentation',
};

/**
 * Office 97–2003 documents (.doc, .xls, .ppt) are OLE compound files, a container that cannot be told apart from
 * other compound files by content alone; they are accepted when the content is such a container and the name
 * says which document it is, and are served as that document type (always as an attachment).
 */
const LEGACY_OFFICE: Record<string, string> = {
  doc: 'application/msword',
  xls: 'application/vnd.ms-excel',
  ppt: 'application/vnd.ms-powerpoint',
};

/** The `accept` attribute of an evidence file input: the accepted kinds by name, to help the picker (never trusted). */
export const ACCEPT_ATTRIBUTE = [...Object.keys(ACCEPTED), 'jpeg', 'tiff', ...Object.keys(LEGACY_OFFICE)].map((e) => `.${e}`).join(',');

export const NO_FILE = 'Chưa chọn tệp, hoặc tệp rỗng.';

export const ACCEPTED_LABEL = 'PDF, ảnh (PNG, JPEG, GIF, WebP, TIFF), Word, Excel, PowerPoint (docx, xlsx, pptx, doc, xls, ppt), OpenDocument (odt, ods, odp)';

/** The accepted type of the content, or null when the content is not an accepted kind. */
export async function detectAccepted(data: Buffer, originalName: string): Promise<DetectedType | null> {
  const t = await fileTypeFromBuffer(data);
  if (!t) return null;
  const mime = ACCEPTED[t.ext];
  if (mime) return { ext: t.ext, mime };
  if (t.ext === 'cfb') {
    const nameExt = /\.([a-z0-9]{1,5})$/i.exec(originalName)?.[1]?.toLowerCase() ?? '';
    const legacy = LEGACY_OFFICE[nameExt];
    if (legacy) return { ext: nameExt, mime: legacy };
  }
  return null;
}

/**
 * The name as shown and offered for download: the last path segment, without control and bidirectional-override
 * characters, at most 200 characters. It stays hostile text (quotes, markup) and is escaped wherever it is output.
 */
export function cleanFileName(raw: string): string {
  const base = raw.split(/[\\/]/).pop() ?? '';
  const cleaned = base.normalize('NFC').replace(/[\u0000-\u001f\u007f-\u009f\u200e\u200f\u202a-\u202e\u2066-\u2069]/g, '').trim();
  const limited = [...cleaned].slice(0, 200).join('');
  return limited === '' || limited === '.' || limited === '..' ? 'tep-dinh-kem' : limited;
}

/** A Content-Disposition header for an attachment with a Unicode name (RFC 6266 / RFC 8187). */
export function attachmentDisposition(name: string): string {
  const ascii = name
    .normalize('NFD')
    .replace(/[\u0300-\u036f]/g, '')
    .replace(/đ/g, 'd')
    .replace(/Đ/g, 'D')
    .replace(/[^\x20-\x7e]/g, '_')
    .replace(/["\\%;]/g, '_');
  const encoded = encodeURIComponent(name).replace(/['()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
  return `attachment; filename="${ascii}"; filename*=UTF-8''${encoded}`;
}
