/** C for prefix sums (scan kernels) and scatter-adds. */
import type { ScanKernel, ScatterKernel } from '../../lower/kernel.js';
import { Emitter, Scope } from './emit.js';
import { kernelText, nest, PARALLEL_MIN, prod, rowGroups, type RenderOptions } from './nest.js';
import { CINT, CTYPE } from './spellings.js';

/** Each row (all axes but the scanned one) runs sequentially along the axis with a running sum. */
export function renderScanKernel(k: ScanKernel, o: RenderOptions): string {
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
