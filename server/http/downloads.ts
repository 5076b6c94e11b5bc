// A stored file sent back to a reader the service has authorised: always as an attachment with the MIME type
// recorded at upload (read from the content then), never sniffed, never cached, and sandboxed should a browser
// render it anyway.
import type { Response } from 'express';
import { attachmentDisposition } from '../files/file-types.js';

export function sendStoredFile(res: Response, f: { fileName: string; mimeType: string; data: Buffer }): void {
  res.set({
    'Content-Type': f.mimeType,
    'Content-Disposition': attachmentDisposition(f.fileName),
    'X-Content-Type-Options': 'nosniff',
    'Cache-Control': 'private, no-store',
    'Content-Security-Policy': "default-src 'none'; sandbox",
  });
  res.send(f.data);
}
