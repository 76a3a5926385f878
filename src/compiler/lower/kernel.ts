/**
 * The lowered form of a kernel: loop nests over named index variables, per-element values (val.ts) and the
 * buffers it reads and writes. The C renderer prints this; nothing here knows C.
 */
import type { DType } from '../../ir/dtype.js';
import type { Sym } from './sym.js';
import type { ReduceSpec, Val, ValTable } from './val.js';

/** A buffer the kernel touches: `slot` is the program's buffer slot, `numel` the elements it must hold. */
export interface KParam {
  readonly slot: number;
  readonly dtype: DType;
  readonly numel: number;
  readonly write: boolean;
}

export interface LoopVar {
  readonly name: string;
  readonly extent: number;
}

/** What a kernel can report besides success (codes of src/compiler/kernel-status.ts). */
export interface KernelErrors {
  /** Ops that check data-dependent indices (gather, scatterAdd): code 1. */
  readonly index: string[];
  /** Integer division or remainder: code 2. */
  readonly zerodiv: boolean;
  /** Integer to a negative power: code 3. */
  readonly negpow: boolean;
}

interface KernelBase {
  readonly name: string;
  readonly params: readonly KParam[];
  readonly vals: ValTable;
  readonly errors: KernelErrors;
  /** The output's shape and dtype (for inspection). */
  readonly shape: readonly number[];
  readonly dtype: DType;
  /** Floating point operations and bytes moved, estimated (for GRAFT_DEBUG=2). */
  readonly flops: number;
  readonly bytes: number;
}

/** One output of a kernel: `param[index] = value`, per row (`full: false`) or per element of the inner loops. */
export interface KOut {
  readonly param: number;
  readonly index: Sym;
  readonly value: Val;
  readonly full: boolean;
}

/**
 * Elementwise work and reductions. For each row (outer loops), reduction phases run in order; each phase is
 * one pass over the inner loops computing one or more accumulators (a phase may use the results of earlier
 * phases: softmax is max, then sum of exp(x - max), then the output). Each output is written per row
 * (`full: false`) or per element of the inner loops (`full: true`). With no inner loops it is elementwise.
 * A kernel has one or more outputs (values of one fused group that share the loops).
 */
export interface LoopKernel extends KernelBase {
  readonly kind: 'loops';
  readonly outer: readonly LoopVar[];
  readonly inner: readonly LoopVar[];
  readonly phases: readonly (readonly ReduceSpec[])[];
  readonly outs: readonly KOut[];
}

/**
 * Inclusive prefix sum along one axis: outer loops over the other axes, a sequential loop along it. With
 * `sort`, the same loops run a stable argsort of each row instead (the row's keys are copied into per-thread
 * scratch, merge-sorted by position, and the positions written as int64).
 */
export interface ScanKernel extends KernelBase {
  readonly kind: 'scan';
  readonly outer: readonly LoopVar[];
  readonly axis: LoopVar;
  readonly value: Val;
  readonly out: { readonly param: number; readonly index: Sym };
  readonly sort?: { readonly descending: boolean };
}

/**
 * out = base, then out[index with axis replaced by idx[i]] += values[i] for every element i of the index
 * space (outer loops over the non-axis dimensions, which write disjoint locations, a sequential loop along
 * the axis).
 */
export interface ScatterKernel extends KernelBase {
  readonly kind: 'scatter';
  readonly copy: { readonly vars: readonly LoopVar[]; readonly index: Sym; readonly value: Val };
  readonly outer: readonly LoopVar[];
  readonly axis: LoopVar;
  readonly target: Sym;
  /** The checked index (a checkidx value): evaluated before `value` so `target` may use it. */
  readonly check: Val;
  readonly value: Val;
  readonly outParam: number;
}

/**
 * A contraction: out[batch, m, n] = epilogue(sum_k A[batch, m, k] * B[batch, k, n]), where A and B are any
 * fused values (loads through views, prologue elementwise work) and m, n, k, batch are groups of loop
 * variables. Rendered as packed, register-tiled matrix multiplication.
 */
export interface GemmKernel extends KernelBase {
  readonly kind: 'gemm';
  readonly batch: readonly LoopVar[];
  readonly m: readonly LoopVar[];
  readonly n: readonly LoopVar[];
  readonly k: readonly LoopVar[];
  readonly a: Val;
  readonly b: Val;
  /** The accumulator number the epilogue reads. */
  readonly acc: number;
  /** The outputs the epilogue writes (per element of m x n). */
  readonly outs: readonly { readonly param: number; readonly index: Sym; readonly value: Val }[];
  readonly accType: DType;
  /** The (single) output is the plain sum stored row-major: accumulated in place, no epilogue. */
  readonly direct: boolean;
}

/** Elements of working memory a kernel needs, passed as one extra buffer after its parameters (0: none). */
export function scratchElements(k: Kernel, threads: number): number {
  return k.kind === 'gemm' ? gemmScratch(k, threads) : 0;
}

/**
 * GEMM blocking (see render/c/gemm.ts); MR_MAX and NR_MAX bound the ISA-dependent register tile. MR_ALL is a
 * multiple of every register tile height (6 without AVX-512, 8 with it): per-block tables of A's rows are
 * sized by it, since a block's rows are rounded up to the tile height the compiler picks.
 */
export const GEMM = { KC: 256, MC: 96, NC: 4096, MR_MAX: 8, NR_MAX: 32, MR_ALL: 24 } as const;

/** Iterations of a group of loops (the product of their extents). */
export const prod = (ls: readonly LoopVar[]): number => ls.reduce((a, l) => a * l.extent, 1);
const roundUp = (x: number, m: number): number => Math.ceil(x / m) * m;

/** A GEMM whose output has at most this many elements may split its sum (K) into parts computed in parallel. */
export const KSPLIT_MAX_OUT = 1 << 14;
/** Sum length per part of a split sum (about). */
export const KSPLIT_LEN = 2048;
const KSPLIT_MAX = 16;

export interface GemmSplit {
  /** Independent output parts per batch element: column ranges (byColumns) or row ranges, `per` each. */
  readonly parts: number;
  readonly byColumns: boolean;
  readonly per: number;
  /**
   * Parts of the sum: a small output with a long sum (a weight gradient summed over a batch of images) is
   * computed as kParts partial sums over consecutive ranges of `kPer`, added in order afterwards. The split
   * depends only on the shape, never on the thread count, so results do not change with GRAFT_NUM_THREADS.
   */
  readonly kParts: number;
  readonly kPer: number;
}

/**
 * How a GEMM is split into independent parts: by columns when N >= M, else by rows, `per` rows or columns
 * each. With several threads there are 4 parts per thread, handed out dynamically, so that a thread the
 * OS delays (a busy machine) does not hold up the others for long.
 */
export function gemmSplit(g: GemmKernel, threads: number): GemmSplit {
  const M = prod(g.m);
  const N = prod(g.n);
  const K = prod(g.k);
  const B = prod(g.batch);
  const byColumns = N >= M;
  const kParts = B === 1 && M * N <= KSPLIT_MAX_OUT ? Math.max(1, Math.min(KSPLIT_MAX, Math.floor(K / KSPLIT_LEN))) : 1;
  const kPer = Math.ceil(K / kParts);
  const parts =
    threads > 1 && g.flops / 2 >= 1 << 18 ? Math.max(1, Math.min(Math.ceil((4 * threads) / kParts), Math.floor((byColumns ? N : M) / 64))) : 1;
  const per = byColumns ? roundUp(Math.ceil(N / parts), GEMM.NR_MAX) : roundUp(Math.ceil(M / parts), GEMM.MR_MAX);
  return { parts, byColumns, per, kParts, kPer };
}

/** Whether the sums are accumulated straight into the output (a plain, row-major sum, not split). */
export const gemmDirect = (g: GemmKernel, threads: number): boolean => g.direct && gemmSplit(g, threads).kParts === 1;

/**
 * Scratch of a GEMM: per thread a packed B block, a packed A block and (unless written in place or split)
 * its sums; then, for a split sum, the partial sums of every part.
 */
export function gemmScratchLayout(g: GemmKernel, threads: number): { b: number; a: number; c: number; perThread: number; partials: number } {
  const M = prod(g.m);
  const N = prod(g.n);
  const { byColumns, per, kParts } = gemmSplit(g, threads);
  const rows = byColumns ? M : Math.min(per, M);
  const cols = byColumns ? Math.min(per, N) : N;
  const b = GEMM.KC * roundUp(Math.min(GEMM.NC, cols), GEMM.NR_MAX);
  const a = GEMM.KC * GEMM.MC;
  const c = gemmDirect(g, threads) || kParts > 1 ? 0 : roundUp(rows * cols, 16);
  return { b, a, c, perThread: a + b + c, partials: kParts > 1 ? kParts * M * N : 0 };
}

function gemmScratch(g: GemmKernel, threads: number): number {
  const s = gemmScratchLayout(g, threads);
  return threads * s.perThread + s.partials;
}

export type Kernel = LoopKernel | ScanKernel | ScatterKernel | GemmKernel;
