// Decoding PostgreSQL's binary array format (array_send), as the index run reads counted values: the layout is
// written out here by hand from PostgreSQL's array_send, independently of the decoders.
import { expect } from 'chai';
import fc from 'fast-check';
import { arrayLength, bytesOf, int4Into, numericInto, textArray } from '../../../server/db/binary-arrays.js';

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

/**
 * A decimal as numeric_send writes it: base-10 000 digits aligned on the decimal point, leading and trailing zero
 * digits dropped, the weight of the first, the sign and the display scale.
 */
function numeric(text: string): Buffer {
  if (text === 'NaN') return Buffer.from([0, 0, 0, 0, 0xc0, 0, 0, 0]);
  const negative = text.startsWith('-');
  const [whole = '', fraction = ''] = text.replace(/^-/, '').split('.');
  const intPart = whole.padStart(Math.ceil(whole.length / 4) * 4, '0');
  const fracPart = fraction.padEnd(Math.ceil(fraction.length / 4) * 4, '0');
  let digits = [...(intPart + fracPart).matchAll(/\d{4}/g)].map((m) => Number(m[0]));
  let weight = intPart.length / 4 - 1;
  while (digits.length && digits[0] === 0) {
    digits = digits.slice(1);
    weight -= 1;
  }
  while (digits.length && digits[digits.length - 1] === 0) digits = digits.slice(0, -1);
  if (digits.length === 0) weight = 0;
  const out = Buffer.alloc(8 + 2 * digits.length);
  out.writeInt16BE(digits.length, 0);
  out.writeInt16BE(weight, 2);
  out.writeUInt16BE(negative && digits.length ? 0x4000 : 0, 4);
  out.writeInt16BE(fraction.length, 6);
  digits.forEach((d, i) => out.writeInt16BE(d, 8 + 2 * i));
  return out;
}

const int4 = (x: number): Buffer => {
  const b = Buffer.alloc(4);
  b.writeInt32BE(x, 0);
  return b;
};

describe('binary arrays (array_send)', () => {
  it('numeric[] reads as the nearest double, as the numeric → float8 cast of PostgreSQL gives it, and null and NaN as NaN', () => {
    const texts = ['0', '1', '-2.5', '0.000001', '12345678901234.123456', '99999999999999.999999', '0.1', '1234.5', '40', '100.00'];
    const buf = arraySend(1700, [...texts.map(numeric), null, numeric('NaN')]);
    const out = new Float64Array(14).fill(7);
    expect(arrayLength(buf)).to.equal(12);
    expect(numericInto(buf, out, 1)).to.equal(12);
    expect(Array.from(out)).to.deep.equal([7, ...texts.map(Number), NaN, NaN, 7]);
  });

  it('any numeric(20,6) reads as the double its decimal text parses to', () => {
    const decimal = fc
      .tuple(fc.boolean(), fc.stringMatching(/^[0-9]{1,14}$/), fc.stringMatching(/^[0-9]{0,6}$/))
      .map(([negative, whole, fraction]) => `${negative ? '-' : ''}${whole}${fraction ? `.${fraction}` : ''}`);
    fc.assert(
      fc.property(fc.array(decimal, { minLength: 1, maxLength: 20 }), (texts) => {
        const out = new Float64Array(texts.length);
        numericInto(arraySend(1700, texts.map(numeric)), out, 0);
        expect(Array.from(out)).to.deep.equal(texts.map((t) => Number(t) + 0));
      }),
      { numRuns: 300 },
    );
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
    expect(numericInto(buf, new Float64Array(0), 0)).to.equal(0);
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
