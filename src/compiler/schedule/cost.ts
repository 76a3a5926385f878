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
