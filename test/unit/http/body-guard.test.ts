import { expect } from 'chai';
import { bodyProblem } from '../../../server/http/middleware.js';
import { isDatabaseUnavailable } from '../../../server/errors.js';

describe('bodyProblem', () => {
  it('when a body holds ordinary Vietnamese text, numbers, arrays and nesting, then it passes', () => {
    expect(bodyProblem({ v: { 'HDCQS.2': { value: '9', comment: 'Đã ký số 😀' } }, list: [1, 2, { a: null }] })).to.equal(undefined);
  });

  it('when a string carries a NUL or half a surrogate pair, then it is refused', () => {
    expect(bodyProblem({ a: 'x\u0000y' })).to.match(/ký tự không hợp lệ/);
    expect(bodyProblem({ a: ['ok', '\ud800'] })).to.match(/ký tự không hợp lệ/);
    expect(bodyProblem({ a: 'x\udc00' })).to.match(/ký tự không hợp lệ/);
    expect(bodyProblem({ a: '\ud83d\ude00' })).to.equal(undefined);
  });

  it('when a key is __proto__, constructor or prototype at any depth, then it is refused', () => {
    for (const key of ['__proto__', 'constructor', 'prototype']) {
      expect(bodyProblem(JSON.parse(`{"v":{"${key}":{"x":1}}}`)), key).to.match(/tên trường không hợp lệ/);
    }
  });

  it('when nesting is deeper than 12 levels or the body has over 50 000 values, then it is refused', () => {
    let deep: unknown = 1;
    for (let i = 0; i < 13; i += 1) deep = { a: deep };
    expect(bodyProblem(deep)).to.match(/lồng nhau quá sâu/);
    expect(bodyProblem({ a: new Array(60_000).fill(1) })).to.match(/quá nhiều trường/);
  });
});

describe('isDatabaseUnavailable', () => {
  it('when the driver reports a refused or dropped connection, a server shutting down or a pool timeout, then it is unavailability', () => {
    for (const err of [
      Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:5432'), { code: 'ECONNREFUSED' }),
      Object.assign(new Error('terminating connection due to administrator command'), { code: '57P01' }),
      new Error('Connection terminated unexpectedly'),
      Object.assign(new Error('Knex: Timeout acquiring a connection.'), { name: 'KnexTimeoutError' }),
      Object.assign(new Error(''), { errors: [Object.assign(new Error('x'), { code: 'ECONNREFUSED' })] }),
    ]) {
      expect(isDatabaseUnavailable(err), err.message).to.equal(true);
    }
  });

  it('when the error is a constraint violation, a syntax error or not an error at all, then it is not', () => {
    expect(isDatabaseUnavailable(Object.assign(new Error('duplicate key'), { code: '23505' }))).to.equal(false);
    expect(isDatabaseUnavailable(Object.assign(new Error('syntax'), { code: '42601' }))).to.equal(false);
    expect(isDatabaseUnavailable(new TypeError('x is undefined'))).to.equal(false);
    expect(isDatabaseUnavailable(null)).to.equal(false);
    expect(isDatabaseUnavailable('ECONNREFUSED')).to.equal(false);
  });
});
