/** C for prefix sums (scan kernels) and scatter-adds. */
import type { ScanKernel, ScatterKernel } from '../../lower/kernel.js';
import { Emitter, Scope } from './emit.js';
import { kernelText, nest, PARALLEL_MIN, prod, rowGroups, type RenderOptions } from './nest.js';
import { CINT, CTYPE } from './spellings.js';

/** Each row (all axes but the scanned one) runs sequentially along the axis with a running sum. */
export function renderScanKernel(k: ScanKernel, o: RenderOptions): string {
  if (k.sort) return renderSortKernel(k, k.sort.descending, o);
  const top = new Scope(null, new Set(), new Set());
  const em = new Emitter(k.vals, (i) => `p${i}`, (i) => `acc${i}`);
  const rows = prod(k.outer);
  const par = o.threads > 1 && rows > 1 && rows * k.axis.extent >= PARALLEL_MIN;
  const isF = k.dtype === 'float32' || k.dtype === 'float64';
  const accT = isF ? 'double' : (CINT[k.dtype]?.unsigned ?? 'int');
  nest(top, rowGroups(k.outer, par, o, ['reduction(|:err)'], false), (row) => {
    row.lines.push(`${accT} run = 0;`);
    nest(row, [{ loops: [k.axis] }], (s) => {
      const v = em.ref(k.value, s);
      s.lines.push(`run += (${accT})${v};`);
      s.lines.push(`p${k.out.param}[${em.sym(k.out.index, s)}] = (${CTYPE[k.dtype]})run;`);
    });
  });
  return kernelText(k.name, k.params, top.lines);
}

/**
 * A stable argsort of each row: the row's keys are copied into per-thread scratch (allocated once per call:
 * out of memory is status 4), `graft_argsort_<type>` (prelude) merge-sorts their positions, and the
 * positions are written as int64. Rows run in parallel.
 */
function renderSortKernel(k: ScanKernel, descending: boolean, o: RenderOptions): string {
  const top = new Scope(null, new Set(), new Set());
  const em = new Emitter(k.vals, (i) => `p${i}`, (i) => `acc${i}`);
  const rows = prod(k.outer);
  const n = k.axis.extent;
  const par = o.threads > 1 && rows > 1 && rows * n >= PARALLEL_MIN / 8;
  const kt = k.value.dtype;
  const T = CTYPE[kt];
  const threads = par ? o.threads : 1;
  top.lines.push(
    `${T} *keys_ = (${T} *)malloc(sizeof(${T}) * ${threads * n + 1}L);`,
    `int64_t *ix_ = (int64_t *)malloc(sizeof(int64_t) * ${2 * threads * n + 1}L);`,
    'if (!keys_ || !ix_) { free(keys_); free(ix_); return GRAFT_OUT_OF_MEMORY; }',
  );
  const open = [
    `${T} *restrict key = keys_ + (long)${par ? 'omp_get_thread_num()' : '0'} * ${n}L;`,
    `int64_t *restrict ix = ix_ + (long)${par ? 'omp_get_thread_num()' : '0'} * ${2 * n}L;`,
  ];
  const groups = rowGroups(k.outer, par, o, ['reduction(|:err)'], false);
  const rowScope = (body: (s: Scope) => void): void => {
    if (groups.length) nest(top, [...groups.slice(0, -1), { ...groups[groups.length - 1]!, open }], body);
    else {
      top.lines.push('{', ...open.map((l) => '  ' + l));
      const inner = top.child([]);
      body(inner);
      top.lines.push(...inner.lines.map((l) => '  ' + l), '}');
    }
  };
  rowScope((row) => {
    nest(row, [{ loops: [k.axis] }], (s) => {
      s.lines.push(`key[${k.axis.name}] = ${em.ref(k.value, s)};`);
    });
    row.lines.push(`graft_argsort_${SORT_SUFFIX[kt]}(key, ix, ix + ${n}L, ${n}L, ${descending ? 1 : 0});`);
    nest(row, [{ loops: [k.axis] }], (s) => {
      s.lines.push(`p${k.out.param}[${em.sym(k.out.index, s)}] = ix[${k.axis.name}];`);
    });
  });
  top.lines.push('free(keys_);', 'free(ix_);');
  return SORT_C + kernelText(k.name, k.params, top.lines);
}

/*
 * The sort helpers travel with each sort kernel's text (guarded, so a file of several kernels defines them
 * once), leaving the prelude, and so every other kernel's source, as it was.
 * Stable argsort of n keys (graft_argsort_<f|d|i|l|b>): ix[0..n) receives the positions in order, tmp is n
 * more of scratch. NaN is above every number (last ascending, first descending), as in PyTorch. A bottom-up
 * merge sort: runs of 8 by insertion, then merges that take the left element on ties.
 */
const SORT_C = `#ifndef GRAFT_SORT_HELPERS
#define GRAFT_SORT_HELPERS
#define GRAFT_ARGSORT(S, T) \\
static inline int graft_before_##S(T a, T b, int desc) { \\
  return desc ? (a > b || (a != a && b == b)) : (a < b || (b != b && a == a)); \\
} \\
static void graft_argsort_##S(const T *restrict k, int64_t *ix, int64_t *tmp, long n, int desc) { \\
  for (long i = 0; i < n; i++) ix[i] = i; \\
  for (long lo = 0; lo < n; lo += 8) { \\
    long hi = lo + 8 < n ? lo + 8 : n; \\
    for (long i = lo + 1; i < hi; i++) { \\
      int64_t v = ix[i]; long j = i; \\
      while (j > lo && graft_before_##S(k[v], k[ix[j - 1]], desc)) { ix[j] = ix[j - 1]; j--; } \\
      ix[j] = v; \\
    } \\
  } \\
  int64_t *src = ix, *dst = tmp; \\
  for (long w = 8; w < n; w *= 2) { \\
    for (long lo = 0; lo < n; lo += 2 * w) { \\
      long mid = lo + w < n ? lo + w : n, hi = lo + 2 * w < n ? lo + 2 * w : n, i = lo, j = mid, t = lo; \\
      while (i < mid && j < hi) dst[t++] = graft_before_##S(k[src[j]], k[src[i]], desc) ? src[j++] : src[i++]; \\
      while (i < mid) dst[t++] = src[i++]; \\
      while (j < hi) dst[t++] = src[j++]; \\
    } \\
    int64_t *sw = src; src = dst; dst = sw; \\
  } \\
  if (src != ix) memcpy(ix, src, sizeof(int64_t) * (size_t)n); \\
}
GRAFT_ARGSORT(f, float)
GRAFT_ARGSORT(d, double)
GRAFT_ARGSORT(i, int)
GRAFT_ARGSORT(l, int64_t)
GRAFT_ARGSORT(b, unsigned char)
#endif
`;

/** The suffix of each key type's sort helper in the prelude. */
const SORT_SUFFIX: Record<string, string> = { float32: 'f', float64: 'd', int32: 'i', int64: 'l', bool: 'b' };

/**
 * The base is copied into the output, then each index element adds its value at its target. Rows (the
 * non-axis dimensions) write disjoint locations, so they run in parallel; each row adds in index order.
 */
export function renderScatterKernel(k: ScatterKernel, o: RenderOptions): string {
  const top = new Scope(null, new Set(), new Set());
  const em = new Emitter(k.vals, (i) => `p${i}`, (i) => `acc${i}`);
  const out = `p${k.outParam}`;
  nest(top, rowGroups(k.copy.vars, o.threads > 1 && prod(k.copy.vars) >= PARALLEL_MIN, o, ['reduction(|:err)'], true), (s) => {
    s.lines.push(`${out}[${em.sym(k.copy.index, s)}] = ${em.ref(k.copy.value, s)};`);
  });
  const rows = prod(k.outer);
  const par = o.threads > 1 && rows > 1 && rows * k.axis.extent >= PARALLEL_MIN;
  nest(top, [...rowGroups(k.outer, par, o, ['reduction(|:err)'], false), { loops: [k.axis] }], (s) => {
    em.ref(k.check, s);
    const v = em.ref(k.value, s);
    const at = `${out}[${em.sym(k.target, s)}]`;
    const int = CINT[k.dtype];
    if (int) s.lines.push(`${at} = (${CTYPE[k.dtype]})((${int.unsigned})${at} + (${int.unsigned})${v});`);
    else if (k.dtype === 'bool') s.lines.push(`${at} = (unsigned char)(${at} | ${v});`);
    else s.lines.push(`${at} += ${v};`);
  });
  return kernelText(k.name, k.params, top.lines);
}
