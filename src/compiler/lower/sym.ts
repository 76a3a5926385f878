/**
 * Symbolic integer index expressions: the "view tracker" of the lowering. A movement op (reshape, permute,
 * expand, slice, pad, flip) never copies data: it maps the index at which its result is read to the index
 * at which its input is read, and these maps compose into one expression per load.
 *
 * An expression is kept in a canonical form: a sum of coefficient * atom plus a constant, where an atom is a
 * loop variable, a floor division or a remainder by a positive constant, or a data-dependent value (a gather
 * index). Every atom has a known range, and the constructors simplify with it: `(m*N + n) / N` is `m` when
 * `0 <= n < N`, `(m*N + n) % N` is `n`, and `N*(x / N) + x % N` is `x` again. Two expressions are equal when
 * their canonical keys are equal, which is how the scheduler checks that a fused reduction is read at the
 * row being computed.
 */

export type Atom =
  /** A loop variable in [min, max] (min is 0 unless the variable is known to be restricted, see `restrict`). */
  | { readonly t: 'var'; readonly name: string; readonly min?: number; readonly max: number; readonly key: string }
  | { readonly t: 'div'; readonly a: Sym; readonly d: number; readonly key: string }
  | { readonly t: 'mod'; readonly a: Sym; readonly d: number; readonly key: string }
  /** A run-time value (a bounds-checked gather index) named by the renderer, with a known range. */
  | { readonly t: 'data'; readonly ref: number; readonly min: number; readonly max: number; readonly key: string };

export interface Sym {
  /** Terms sorted by atom key; no zero coefficients. */
  readonly terms: readonly (readonly [Atom, number])[];
  readonly c: number;
  readonly key: string;
}

function makeSym(terms: (readonly [Atom, number])[], c: number): Sym {
  terms.sort((a, b) => (a[0].key < b[0].key ? -1 : a[0].key > b[0].key ? 1 : 0));
  const key = terms.map(([a, k]) => `${k}*${a.key}`).join('+') + (c !== 0 || terms.length === 0 ? `+${c}` : '');
  return { terms, c, key };
}

export const cnst = (c: number): Sym => makeSym([], c);
export const ZERO = cnst(0);

/** A loop variable ranging over [0, extent). */
export function symVar(name: string, extent: number): Sym {
  return atomSym({ t: 'var', name, max: extent - 1, key: name });
}

/**
 * `x` known to lie in [lo, hi] (inside the valid region of a pad): when x is one loop variable plus a
 * constant, the variable is replaced by the same variable with the narrower range, so expressions built on
 * it simplify with that range (`(i + 9) % 10` is `i - 1` for i in [1, 10]). Renders as the same variable.
 */
export function restrict(x: Sym, lo: number, hi: number): Sym {
  if (x.terms.length !== 1) return x;
  const [a, k] = x.terms[0]!;
  if (a.t !== 'var' || (k !== 1 && k !== -1)) return x;
  // lo <= k*v + c <= hi
  const [vlo, vhi] = k === 1 ? [lo - x.c, hi - x.c] : [x.c - hi, x.c - lo];
  const min = Math.max(a.min ?? 0, vlo);
  const max = Math.min(a.max, vhi);
  if (min > max || (min === (a.min ?? 0) && max === a.max)) return x;
  const v: Atom = { t: 'var', name: a.name, min, max, key: `${a.name}[${min}:${max}]` };
  return makeSym([[v, k]], x.c);
}

/** A data-dependent value in [min, max] (referenced by a number the renderer maps to a C variable). */
export function symData(ref: number, min: number, max: number): Sym {
  return atomSym({ t: 'data', ref, min, max, key: `d${ref}` });
}

const atomSym = (a: Atom): Sym => makeSym([[a, 1]], 0);

export const isConst = (s: Sym): boolean => s.terms.length === 0;

/** Sum of expressions, with like terms combined and `k*d*(x/d) + k*(x%d)` folded back into `k*x`. */
export function add(...xs: Sym[]): Sym {
  const coef = new Map<string, [Atom, number]>();
  let c = 0;
  const put = (a: Atom, k: number): void => {
    const e = coef.get(a.key);
    if (e) e[1] += k;
    else coef.set(a.key, [a, k]);
  };
  for (const x of xs) {
    c += x.c;
    for (const [a, k] of x.terms) put(a, k);
  }
  // Recombine div/mod pairs of the same expression: d*(x/d) + x%d = x. The quotient is looked up in its
  // canonical form: with x = y/e, x/d is kept as y/(e*d).
  for (let changed = true; changed; ) {
    changed = false;
    for (const [key, e] of coef) {
      const [a, k] = e;
      if (a.t !== 'mod' || k === 0) continue;
      let dkey = `(${a.a.key})/${a.d}`;
      if (!coef.has(dkey)) {
        const q = div(a.a, a.d);
        if (q.c !== 0 || q.terms.length !== 1 || q.terms[0]![1] !== 1) continue;
        dkey = q.terms[0]![0].key;
      }
      const de = coef.get(dkey);
      if (!de || de[1] !== k * a.d) continue;
      coef.delete(key);
      coef.delete(dkey);
      for (const [a2, k2] of a.a.terms) put(a2, k2 * k);
      c += a.a.c * k;
      changed = true;
      break;
    }
  }
  return makeSym(
    [...coef.values()].filter(([, k]) => k !== 0).map(([a, k]) => [a, k] as const),
    c,
  );
}

export function mul(x: Sym, k: number): Sym {
  if (k === 0) return ZERO;
  return makeSym(
    x.terms.map(([a, c]) => [a, c * k] as const),
    x.c * k,
  );
}

export const sub = (a: Sym, b: Sym): Sym => add(a, mul(b, -1));
export const addc = (a: Sym, k: number): Sym => (k === 0 ? a : add(a, cnst(k)));

function atomRange(a: Atom): [number, number] {
  switch (a.t) {
    case 'var':
      return [a.min ?? 0, a.max];
    case 'data':
      return [a.min, a.max];
    case 'div': {
      const [lo, hi] = range(a.a);
      return [Math.floor(lo / a.d), Math.floor(hi / a.d)];
    }
    case 'mod': {
      const [lo, hi] = range(a.a);
      if (lo >= 0 && hi < a.d) return [lo, hi];
      return [0, a.d - 1];
    }
  }
}

/** The inclusive range [min, max] an expression takes. */
export function range(x: Sym): [number, number] {
  let lo = x.c;
  let hi = x.c;
  for (const [a, k] of x.terms) {
    const [alo, ahi] = atomRange(a);
    if (k > 0) {
      lo += k * alo;
      hi += k * ahi;
    } else {
      lo += k * ahi;
      hi += k * alo;
    }
  }
  return [lo, hi];
}

const gcd = (a: number, b: number): number => {
  a = Math.abs(a);
  b = Math.abs(b);
  while (b) [a, b] = [b, a % b];
  return a;
};

/**
 * Split x into d*q + r: each coefficient k into d*trunc(k/d) + (k rem d), the constant into
 * d*floor(c/d) + (c mod d). The remainder has coefficients smaller than d, so its range is often within
 * [0, d): `(43*i + j) % 42` is `i + j` when i + j < 42.
 */
function splitBy(x: Sym, d: number): { q: Sym; r: Sym } {
  const qt: (readonly [Atom, number])[] = [];
  const rt: (readonly [Atom, number])[] = [];
  for (const [a, k] of x.terms) {
    const q = Math.trunc(k / d);
    if (q !== 0) qt.push([a, q]);
    if (k - q * d !== 0) rt.push([a, k - q * d]);
  }
  const qc = Math.floor(x.c / d);
  return { q: makeSym(qt, qc), r: makeSym(rt, x.c - qc * d) };
}

/** floor(x / d) for a positive integer d. */
export function div(x: Sym, d: number): Sym {
  if (d === 1) return x;
  if (!(d > 0)) throw new Error(`internal: index division by ${d}`);
  const g = x.terms.reduce((acc, [, k]) => gcd(acc, k), gcd(x.c, d));
  if (g > 1) return div(scaleDown(x, g), d / g);
  const f = factorOut(x, d);
  if (f) return div(f.y, d / f.a);
  const { q, r } = splitBy(x, d);
  const [lo, hi] = range(r);
  const flo = Math.floor(lo / d);
  if (flo === Math.floor(hi / d)) return addc(q, flo);
  // (x / a) / b = x / (a*b)
  if (r.terms.length === 1 && r.c === 0 && r.terms[0]![1] === 1 && r.terms[0]![0].t === 'div') {
    const inner = r.terms[0]![0];
    return add(q, div(inner.a, inner.d * d));
  }
  // (x % (a*d)) / d = (x / d) % a
  if (r.terms.length === 1 && r.c === 0 && r.terms[0]![1] === 1 && r.terms[0]![0].t === 'mod' && r.terms[0]![0].d % d === 0) {
    const inner = r.terms[0]![0];
    if (range(inner.a)[0] >= 0) return add(q, mod(div(inner.a, d), inner.d / d));
  }
  return add(q, atomSym({ t: 'div', a: r, d, key: `(${r.key})/${d}` }));
}

/** x mod d (non-negative remainder) for a positive integer d. */
export function mod(x: Sym, d: number): Sym {
  if (d === 1) return ZERO;
  if (!(d > 0)) throw new Error(`internal: index remainder by ${d}`);
  const g = x.terms.reduce((acc, [, k]) => gcd(acc, k), gcd(x.c, d));
  if (g > 1) return mul(mod(scaleDown(x, g), d / g), g);
  const f = factorOut(x, d);
  if (f) return add(mul(mod(f.y, d / f.a), f.a), f.r);
  const { r } = splitBy(x, d);
  const [lo, hi] = range(r);
  const flo = Math.floor(lo / d);
  if (flo === Math.floor(hi / d)) return addc(r, -flo * d);
  // (x % (a*d)) % d = x % d
  if (r.terms.length === 1 && r.c === 0 && r.terms[0]![1] === 1 && r.terms[0]![0].t === 'mod' && r.terms[0]![0].d % d === 0) {
    return mod(r.terms[0]![0].a, d);
  }
  return atomSym({ t: 'mod', a: r, d, key: `(${r.key})%${d}` });
}

/**
 * x = a*y + r with a > 1 dividing d and 0 <= r < a: then floor(x / d) = floor(y / (d/a)) and
 * x mod d = a*(y mod (d/a)) + r. `(100*k + p) / 500` with 0 <= p < 100 is `k / 5`: the index of a window
 * view merged with its neighbours loses its divisions by products of extents. The largest such a is used.
 */
function factorOut(x: Sym, d: number): { a: number; y: Sym; r: Sym } | null {
  const cands = [...new Set(x.terms.map(([, k]) => Math.abs(k)))].filter((a) => a > 1 && a < d && d % a === 0).sort((p, q) => q - p);
  for (const a of cands) {
    const big: (readonly [Atom, number])[] = [];
    const small: (readonly [Atom, number])[] = [];
    for (const [at, k] of x.terms) (k % a === 0 ? big : small).push([at, k]);
    const cq = Math.floor(x.c / a);
    const r = makeSym(small, x.c - cq * a);
    const [lo, hi] = range(r);
    if (lo < 0 || hi >= a) continue;
    return { a, y: makeSym(big.map(([at, k]) => [at, k / a] as const), cq), r };
  }
  return null;
}

function scaleDown(x: Sym, g: number): Sym {
  return makeSym(
    x.terms.map(([a, k]) => [a, k / g] as const),
    x.c / g,
  );
}

/** Substitute expressions for variables (by name). */
export function substitute(x: Sym, env: ReadonlyMap<string, Sym>): Sym {
  const parts: Sym[] = [cnst(x.c)];
  for (const [a, k] of x.terms) parts.push(mul(substAtom(a, env), k));
  return add(...parts);
}

function substAtom(a: Atom, env: ReadonlyMap<string, Sym>): Sym {
  switch (a.t) {
    case 'var':
      return env.get(a.name) ?? atomSym(a);
    case 'data':
      return atomSym(a);
    case 'div':
      return div(substitute(a.a, env), a.d);
    case 'mod':
      return mod(substitute(a.a, env), a.d);
  }
}

/** Names of the loop variables an expression depends on. */
export function varsOf(x: Sym, out: Set<string> = new Set()): Set<string> {
  for (const [a] of x.terms) {
    if (a.t === 'var') out.add(a.name);
    else if (a.t === 'div' || a.t === 'mod') varsOf(a.a, out);
  }
  return out;
}

/** Refs of the data atoms an expression depends on. */
export function dataOf(x: Sym, out: Set<number> = new Set()): Set<number> {
  for (const [a] of x.terms) {
    if (a.t === 'data') out.add(a.ref);
    else if (a.t === 'div' || a.t === 'mod') dataOf(a.a, out);
  }
  return out;
}

/** Whether the expression is affine in the loop variables (no division or remainder). */
export function isAffine(x: Sym): boolean {
  return x.terms.every(([a]) => a.t === 'var' || a.t === 'data');
}

/** The coefficient of a variable in an affine expression (0 if absent). */
export function coefOf(x: Sym, name: string): number {
  for (const [a, k] of x.terms) if (a.t === 'var' && a.name === name) return k;
  return 0;
}

// ---------------------------------------------------------------------------------------------------------
// Shapes <-> indices

/** Row-major linear index of a multi-index. */
export function linearize(shape: readonly number[], idx: readonly Sym[]): Sym {
  const parts: Sym[] = [];
  let stride = 1;
  for (let i = shape.length - 1; i >= 0; i--) {
    if (shape[i] !== 1) parts.push(mul(idx[i]!, stride));
    stride *= shape[i]!;
  }
  return add(...parts);
}

/** The multi-index of a row-major linear index. */
export function delinearize(shape: readonly number[], lin: Sym): Sym[] {
  const out = new Array<Sym>(shape.length);
  let stride = 1;
  for (let i = shape.length - 1; i >= 0; i--) {
    out[i] = shape[i] === 1 ? ZERO : mod(div(lin, stride), shape[i]!);
    stride *= shape[i]!;
  }
  return out;
}

// ---------------------------------------------------------------------------------------------------------
// Conditions (the valid region of a pad): conjunctions of lo <= x <= hi.

export interface Bound {
  readonly x: Sym;
  readonly lo: number;
  readonly hi: number;
}

/** A conjunction of bounds; null means "always true". */
export type Cond = readonly Bound[] | null;

/** Add `lo <= x <= hi` to a condition, dropping bounds that always hold. Returns 'false' if it never holds. */
export function andBound(cond: Cond, x: Sym, lo: number, hi: number): Cond | 'false' {
  const [a, b] = range(x);
  if (a >= lo && b <= hi) return cond;
  if (b < lo || a > hi) return 'false';
  const list = [...(cond ?? [])];
  const i = list.findIndex((e) => e.x.key === x.key);
  if (i >= 0) {
    const e = list[i]!;
    const nlo = Math.max(e.lo, lo);
    const nhi = Math.min(e.hi, hi);
    if (nlo > nhi) return 'false';
    list[i] = { x, lo: nlo, hi: nhi };
  } else list.push({ x, lo, hi });
  list.sort((p, q) => (p.x.key < q.x.key ? -1 : p.x.key > q.x.key ? 1 : p.lo - q.lo));
  return list;
}

export function andCond(a: Cond, b: Cond): Cond | 'false' {
  let out: Cond | 'false' = a;
  for (const e of b ?? []) {
    if (out === 'false') return out;
    out = andBound(out, e.x, e.lo, e.hi);
  }
  return out;
}

export const condKey = (c: Cond): string => (c === null ? '' : c.map((e) => `${e.lo}<=${e.x.key}<=${e.hi}`).join('&'));

export function substituteCond(c: Cond, env: ReadonlyMap<string, Sym>): Cond | 'false' {
  let out: Cond | 'false' = null;
  for (const e of c ?? []) {
    if (out === 'false') return out;
    out = andBound(out, substitute(e.x, env), e.lo, e.hi);
  }
  return out;
}
