/**
 * A program plan: what the runtime needs to run a compiled graph, as plain data (JSON-serializable, no IR
 * nodes, so a cached plan never keeps buffers alive). Buffers are numbered slots: the inputs first (in the
 * order of `structuralKey`'s inputs), then views of inputs, then one slot per kernel output, then the rest.
 */
import type { DType } from '../ir/dtype.js';
import type { KernelErrors } from './lower/kernel.js';

export type SlotRole =
  /** A program input (bound at run time). */
  | { readonly kind: 'input' }
  /** A contiguous block of input `of`, from element `offset` on (a subarray of it at run time: compiler/views.ts). */
  | { readonly kind: 'view'; readonly of: number; readonly offset: number }
  /** An intermediate, dead after its last reader (its memory is reused by the next run of the program). */
  | { readonly kind: 'temp' }
  /** A program result (returned). */
  | { readonly kind: 'output' }
  /** Working memory of one kernel (GEMM packing): allocated once per program and reused by every run. */
  | { readonly kind: 'scratch' }
  /**
   * The value of an `assign`: the target input's own memory when nothing else reads it, else a temporary
   * copied into the target after every kernel has run (`viaTemp` decides it when known at compile time;
   * the runtime also checks that no input read later shares the target's memory).
   */
  | { readonly kind: 'assign'; readonly target: number; readonly viaTemp: boolean; readonly readLater: readonly number[] };

export interface SlotInfo {
  readonly dtype: DType;
  readonly numel: number;
  readonly role: SlotRole;
}

/**
 * A C function and the file it is compiled from. Its name is a digest of its text: kernels of the same
 * structure (an unrolled loop, repeated layers) share one function, called with different buffers.
 */
export interface PlanFunction {
  readonly name: string;
  /** The C function. Its file (one shared object per function) is `functionFile(f)`: the prelude first. */
  readonly source: string;
  /** Whether the file needs the GEMM micro-kernels. */
  readonly gemm: boolean;
  /** Grid and block of its launches (CUDA functions only). */
  readonly launch?: { readonly grid: readonly [number, number, number]; readonly block: readonly [number, number, number] };
}

export interface PlanKernel {
  /** The kernel's name within its program (k0, k1, ...: for messages and inspection). */
  readonly name: string;
  readonly kind: 'loops' | 'scan' | 'scatter' | 'gemm';
  /** The function it calls: an index into `ProgramPlan.functions`. */
  readonly fn: number;
  /** The slot bound to each kernel parameter. */
  readonly args: readonly number[];
  /** Bytes each parameter must hold (checked before every call). */
  readonly minBytes: readonly number[];
  readonly shape: readonly number[];
  readonly dtype: DType;
  readonly flops: number;
  readonly bytes: number;
  readonly errors: KernelErrors;
  /** The ops fused into the kernel (for inspection). */
  readonly ops: readonly string[];
  /**
   * Pairs of argument positions (written, read) that may be bound to the same memory: the kernel reads each
   * element of the second only where it writes the same element of the first (compiler/lower/in-place.ts).
   */
  readonly inPlace?: readonly (readonly [number, number])[];
}

export type Step =
  | { readonly op: 'alloc'; readonly slot: number }
  | { readonly op: 'run'; readonly kernel: number }
  | { readonly op: 'free'; readonly slot: number }
  /** Copy slot `from` into slot `to` (same size). */
  | { readonly op: 'copy'; readonly from: number; readonly to: number };

export interface ProgramPlan {
  /** The distinct C functions the kernels call. */
  readonly functions: readonly PlanFunction[];
  readonly slots: readonly SlotInfo[];
  readonly nInputs: number;
  readonly kernels: readonly PlanKernel[];
  readonly steps: readonly Step[];
  /** The slot holding each root's value (an assign root: its target input slot). */
  readonly outputs: readonly number[];
  /** OpenMP threads the source was generated for. */
  readonly threads: number;
  /** The language of the functions: C (absent, for plans stored before CUDA) or CUDA C. */
  readonly target?: 'c' | 'cuda';
}
