// Pictures in exceljs's streaming WorkbookWriter. exceljs 4.4.0 writes media with the streaming writer but its
// WorksheetWriter has no addImage (only a background picture), so a streamed sheet cannot show a chart. This module
// adds the missing parts for PNG pictures anchored at a cell: the sheet's <drawing> element and relationship, the
// drawing part with its relationships, and the drawing's content type. Everything else is exceljs's own writer,
// so large workbooks still stream row by row.
//
// It reaches into exceljs internals (`_writeLegacyData`, `_sheetRelsWriter`, `zip`, `addContentTypes`), so the
// exceljs version is pinned by package-lock; test/unit/reports/xlsx-stream.test.ts reads pictures back with exceljs.
import { createRequire } from 'node:module';
import { PassThrough } from 'node:stream';
import ExcelJS from 'exceljs';

const require = createRequire(import.meta.url);
const ContentTypesXform = require('exceljs/lib/xlsx/xform/core/content-types-xform.js') as new () => {
  toXml(model: unknown): string;
};

const REL_DRAWING = 'http://schemas.openxmlformats.org/officeDocument/2006/relationships/drawing';
const REL_IMAGE = 'http://schemas.openxmlformats.org/officeDocument/2006/relationships/image';
/** English Metric Units per pixel at 96 dpi. */
const EMU_PER_PX = 9525;

export type WorkbookWriter = ExcelJS.stream.xlsx.WorkbookWriter;
export type WorksheetWriter = ExcelJS.Worksheet;

interface Picture {
  media: string;
  /** Zero-based column and row of the top-left cell. */
  col: number;
  row: number;
  width: number;
  height: number;
  /** Alternative text for readers of the workbook who cannot see the picture. */
  description: string;
}

/* eslint-disable @typescript-eslint/no-explicit-any -- exceljs's streaming internals are untyped */
interface Internals {
  media: Array<{ name: string }>;
  zip: { append(data: string, opts: { name: string }): void };
  _worksheets: unknown[];
  sharedStrings: unknown;
  commentRefs: unknown;
  addContentTypes(): Promise<void>;
}

const pictures = new WeakMap<object, Picture[]>();
const drawings = new WeakMap<object, Array<{ name: string }>>();

const xmlEscape = (s: string): string =>
  s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

function drawingXml(list: Picture[]): string {
  const anchors = list.map((p, i) => {
    const cx = Math.round(p.width * EMU_PER_PX);
    const cy = Math.round(p.height * EMU_PER_PX);
    return (
      `<xdr:oneCellAnchor><xdr:from><xdr:col>${p.col}</xdr:col><xdr:colOff>0</xdr:colOff>` +
      `<xdr:row>${p.row}</xdr:row><xdr:rowOff>0</xdr:rowOff></xdr:from><xdr:ext cx="${cx}" cy="${cy}"/>` +
      `<xdr:pic><xdr:nvPicPr><xdr:cNvPr id="${i + 2}" name="Hình ${i + 1}" descr="${xmlEscape(p.description)}"/>` +
      '<xdr:cNvPicPr><a:picLocks noChangeAspect="1"/></xdr:cNvPicPr></xdr:nvPicPr>' +
      `<xdr:blipFill><a:blip r:embed="rId${i + 1}"/><a:stretch><a:fillRect/></a:stretch></xdr:blipFill>` +
      `<xdr:spPr><a:xfrm><a:off x="0" y="0"/><a:ext cx="${cx}" cy="${cy}"/></a:xfrm>` +
      '<a:prstGeom prst="rect"><a:avLst/></a:prstGeom></xdr:spPr></xdr:pic><xdr:clientData/></xdr:oneCellAnchor>'
    );
  });
  return (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n' +
    '<xdr:wsDr xmlns:xdr="http://schemas.openxmlformats.org/drawingml/2006/spreadsheetDrawing" ' +
    'xmlns:a="http://schemas.openxmlformats.org/drawingml/2006/main" ' +
    'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">' +
    anchors.join('') +
    '</xdr:wsDr>'
  );
}

function drawingRelsXml(list: Picture[]): string {
  return (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n' +
    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">' +
    list.map((p, i) => `<Relationship Id="rId${i + 1}" Type="${REL_IMAGE}" Target="../media/${p.media}"/>`).join('') +
    '</Relationships>'
  );
}

/** A streaming workbook whose bytes are collected into a Buffer once committed. */
export function createStreamingWorkbook(opts: { created: Date }): { wb: WorkbookWriter; done: () => Promise<Buffer> } {
  const sink = new PassThrough();
  const chunks: Buffer[] = [];
  sink.on('data', (c: Buffer) => chunks.push(c));
  const ended = new Promise<void>((resolve, reject) => {
    sink.on('end', resolve);
    sink.on('error', reject);
  });
  const wb = new ExcelJS.stream.xlsx.WorkbookWriter({ stream: sink, useStyles: true, useSharedStrings: false });
  wb.created = opts.created;
  wb.modified = opts.created;
  enablePictures(wb);
  return {
    wb,
    done: async () => {
      await wb.commit();
      await ended;
      return Buffer.concat(chunks);
    },
  };
}

/** Makes the content types of a streaming workbook list the drawings its sheets write. */
function enablePictures(wb: WorkbookWriter): void {
  const book = wb as unknown as Internals;
  const list: Array<{ name: string }> = [];
  drawings.set(wb, list);
  book.addContentTypes = function addContentTypes(this: Internals) {
    const model = {
      worksheets: this._worksheets.filter(Boolean),
      sharedStrings: this.sharedStrings,
      commentRefs: this.commentRefs,
      media: this.media,
      drawings: list,
    };
    this.zip.append(new ContentTypesXform().toXml(model), { name: '[Content_Types].xml' });
    return Promise.resolve();
  };
}

/**
 * Anchors a PNG at a cell of a streamed sheet (zero-based col/row, size in pixels at 96 dpi). Call before the
 * sheet is committed; the drawing is written when it is.
 */
export function addPicture(
  wb: WorkbookWriter,
  ws: WorksheetWriter,
  png: Buffer,
  at: { col: number; row: number; width: number; height: number; description: string },
): void {
  const book = wb as unknown as Internals;
  const sheetDrawings = drawings.get(wb);
  if (!sheetDrawings) throw new Error('addPicture: the workbook was not made by createStreamingWorkbook');
  const id = wb.addImage({ buffer: png as unknown as ExcelJS.Buffer, extension: 'png' });
  const media = book.media[id]!.name;
  let list = pictures.get(ws);
  if (!list) {
    list = [];
    pictures.set(ws, list);
    const sheet = ws as any;
    const name = `drawing${sheet.id as number}`;
    const writeLegacy = sheet._writeLegacyData.bind(sheet) as () => void;
    const own = list;
    // <drawing> belongs after headerFooter and rowBreaks and before legacyDrawing (CT_Worksheet sequence); exceljs
    // writes the legacy drawing last, so the drawing goes just before it.
    sheet._writeLegacyData = () => {
      const rId = sheet._sheetRelsWriter.addRelationship({ Type: REL_DRAWING, Target: `../drawings/${name}.xml` });
      sheet._write(`<drawing r:id="${rId}"/>`);
      book.zip.append(drawingXml(own), { name: `xl/drawings/${name}.xml` });
      book.zip.append(drawingRelsXml(own), { name: `xl/drawings/_rels/${name}.xml.rels` });
      sheetDrawings.push({ name });
      writeLegacy();
    };
  }
  list.push({ media, ...at });
}
/* eslint-enable @typescript-eslint/no-explicit-any */
