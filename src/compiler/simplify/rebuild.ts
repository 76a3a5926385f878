/**
 * Rebuild a node with new inputs through the IR builders (so their free rewrites apply: a reshape of a
 * reshape folds, a movement of a constant is a constant, ...).
 */
import * as build from '../../ir/build.js';
import type { Node } from '../../ir/node.js';
import type { BinaryOp, ReduceOp, UnaryOp } from '../../ir/ops.js';

export function rebuild(n: Node, srcs: readonly Node[]): Node {
  if (srcs.length === n.srcs.length && srcs.every((s, i) => s === n.srcs[i])) return n;
  const [a, b, c] = srcs as [Node, Node, Node];
  const arg = n.arg as never;
  switch (n.op) {
    case 'rand':
      return build.rand(a, (arg as { salt: number }).salt, n.dtype, n.shape);
    case 'cast':
      return build.cast(a, n.dtype);
    case 'where':
      return build.where(a, b, c);
    case 'reduce': {
      const r = arg as { op: ReduceOp; axes: number[] };
      return build.reduce(a, r.op, r.axes);
    }
    case 'cumsum':
      return build.cumsum(a, (arg as { axis: number }).axis);
    case 'argsort': {
      const s = arg as { axis: number; descending: boolean };
      return build.argsort(a, s.axis, s.descending);
    }
    case 'reshape':
      return build.reshape(a, n.shape);
    case 'permute':
      return build.permute(a, (arg as { perm: number[] }).perm);
    case 'expand':
      return build.expand(a, n.shape);
    case 'pad': {
      const p = arg as { pads: [number, number][]; value: number };
      return build.pad(a, p.pads, p.value);
    }
    case 'slice': {
      const s = arg as { start: number[]; step: number[] };
      return build.slice(a, s.start, n.shape, s.step);
    }
    case 'flip':
      return build.flip(a, (arg as { axes: number[] }).axes);
    case 'unfold': {
      const u = arg as { axis: number; size: number; step: number };
      return build.unfold(a, u.axis, u.size, u.step);
    }
    case 'gather':
      return build.gather(a, b, (arg as { axis: number }).axis);
    case 'scatterAdd':
      return build.scatterAdd(a, b, c, (arg as { axis: number }).axis);
    case 'contiguous':
      return build.contiguous(a);
    case 'detach':
      return build.detach(a);
    case 'assign':
      return build.assign(a, b);
    default:
      break;
  }
  if (srcs.length === 1) return build.unary(n.op as UnaryOp, a);
  if (srcs.length === 2) return build.binary(n.op as BinaryOp, a, b);
  throw new Error(`internal: cannot rebuild ${n.op}`);
}
