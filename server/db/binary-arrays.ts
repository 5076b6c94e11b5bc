// Arrays in PostgreSQL's binary format, as `array_send(…)` returns them in a bytea: a large result of numbers read this
// way is neither printed by the server nor parsed by Node — the bytes are what PostgreSQL holds, decoded straight
// into typed arrays. Both drivers return a bytea as bytes (node-postgres a Buffer, PGlite a Uint8Array).

/** The bytes of a bytea as a Buffer, without copying. */
export const bytesOf = (bytes: Uint8Array): Buffer => (Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength));

/**
 * The header of a one-dimensional binary array (array_send): its element count and where the elements start; each
 * element is its length (−1 for null) and its bytes.
 */
function elements(buf: Buffer): { count: number; view: DataView } {
  const view = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  const dims = view.getInt32(0);
  if (dims === 0) return { count: 0, view };
  if (dims !== 1) throw new Error(`expected a one-dimensional array, got ${dims} dimensions`);
  return { count: view.getInt32(12), view };
}

/** Where the elements start. Each decoder walks them in its own loop: a callback per element cost a third of a run's read. */
const FIRST = 20;

/** The number of elements of a one-dimensional binary array. */
export const arrayLength = (buf: Buffer): number => elements(buf).count;

/** float8[] into `out` from position `from` (NaN for null); returns the number of elements. */
export function float8Into(buf: Buffer, out: Float64Array, from: number): number {
  const { count, view } = elements(buf);
  for (let i = 0, at = FIRST; i < count; i++) {
    const length = view.getInt32(at);
    at += 4;
    if (length === 8) {
      out[from + i] = view.getFloat64(at);
      at += 8;
    } else {
      out[from + i] = NaN;
      if (length > 0) at += length;
    }
  }
  return count;
}

/** int4[] into `out` from position `from` (null as 0); returns the number of elements. */
export function int4Into(buf: Buffer, out: Int32Array, from: number): number {
  const { count, view } = elements(buf);
  for (let i = 0, at = FIRST; i < count; i++) {
    const length = view.getInt32(at);
    at += 4;
    out[from + i] = length === 4 ? view.getInt32(at) : 0;
    if (length > 0) at += length;
  }
  return count;
}

/** text[] → strings, null for null. */
export function textArray(buf: Buffer): Array<string | null> {
  const { count, view } = elements(buf);
  const out = new Array<string | null>(count).fill(null);
  for (let i = 0, at = FIRST; i < count; i++) {
    const length = view.getInt32(at);
    at += 4;
    if (length >= 0) {
      out[i] = buf.toString('utf8', at, at + length);
      at += length;
    }
  }
  return out;
}
