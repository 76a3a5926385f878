/** Symbolic index expressions: the simplifications that make views free. */
import { describe, expect, test } from 'vitest';
import * as S from '../../src/compiler/lower/sym.js';

const m = S.symVar('m', 7);
const n = S.symVar('n', 5);

describe('index expressions', () => {
  test('reshape round trips simplify away', () => {
    const lin = S.linearize([7, 5], [m, n]);
    const [a, b] = S.delinearize([7, 5], lin);
    expect(a!.key).toBe(m.key);
    expect(b!.key).toBe(n.key);
    // [7,5] -> [35] -> [5,7] -> [35] -> [7,5]
    const back = S.delinearize([7, 5], S.linearize([5, 7], S.delinearize([5, 7], lin)));
    expect(back.map((x) => x.key)).toEqual([m.key, n.key]);
  });
  test('(m*N + n) / N = m, (m*N + n) % N = n, N*(x/N) + x%N = x', () => {
    const x = S.add(S.mul(m, 5), n);
    expect(S.div(x, 5).key).toBe(m.key);
    expect(S.mod(x, 5).key).toBe(n.key);
    const w = S.symVar('w', 1000);
    expect(S.add(S.mul(S.div(w, 8), 8), S.mod(w, 8)).key).toBe(w.key);
    expect(S.div(S.div(w, 4), 5).key).toBe(S.div(w, 20).key);
  });
  test('ranges bound the results', () => {
    expect(S.range(S.add(S.mul(m, 5), n))).toEqual([0, 34]);
    expect(S.range(S.mod(S.symVar('w', 100), 8))).toEqual([0, 7]);
    expect(S.range(S.addc(S.mul(n, -1), 4))).toEqual([0, 4]);
  });
  test('merging loops: i0 = w / 5, i1 = w % 5 turns a contiguous index into w', () => {
    const w = S.symVar('w', 35);
    const env = new Map([
      ['m', S.div(w, 5)],
      ['n', S.mod(w, 5)],
    ]);
    expect(S.substitute(S.add(S.mul(m, 5), n), env).key).toBe(w.key);
    expect(S.isAffine(S.substitute(S.add(m, S.mul(n, 7)), env))).toBe(false);
  });
  test('pad bounds that always hold are dropped; impossible ones are detected', () => {
    expect(S.andBound(null, n, 0, 4)).toBeNull();
    expect(S.andBound(null, S.addc(n, 10), 0, 4)).toBe('false');
    const c = S.andBound(null, S.addc(n, -1), 0, 9);
    expect(c).toHaveLength(1);
  });
});

test('coefficients larger than the divisor are reduced first: (43i + j) % 42 = i + j when i + j < 42', () => {
  const i = S.symVar('i', 3);
  const j = S.symVar('j', 40);
  const x = S.add(S.mul(i, 43), j);
  expect(S.mod(x, 42).key).toBe(S.add(i, j).key);
  expect(S.div(x, 42).key).toBe(i.key);
});

test('a term below the multiple of a divisor factors out: (100k + p) / 500 = k / 5, (100k + p) % 500 = 100 (k % 5) + p', () => {
  const k = S.symVar('k', 150);
  const p = S.symVar('p', 100);
  const x = S.add(S.mul(k, 100), p);
  expect(S.div(x, 500).key).toBe(S.div(k, 5).key);
  expect(S.mod(x, 500).key).toBe(S.add(S.mul(S.mod(k, 5), 100), p).key);
  expect(S.div(x, 2500).key).toBe(S.div(k, 25).key);
  // p may reach 100: no factoring (the remainder would not stay below the factor)
  const q = S.symVar('q', 101);
  expect(S.div(S.add(S.mul(k, 100), q), 500).key).not.toBe(S.div(k, 5).key);
  // brute force: every value agrees with floor division and the non-negative remainder
  for (const [kk, pp] of [[0, 0], [4, 99], [5, 0], [149, 99], [37, 51]] as const) {
    const env = new Map([['k', S.cnst(kk)], ['p', S.cnst(pp)]]);
    const v = 100 * kk + pp;
    expect(S.substitute(S.div(x, 500), env).c).toBe(Math.floor(v / 500));
    expect(S.substitute(S.mod(x, 500), env).c).toBe(v % 500);
  }
});

test('a reshape round trip through several axes folds back: [2400] -> [16, 6, 5, 5] -> [2400]', () => {
  const i1 = S.symVar('i1', 16);
  const i2 = S.symVar('i2', 150);
  const lin = S.add(S.mul(i1, 150), i2);
  // the middle axes are (i2 / 5) % 5 with (i2 / 5) / 5 kept as i2 / 25: the pair still recombines
  expect(S.linearize([16, 6, 5, 5], S.delinearize([16, 6, 5, 5], lin)).key).toBe(lin.key);
});
