// Checks an uploaded zip container (xlsx) before any parser sees it: the entries are read from the central
// directory and each one is inflated with a hard cap on its output, so a zip bomb — whether it declares its huge
// sizes or lies about them — is refused after at most `maxUncompressedBytes` of work. Zip64 and encrypted entries,
// which no workbook written by the platform or by Excel for a form this size needs, are refused outright.
import zlib from 'node:zlib';

export interface ZipLimits {
  maxUncompressedBytes: number;
  maxEntries?: number;
}

export type ZipVerdict = { ok: true; entries: number; uncompressedBytes: number } | { ok: false; reason: string };

const EOCD = 0x06054b50;
const CENTRAL = 0x02014b50;
const LOCAL = 0x04034b50;

export function checkZip(buf: Buffer, limits: ZipLimits): ZipVerdict {
  const maxEntries = limits.maxEntries ?? 1000;
  const bad = (reason: string): ZipVerdict => ({ ok: false, reason });
  if (buf.length < 22 || buf.readUInt32LE(0) !== LOCAL) return bad('không phải tệp Excel (.xlsx)');
  // The end-of-central-directory record sits in the last 22 + 65535 bytes (its comment is at most 64 KiB).
  let eocd = -1;
  for (let i = buf.length - 22; i >= Math.max(0, buf.length - 22 - 0xffff); i--) {
    if (buf.readUInt32LE(i) === EOCD) {
      eocd = i;
      break;
    }
  }
  if (eocd < 0) return bad('tệp nén bị hỏng');
  const count = buf.readUInt16LE(eocd + 10);
  const cdSize = buf.readUInt32LE(eocd + 12);
  const cdOffset = buf.readUInt32LE(eocd + 16);
  if (count === 0xffff || cdOffset === 0xffffffff) return bad('định dạng nén Zip64 không được hỗ trợ');
  if (count > maxEntries) return bad(`tệp có quá nhiều thành phần (${count})`);
  if (cdOffset + cdSize > eocd) return bad('tệp nén bị hỏng');

  let declared = 0;
  let actual = 0;
  let p = cdOffset;
  for (let n = 0; n < count; n++) {
    if (p + 46 > buf.length || buf.readUInt32LE(p) !== CENTRAL) return bad('tệp nén bị hỏng');
    const flags = buf.readUInt16LE(p + 8);
    const method = buf.readUInt16LE(p + 10);
    const compressed = buf.readUInt32LE(p + 20);
    const size = buf.readUInt32LE(p + 24);
    const nameLen = buf.readUInt16LE(p + 28);
    const extraLen = buf.readUInt16LE(p + 30);
    const commentLen = buf.readUInt16LE(p + 32);
    const localOffset = buf.readUInt32LE(p + 42);
    p += 46 + nameLen + extraLen + commentLen;
    if (flags & 0x1) return bad('tệp có thành phần được mã hóa');
    if (compressed === 0xffffffff || size === 0xffffffff) return bad('định dạng nén Zip64 không được hỗ trợ');
    declared += size;
    if (declared > limits.maxUncompressedBytes) return bad('dung lượng sau giải nén vượt giới hạn cho phép');

    if (localOffset + 30 > buf.length || buf.readUInt32LE(localOffset) !== LOCAL) return bad('tệp nén bị hỏng');
    const dataStart = localOffset + 30 + buf.readUInt16LE(localOffset + 26) + buf.readUInt16LE(localOffset + 28);
    if (dataStart + compressed > buf.length) return bad('tệp nén bị hỏng');
    const data = buf.subarray(dataStart, dataStart + compressed);
    const remaining = limits.maxUncompressedBytes - actual;
    let out: number;
    if (method === 0) out = data.length;
    else if (method === 8) {
      try {
        // One byte more than allowed: reaching it means the entry inflates past the limit (or past its declared size).
        out = zlib.inflateRawSync(data, { maxOutputLength: Math.min(remaining, size) + 1 }).length;
      } catch (err) {
        const code = (err as { code?: string }).code;
        if (code === 'ERR_BUFFER_TOO_LARGE') return bad('dung lượng sau giải nén vượt giới hạn cho phép');
        return bad('tệp nén bị hỏng');
      }
    } else return bad('tệp dùng phương thức nén không được hỗ trợ');
    if (out !== size) return bad(out > size ? 'dung lượng sau giải nén vượt giới hạn cho phép' : 'tệp nén bị hỏng');
    actual += out;
    if (actual > limits.maxUncompressedBytes) return bad('dung lượng sau giải nén vượt giới hạn cho phép');
  }
  return { ok: true, entries: count, uncompressedBytes: actual };
}
