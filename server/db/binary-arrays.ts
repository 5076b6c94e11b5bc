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

/**
 * numeric[] into `out` from position `from` as the nearest doubles (NaN for null and NaN); returns the number of
 * elements. A numeric travels as base-10 000 digits (numeric_send: count, weight, sign, display scale, digits).
 * Most values are integers or short decimals: their digits make an integer m below 2^53 and the value is m × 10^e
 * with |e| ≤ 22, where one multiplication or division of exact doubles gives the correctly rounded result (Clinger's
 * fast path); the rest are read from their decimal text, which is correctly rounded too. Either way the double is
 * the one PostgreSQL's own numeric → float8 gives, without printing every value on the server.
 */
export function numericInto(buf: Buffer, out: Float64Array, from: number): number {
  const { count, view } = elements(buf);
  for (let i = 0, at = FIRST; i < count; i++) {
    const length = view.getInt32(at);
    at += 4;
    out[from + i] = length < 0 ? NaN : numericAt(view, at);
    if (length > 0) at += length;
  }
  return count;
}

const NUMERIC_NEG = 0x4000;
const NUMERIC_NAN = 0xc000;
const NUMERIC_PINF = 0xd000;
const NUMERIC_NINF = 0xf000;

function numericAt(view: DataView, at: number): number {
  const digits = view.getInt16(at);
  const weight = view.getInt16(at + 2);
  const sign = view.getUint16(at + 4);
  if (sign === NUMERIC_NAN) return NaN;
  if (sign === NUMERIC_PINF) return Infinity;
  if (sign === NUMERIC_NINF) return -Infinity;
  let m = 0;
  for (let d = 0; d < digits; d++) m = m * 10_000 + view.getInt16(at + 8 + 2 * d);
  const exponent = 4 * (weight - digits + 1);
  let value: number;
  if (m <= Number.MAX_SAFE_INTEGER && exponent >= -22 && exponent <= 22) {
    value = exponent >= 0 ? m * 10 ** exponent : m / 10 ** -exponent;
  } else {
    let text = '';
    for (let d = 0; d < digits; d++) text += String(view.getInt16(at + 8 + 2 * d)).padStart(4, '0');
    value = Number(`${text || '0'}e${exponent}`);
  }
  return sign === NUMERIC_NEG ? -value : value;
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
