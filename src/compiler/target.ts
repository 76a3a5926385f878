/**
 * What is the device's choice, in one place the renderers and the assembler read: the target language, how
 * work is spread (OpenMP threads for C; threads per block and a cap on blocks for CUDA) and where a kernel's
 * working memory lives (a scratch slot of the program for C's GEMM packing; none on CUDA, whose kernels keep
 * their tiles in shared memory and registers, except a split reduction's per-slice states and counters).
 */
import { DTYPE_INFO } from '../ir/dtype.js';
import { scratchElements, type Kernel } from './lower/kernel.js';
import { splitScratchBytes } from './render/cuda/rows.js';

export interface CTarget {
  readonly kind: 'c';
  /** OpenMP threads (GRAFT_NUM_THREADS). */
  readonly threads: number;
}

export interface CudaTarget {
  readonly kind: 'cuda';
  /** Threads per block of the grid-stride kernels (a multiple of 32). */
  readonly blockThreads: number;
  /** At most this many blocks: larger index spaces are covered by grid-stride loops. */
  readonly maxBlocks: number;
}

export type Target = CTarget | CudaTarget;

export const cTarget = (threads: number): CTarget => ({ kind: 'c', threads });

export const CUDA_TARGET: CudaTarget = { kind: 'cuda', blockThreads: 256, maxBlocks: 4096 };

/** Elements of working memory a kernel needs as an extra program slot on this target (0: none). */
export function scratchFor(k: Kernel, t: Target): number {
  if (t.kind === 'c') return scratchElements(k, t.threads);
  if (k.kind !== 'loops') return 0;
  return Math.ceil(splitScratchBytes(k) / DTYPE_INFO[k.dtype].bytes);
}

/** A memo key of a target (rendering is cached per kernel structure and target). */
export function targetKey(t: Target): string {
  return t.kind === 'c' ? `c${t.threads}` : `cuda${t.blockThreads}/${t.maxBlocks}`;
}
