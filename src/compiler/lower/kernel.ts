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

/**
 * Elementwise work and reductions. For each row (outer loops), reduction phases run in order; each phase is
 * one pass over the inner loops computing one or more accumulators (a phase may use the results of earlier
 * phases: softmax is max, then sum of exp(x - max), then the output). The output is written per row
 * (`full: false`) or per element of the inner loops (`full: true`). With no inner loops it is elementwise.
 */
export interface LoopKernel extends KernelBase {
  readonly kind: 'loops';
  readonly outer: readonly LoopVar[];
  readonly inner: readonly LoopVar[];
  readonly phases: readonly (readonly ReduceSpec[])[];
  readonly out: { readonly param: number; readonly index: Sym; readonly value: Val; readonly full: boolean };
}

/** Inclusive prefix sum along one axis: outer loops over the other axes, a sequential loop along it. */
export interface ScanKernel extends KernelBase {
  readonly kind: 'scan';
  readonly outer: readonly LoopVar[];
  readonly axis: LoopVar;
  readonly value: Val;
  readonly out: { readonly param: number; readonly index: Sym };
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
  readonly out: { readonly param: number; readonly index: Sym; readonly value: Val };
  readonly accType: DType;
}

export type Kernel = LoopKernel | ScanKernel | ScatterKernel | GemmKernel;
