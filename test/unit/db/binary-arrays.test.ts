// Decoding PostgreSQL's binary array format (array_send), as the index run reads counted values: the layout is
// written out here by hand from PostgreSQL's array_send, independently of the decoders.
import { expect } from 'chai';
import { arrayLength, bytesOf, float8Into, int4Into, textArray } from '../../../server/db/binary-arrays.js';

/** A one-dimensional array as array_send writes it: ndim, has-null flag, element type, length, lower bound, elements. */
function arraySend(oid: number, elements: Array<Buffer | null>): Buffer {
  if (elements.length === 0) {
    const empty = Buffer.alloc(12);
    empty.writeInt32BE(oid, 8);
    return empty;
  }
  const header = Buffer.alloc(20);
  header.writeInt32BE(1, 0);
  header.writeInt32BE(elements.some((e) => e === null) ? 1 : 0, 4);
  header.writeInt32BE(oid, 8);
  header.writeInt32BE(elements.length, 12);
  header.writeInt32BE(1, 16);
  const parts = elements.map((e) => {
    const length = Buffer.alloc(4);
    length.writeInt32BE(e === null ? -1 : e.length, 0);
    return e === null ? length : Buffer.concat([length, e]);
  });
  return Buffer.concat([header, ...parts]);
}

const float8 = (x: number): Buffer => {
  const b = Buffer.alloc(8);
  b.writeDoubleBE(x, 0);
  return b;
};
const int4 = (x: number): Buffer => {
  const b = Buffer.alloc(4);
  b.writeInt32BE(x, 0);
  return b;
};

describe('binary arrays (array_send)', () => {
  it('float8[] keeps every double exactly and reads null as NaN, from the position asked', () => {
    const xs = [0, -0, 1e-300, 12345678901234.123, Number.MAX_VALUE, -2.5];
    const buf = arraySend(701, [...xs.map(float8), null]);
    const out = new Float64Array(10).fill(7);
    expect(arrayLength(buf)).to.equal(7);
    expect(float8Into(buf, out, 2)).to.equal(7);
    expect(Array.from(out)).to.deep.equal([7, 7, ...xs, NaN, 7]);
    expect(Object.is(out[3], -0)).to.equal(true);
  });

  it('int4[] reads negative and large ids', () => {
    const buf = arraySend(23, [int4(1), int4(-5), int4(2_147_483_647)]);
    const out = new Int32Array(3);
    expect(int4Into(buf, out, 0)).to.equal(3);
    expect(Array.from(out)).to.deep.equal([1, -5, 2_147_483_647]);
  });

  it('an empty array has no elements', () => {
    const buf = arraySend(701, []);
    expect(arrayLength(buf)).to.equal(0);
    expect(float8Into(buf, new Float64Array(0), 0)).to.equal(0);
    expect(textArray(buf)).to.deep.equal([]);
  });

  it('text[] reads UTF-8 (Vietnamese codes) and nulls', () => {
    const text = arraySend(25, [Buffer.from('đạt-đủ'), null, Buffer.from('')]);
    expect(textArray(text)).to.deep.equal(['đạt-đủ', null, '']);
  });

  it('a bytea given as a Uint8Array view (PGlite) is read in place', () => {
    const buf = arraySend(23, [int4(42)]);
    const backing = new Uint8Array(buf.length + 8);
    backing.set(buf, 8);
    const view = bytesOf(backing.subarray(8));
    const out = new Int32Array(1);
    int4Into(view, out, 0);
    expect(out[0]).to.equal(42);
  });

  it('a two-dimensional array is refused, not misread', () => {
    const buf = arraySend(23, [int4(1)]);
    buf.writeInt32BE(2, 0);
    expect(() => arrayLength(buf)).to.throw(/one-dimensional/);
  });
});
