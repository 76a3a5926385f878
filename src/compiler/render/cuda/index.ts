/**
 * The CUDA renderer: lowered kernels -> CUDA C `__global__` functions and their launch shapes.
 *
 * Every kernel's index space is split into rows (its outer loops) spread over the grid by a grid-stride loop,
 * one thread per row; what a row computes is the C renderer's own serial code for a kernel without outer
 * loops (render/c at one thread, OpenMP left out), so every kind of kernel the lowering makes runs on cuda
 * with the C path's semantics (index checks, integer wrapping, float32 sums accumulated as on the cpu):
 * - elementwise: a row is one element (one thread per output element); contiguous float32 ones read and
 *   write float4s, four elements per thread (elementwise.ts);
 * - reductions: a row is one output row reduced serially by its thread; rows reduced by a block tree with
 *   warp shuffles where a row is long and few rows share the grid (rows.ts);
 * - contractions: tiled through shared memory with a register block per thread (gemm.ts);
 * - prefix sums and argsorts: one thread per row along the axis; scatter-adds: one thread (correct, slow).
 * A kernel reports errors (an index out of range, ...) by or-ing the C kernels' error bits into a device word
 * (`graft_err`, its last parameter) that the device reads at the next synchronization.
 */
import type { GemmKernel, Kernel, LoopKernel, LoopVar } from '../../lower/kernel.js';
import { prod } from '../../lower/kernel.js';
import type { CudaTarget } from '../../target.js';
import { renderKernel as renderC } from '../c/index.js';
import { paramDecls } from '../c/nest.js';
import { renderVector, vectorFit } from './elementwise.js';
import { renderGemm } from './gemm.js';
import { decode, gridStride, indent, signature, type CudaFunctionText } from './kernel-text.js';
import { CUDA_PRELUDE } from './prelude.js';
import { blockRowsFit, renderBlockRows } from './rows.js';

export { CUDA_PRELUDE } from './prelude.js';
export type { CudaFunctionText, LaunchShape } from './kernel-text.js';

/**
 * The C renderer's serial code of `k` (one thread, no OpenMP) as CUDA statements: its helpers (text before
 * the function) and its body, with the parameters' declarations left out and the status flushed into the
 * error word.
 */
export function serialBody(k: Kernel): { helpers: string; body: string[] } {
  const text = renderC(k, { threads: 1 });
  const lines = text.split('\n');
  const head = `${k.name}(void **restrict bufs) {`;
  const start = lines.findIndex((l) => l.endsWith(head));
  let end = lines.length - 1;
  while (end > start && lines[end] !== '}') end--;
  if (start < 0 || end <= start) throw new Error(`internal: cannot find the C function of kernel ${k.name}`);
  const decls = new Set(paramDecls(k.params).map((l) => '  ' + l));
  const body: string[] = [];
  for (const l of lines.slice(start + 1, end)) {
    if (decls.has(l) || /^\s*#pragma omp\b/.test(l)) continue;
    body.push(
      toCuda(l)
        .replace('return GRAFT_STATUS(err);', 'if (err) atomicOr(graft_err, err);')
        .replace('return GRAFT_OUT_OF_MEMORY;', '{ atomicOr(graft_err, 8); return; }')
        .replace(/^ {2}/, ''),
    );
  }
  const helpers = lines
    .slice(0, start)
    .map((l) => toCuda(l).replace(/^static inline /, 'static __device__ __forceinline__ ').replace(/^static void /, 'static __device__ void '))
    .join('\n');
  return { helpers, body };
}

/** C spellings CUDA C++ lacks: `restrict`, GCC's loop pragma. */
const toCuda = (l: string): string => l.replace(/_Pragma\("GCC unroll 1"\) /g, '').replace(/\brestrict\b/g, '__restrict__');

/** A kernel without its outer loops: what one thread computes for one row. */
const rowKernel = <K extends Kernel & { readonly outer: readonly LoopVar[] }>(k: K): K => ({ ...k, outer: [] });

function renderRowsGeneric(k: Kernel & { readonly outer: readonly LoopVar[] }, t: CudaTarget): CudaFunctionText {
  const { helpers, body } = serialBody(rowKernel(k));
  const g = gridStride(prod(k.outer), t, [...decode(k.outer, 'r_'), ...body]);
  return { text: [helpers, `${signature(k.name, k.params)} {`, ...indent(g.lines), '}', ''].join('\n'), launch: g.launch };
}

/** A kernel run by a single thread (scatter-adds: rows must follow the copy of the base). */
function renderSingle(k: Kernel): CudaFunctionText {
  const { helpers, body } = serialBody(k);
  const lines = ['if (blockIdx.x != 0 || threadIdx.x != 0) return;', ...body];
  return { text: [helpers, `${signature(k.name, k.params)} {`, ...indent(lines), '}', ''].join('\n'), launch: { grid: [1, 1, 1], block: [1, 1, 1] } };
}

export function renderCudaKernel(k: Kernel, t: CudaTarget): CudaFunctionText {
  switch (k.kind) {
    case 'loops':
      if (vectorFit(k)) return renderVector(k, t);
      return blockRowsFit(k) ? renderBlockRows(k as LoopKernel, t) : renderRowsGeneric(k, t);
    case 'scan':
      return renderRowsGeneric(k, t);
    case 'scatter':
      return renderSingle(k);
    case 'gemm':
      return renderGemm(k as GemmKernel, t);
  }
}

/** A CUDA module's source: the prelude, then the functions. */
export function renderCudaFile(functions: readonly string[]): string {
  return [CUDA_PRELUDE, ...functions].join('\n');
}
