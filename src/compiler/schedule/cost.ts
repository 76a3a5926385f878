/**
 * THE cost rule of fusion, in one place: when a value that is not already a kernel's output is recomputed
 * where it is read, and when it is materialized into a buffer of its own.
 *
 * - A reduction is never recomputed: read by more than one kernel, it is materialized.
 * - Any other value whose fused expression costs at most CHEAP (op weights below; movement ops, casts and
 *   constants are free) is always recomputed in each reader: re-reading its inputs costs no more than reading
 *   a materialized copy, and it saves a kernel and a buffer.
 * - A dearer value is materialized when more than one kernel reads it, or when it is broadcast (an `expand`
 *   reads each element several times) — except a per-row value of a fused reduction (it depends on the
 *   reduction), which the kernel computes once per row.
 * - The cut: a kernel's fused expression counts at most MAX_FUSED nodes (a tree count: a value used twice
 *   counts twice). Where a node would exceed it, its largest fused inputs are materialized until it fits. An
 *   elementwise chain of a million ops becomes kernels of MAX_FUSED nodes each — all of one structure, so
 *   compiled once — instead of one C expression of a million terms; a gradient summed over a thousand time
 *   steps becomes partial sums of the same shape.
 */
import type { Node } from '../../ir/node.js';
import type { Op } from '../../ir/ops.js';

/** Expression cost (in ~arithmetic ops) up to which a value is always recomputed rather than stored. */
export const CHEAP = 4;

const OP_COST: Partial<Record<Op, number>> = {
  neg: 1, abs: 1, sign: 1, not: 1, floor: 1, ceil: 1, round: 1, trunc: 1,
  add: 1, sub: 1, mul: 1, max: 1, min: 1, and: 1, or: 1, xor: 1,
  lt: 1, le: 1, gt: 1, ge: 1, eq: 1, ne: 1, where: 1,
  div: 2, recip: 2, sqrt: 2, gather: 2,
  idiv: 4, mod: 4, rand: 4,
  exp: 8, log: 8, sin: 8, cos: 8, tanh: 8, erf: 8, pow: 8,
};

/** The cost of evaluating one element of `n` itself (not its inputs). */
export const opCost = (n: Node): number => OP_COST[n.op] ?? 0;

/** The same weight for an op by name (the lowering's values name their ops as the IR does). */
export const opWeight = (op: string): number => OP_COST[op as Op] ?? 0;

export interface ReadInfo {
  /** Number of distinct kernels that would evaluate the value. */
  readonly readers: number;
  /** How many times each element is read within a kernel through broadcasting (1: not broadcast). */
  readonly broadcast: number;
  /** Cost of the value's fused expression (capped just above CHEAP). */
  readonly cost: number;
  /** Whether the value depends on a reduction fused into the same kernel (a per-row value). */
  readonly perRow: boolean;
}

export function shouldMaterialize(n: Node, r: ReadInfo): boolean {
  if (n.op === 'reduce') return r.readers > 1;
  if (r.cost <= CHEAP) return false;
  return r.readers > 1 || (r.broadcast > 1 && !r.perRow);
}

/**
 * Nodes one kernel's fused expression may count. It bounds the generated C of a kernel, the time to compile
 * it and the depth of the lowering's walk over it; a fused kernel of ordinary models (a layer's forward or
 * backward, an optimizer update) counts far fewer.
 */
export const MAX_FUSED = 128;

/** The fused size of a value: itself plus the sizes of the inputs fused into it (buffers count 1). */
export const fusedSize = (srcSizes: readonly number[]): number => srcSizes.reduce((a, b) => a + b, 1);

/**
 * The cut: which inputs of a node (by position) to materialize so that its fused size stays within MAX_FUSED,
 * given each input's fused size (1 for an input already in a buffer): the largest first.
 */
export function inputsToCut(srcSizes: readonly number[]): number[] {
  let size = fusedSize(srcSizes);
  const cut: number[] = [];
  const bySize = srcSizes.map((s, i) => [s, i] as const).sort((a, b) => b[0] - a[0]);
  for (const [s, i] of bySize) {
    if (size <= MAX_FUSED || s <= 1) break;
    cut.push(i);
    size -= s - 1;
  }
  return cut;
}
