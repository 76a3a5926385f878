/** Pieces of every CUDA kernel's text: its signature, row decoding, the grid-stride loop and its launch shape. */
import type { KParam, LoopVar } from '../../lower/kernel.js';
import { prod } from '../../lower/kernel.js';
import type { CudaTarget } from '../../target.js';
import { CTYPE } from '../c/spellings.js';

/** Grid and block of a launch. */
export interface LaunchShape {
  readonly grid: readonly [number, number, number];
  readonly block: readonly [number, number, number];
}

export interface CudaFunctionText {
  /** `__global__ void <name>(...)` with the kernel's own name (the placeholder until the cache names it). */
  readonly text: string;
  readonly launch: LaunchShape;
}

export const indent = (lines: readonly string[], n = 1): string[] => lines.map((l) => '  '.repeat(n) + l);

/** The parameter list: the kernel's buffers, its scratch (split reductions), then the error word. */
export function signature(name: string, params: readonly KParam[], scratch = false): string {
  const ps = params.map((p, i) => `${p.write ? '' : 'const '}${CTYPE[p.dtype]} *__restrict__ p${i}`);
  return `__global__ void ${name}(${[...ps, ...(scratch ? ['void *__restrict__ scratch_'] : []), 'int *__restrict__ graft_err'].join(', ')})`;
}

/** Declarations of loop variables from linear row number `r` (the first loop outermost). */
export function decode(loops: readonly LoopVar[], r: string): string[] {
  return loops.map((l, j) => {
    const below = prod(loops.slice(j + 1));
    const q = below === 1 ? r : `${r} / ${below}L`;
    return `const long ${l.name} = ${j === 0 ? q : `(${q}) % ${l.extent}L`};`;
  });
}

/** One thread per row, a grid-stride loop over `rows` rows. */
export function gridStride(rows: number, t: CudaTarget, body: readonly string[]): { lines: string[]; launch: LaunchShape } {
  const block = Math.min(t.blockThreads, Math.max(32, Math.ceil(rows / 32) * 32));
  const grid = Math.max(1, Math.min(t.maxBlocks, Math.ceil(rows / block)));
  const lines = [
    `for (long r_ = (long)blockIdx.x * blockDim.x + threadIdx.x; r_ < ${rows}L; r_ += (long)gridDim.x * blockDim.x) {`,
    ...indent(body),
    '}',
  ];
  return { lines, launch: { grid: [grid, 1, 1], block: [block, 1, 1] } };
}

