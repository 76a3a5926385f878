/**
 * Contiguous float32 elementwise kernels with vectorized memory access: one loop over n elements (loop
 * merging makes a contiguous kernel one loop), every load `p[i + c]` (c a multiple of 4) and every store
 * `p[i]`. Each thread handles four consecutive elements: with every pointer 16-byte aligned (checked at run
 * time: an input may be a view at any offset) it reads each input as one float4 and writes each output as
 * one; otherwise the same four elements one by one. The values of each element are the same expressions as
 * the scalar path prints (the loads bound to float4 components), so results are identical.
 */
import type { LoopKernel } from '../../lower/kernel.js';
import { walkVals, valDeps, type Val } from '../../lower/val.js';
import type { CudaTarget } from '../../target.js';
import { Emitter, Scope } from '../c/emit.js';
import { indent, signature, type CudaFunctionText } from './kernel-text.js';

/** Elements from which a contiguous elementwise kernel is vectorized. */
export const VECTOR_MIN = 1 << 12;
const LANES = ['x', 'y', 'z', 'w'] as const;

/** The loads of the kernel's outputs, or null when the kernel is not a contiguous float32 elementwise one. */
function vectorLoads(k: LoopKernel): Val[] | null {
  if (k.inner.length !== 0 || k.outer.length !== 1) return null;
  const v = k.outer[0]!;
  if (v.extent < VECTOR_MIN || v.extent % 4 !== 0) return null;
  if (k.params.some((p) => p.dtype !== 'float32')) return null;
  const unit = (x: { terms: readonly (readonly [{ t: string; name?: string }, number])[]; c: number }, anyC: boolean): boolean =>
    x.terms.length === 1 && x.terms[0]![0].t === 'var' && x.terms[0]![0].name === v.name && x.terms[0]![1] === 1 && (anyC ? x.c % 4 === 0 : x.c === 0);
  if (!k.outs.every((o) => unit(o.index, false))) return null;
  const loads: Val[] = [];
  let ok = true;
  walkVals(
    k.outs.map((o) => o.value),
    (x) => valDeps(x, k.vals),
    (x) => {
      if (x.k === 'load') {
        if (x.guard !== null || !unit(x.index, true)) ok = false;
        else loads.push(x);
      }
      if (x.k === 'checkidx') ok = false;
    },
  );
  return ok ? loads : null;
}

export function vectorFit(k: LoopKernel): boolean {
  return vectorLoads(k) !== null;
}

export function renderVector(k: LoopKernel, t: CudaTarget): CudaFunctionText {
  const loads = vectorLoads(k)!;
  const v = k.outer[0]!;
  const n = v.extent;
  const em = new Emitter(k.vals, (i) => `p${i}`, (i) => `acc${i}`);
  const top = new Scope(null, new Set(), new Set());
  const quad = top.child(['i0_']);
  // One float4 per distinct (parameter, offset) read.
  const reads = new Map<string, { name: string; param: number; c: number }>();
  const readOf = (x: Val & { k: 'load' }): { name: string } => {
    const key = `${x.param}|${x.index.c}`;
    let r = reads.get(key);
    if (!r) {
      r = { name: `L${reads.size}_`, param: x.param, c: x.index.c };
      reads.set(key, r);
    }
    return r;
  };
  const lanes = LANES.map((lane, e) => {
    const s = quad.child([v.name]);
    s.lines.push(`const long ${v.name} = i0_ + ${e};`);
    for (const x of loads) if (x.k === 'load') em.bind(x, `${readOf(x).name}.${lane}`, s);
    for (const o of k.outs) s.lines.push(`O${o.param}_.${lane} = ${em.ref(o.value, s)};`);
    return s.lines;
  });
  const scalar = quad.child([v.name, 'e_']);
  scalar.lines.push(`const long ${v.name} = i0_ + e_;`);
  for (const o of k.outs) scalar.lines.push(`p${o.param}[${v.name}] = ${em.ref(o.value, scalar)};`);
  const outParams = [...new Set(k.outs.map((o) => o.param))];
  const pointers = [...new Set([...outParams, ...[...reads.values()].map((r) => r.param)])];
  const vectorPath = [
    ...[...reads.values()].map((r) => `const float4 ${r.name} = *reinterpret_cast<const float4 *>(p${r.param} + ${r.c}L + i0_);`),
    ...outParams.map((p) => `float4 O${p}_;`),
    ...lanes.flatMap((ls) => ['{', ...indent(ls), '}']),
    ...outParams.map((p) => `*reinterpret_cast<float4 *>(p${p} + i0_) = O${p}_;`),
  ];
  const quads = n / 4;
  const block = t.blockThreads;
  const grid = Math.max(1, Math.min(t.maxBlocks, Math.ceil(quads / block)));
  const body = [
    'int err = 0;',
    `const int aligned_ = ((${pointers.map((p) => `(unsigned long long)p${p}`).join(' | ')}) & 15ull) == 0;`,
    ...top.lines,
    `for (long q_ = (long)blockIdx.x * blockDim.x + threadIdx.x; q_ < ${quads}L; q_ += (long)gridDim.x * blockDim.x) {`,
    ...indent([
      'const long i0_ = q_ * 4;',
      ...quad.lines,
      'if (aligned_) {',
      ...indent(vectorPath),
      '} else {',
      '  for (int e_ = 0; e_ < 4; e_++) {',
      ...indent(scalar.lines, 2),
      '  }',
      '}',
    ]),
    '}',
    'if (err) atomicOr(graft_err, err);',
  ];
  return { text: [`${signature(k.name, k.params)} {`, ...indent(body), '}', ''].join('\n'), launch: { grid: [grid, 1, 1], block: [block, 1, 1] } };
}
