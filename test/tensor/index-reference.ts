/**
 * An independent reference for PyTorch's `x[...]` on plain JS arrays, written from the definition (Python
 * slices, NumPy/PyTorch advanced-index placement) with explicit loops, for comparison with graft's
 * view + gather/scatter implementation. PyTorch-specific: an integer is a select even next to advanced
 * indices; a JS boolean adds an axis indexed by [0] (true) or [] (false).
 */
export interface Ref {
  shape: number[];
  data: number[];
}

type Nested = number | boolean | Nested[];
export type RefItem = number | string | null | boolean | Nested[];

function shapeOf(x: Nested): number[] {
  const s: number[] = [];
  let p: Nested = x;
  while (Array.isArray(p)) {
    s.push(p.length);
    if (p.length === 0) break;
    p = p[0]!;
  }
  return s;
}

export function refFrom(x: Nested): Ref {
  const flat = (v: Nested): number[] => (Array.isArray(v) ? v.flatMap(flat) : [Number(v)]);
  return { shape: shapeOf(x), data: flat(x) };
}

const count = (s: readonly number[]): number => s.reduce((a, b) => a * b, 1);

function linear(shape: readonly number[], idx: readonly number[]): number {
  let p = 0;
  for (let k = 0; k < shape.length; k++) p = p * shape[k]! + idx[k]!;
  return p;
}

export function refAt(a: Ref, idx: readonly number[]): number {
  return a.data[linear(a.shape, idx)]!;
}

/** Build an array by calling f at every multi-index, in row-major order. */
export function refMake(shape: readonly number[], f: (idx: number[]) => number): Ref {
  const data: number[] = [];
  const n = count(shape);
  for (let i = 0; i < n; i++) {
    const idx: number[] = [];
    let rem = i;
    for (let k = shape.length - 1; k >= 0; k--) {
      idx[k] = rem % shape[k]!;
      rem = Math.floor(rem / shape[k]!);
    }
    data.push(f(idx));
  }
  return { shape: [...shape], data };
}

export function refNested(a: Ref): unknown {
  if (a.shape.length === 0) return a.data[0];
  let pos = 0;
  const go = (d: number): unknown[] => Array.from({ length: a.shape[d]! }, () => (d === a.shape.length - 1 ? a.data[pos++] : go(d + 1)));
  return go(0);
}

/** Python's slice(start, stop, step).indices(n) as a list, step > 0. */
function sliceIndices(text: string, n: number): number[] {
  const parts = text.split(':').map((p) => (p.trim() === '' ? null : Number(p)));
  const [start, stop, step = 1] = [parts[0] ?? null, parts[1] ?? null, parts[2] ?? 1];
  const fix = (v: number | null, dflt: number): number => {
    if (v === null) return dflt;
    if (v < 0) return Math.max(v + n, 0);
    return Math.min(v, n);
  };
  const out: number[] = [];
  for (let i = fix(start, 0); i < fix(stop, n); i += step!) out.push(i);
  return out;
}

function broadcastShape(shapes: number[][]): number[] {
  const r = Math.max(0, ...shapes.map((s) => s.length));
  const out: number[] = [];
  for (let i = 0; i < r; i++) {
    let d = 1;
    for (const s of shapes) {
      const v = s[i - (r - s.length)] ?? 1;
      if (v !== 1) {
        if (d !== 1 && d !== v) throw new Error('reference: shapes do not broadcast');
        d = v;
      }
    }
    out.push(d);
  }
  return out;
}

/** The element of `a` read at position `idx` of its broadcast to a shape of rank idx.length. */
function atBroadcast(a: Ref, idx: readonly number[]): number {
  const off = idx.length - a.shape.length;
  return refAt(
    a,
    a.shape.map((d, k) => (d === 1 ? 0 : idx[k + off]!)),
  );
}

export function refBroadcast(a: Ref, shape: readonly number[]): Ref {
  return refMake(shape, (idx) => atBroadcast(a, idx));
}

function isBoolArray(x: Nested[]): boolean {
  const flat = (v: Nested): Nested[] => (Array.isArray(v) ? v.flatMap(flat) : [v]);
  const f = flat(x);
  return f.length > 0 && f.every((v) => typeof v === 'boolean');
}

/** x[items] for a reference array. */
export function refIndex(a: Ref, items: readonly RefItem[]): Ref {
  const nd = a.shape.length;
  let consumed = 0;
  for (const it of items) {
    if (typeof it === 'number') consumed++;
    else if (typeof it === 'string' && it !== '...') consumed++;
    else if (Array.isArray(it)) consumed += isBoolArray(it) ? shapeOf(it).length : 1;
  }
  let cur = a;
  let dim = 0;
  const adv: { dim: number; idx: Ref }[] = [];
  const insertAxis = (): void => {
    const c = cur;
    cur = refMake([...c.shape.slice(0, dim), 1, ...c.shape.slice(dim)], (idx) => refAt(c, [...idx.slice(0, dim), ...idx.slice(dim + 1)]));
  };
  for (const it of items) {
    const c = cur;
    if (typeof it === 'number') {
      const n = c.shape[dim]!;
      const i = it < 0 ? it + n : it;
      cur = refMake([...c.shape.slice(0, dim), ...c.shape.slice(dim + 1)], (idx) => refAt(c, [...idx.slice(0, dim), i, ...idx.slice(dim)]));
    } else if (it === '...') {
      dim += nd - consumed;
    } else if (typeof it === 'string') {
      const list = sliceIndices(it, c.shape[dim]!);
      const d = dim;
      cur = refMake(
        c.shape.map((s, k) => (k === d ? list.length : s)),
        (idx) => refAt(c, idx.map((v, k) => (k === d ? list[v]! : v))),
      );
      dim++;
    } else if (it === null) {
      insertAxis();
      dim++;
    } else if (typeof it === 'boolean') {
      insertAxis();
      adv.push({ dim, idx: { shape: [it ? 1 : 0], data: it ? [0] : [] } });
      dim++;
    } else if (isBoolArray(it)) {
      const m = refFrom(it);
      const coords: number[][] = m.shape.map(() => []);
      refMake(m.shape, (idx) => {
        if (refAt(m, idx)) idx.forEach((v, k) => coords[k]!.push(v));
        return 0;
      });
      coords.forEach((cs, k) => adv.push({ dim: dim + k, idx: { shape: [cs.length], data: cs } }));
      dim += m.shape.length;
    } else {
      adv.push({ dim, idx: refFrom(it) });
      dim++;
    }
  }
  if (adv.length === 0) return cur;
  const base = cur;
  const dims = adv.map((x) => x.dim);
  const b = broadcastShape(adv.map((x) => x.idx.shape));
  const adjacent = dims.every((d, i) => i === 0 || d === dims[i - 1]! + 1);
  const pos = adjacent ? dims[0]! : 0;
  const rest = base.shape.map((_, k) => k).filter((k) => !dims.includes(k));
  const restShape = rest.map((k) => base.shape[k]!);
  const outShape = [...restShape.slice(0, pos), ...b, ...restShape.slice(pos)];
  return refMake(outShape, (ri) => {
    const bIdx = ri.slice(pos, pos + b.length);
    const restIdx = [...ri.slice(0, pos), ...ri.slice(pos + b.length)];
    const src = new Array<number>(base.shape.length);
    rest.forEach((d, k) => (src[d] = restIdx[k]!));
    for (const { dim: d, idx } of adv) {
      const v = atBroadcast(idx, bIdx);
      if (v < -base.shape[d]! || v >= base.shape[d]!) throw new Error(`reference: index ${v} out of range`);
      src[d] = v < 0 ? v + base.shape[d]! : v;
    }
    return refAt(base, src);
  });
}

/**
 * x[items] = values (or += with accumulate) on a reference array: index a tensor of element positions to
 * learn which element each result entry is, then write in order (the last write to a position wins).
 */
export function refIndexPut(a: Ref, items: readonly RefItem[], values: Ref, accumulate: boolean): Ref {
  const positions = refIndex({ shape: a.shape, data: a.data.map((_, i) => i) }, items);
  const v = refBroadcast(values, positions.shape);
  const out = [...a.data];
  positions.data.forEach((p, i) => {
    out[p] = accumulate ? out[p]! + v.data[i]! : v.data[i]!;
  });
  return { shape: [...a.shape], data: out };
}
