/**
 * The rules a node must follow, checked on data from outside (a graph read from JSON): the number of inputs,
 * the argument's form, and the dtype and shape the op gives for its inputs. `nodeProblem` returns what is
 * wrong as `{ field, message }` (the field within the node: `shape`, `dtype`, `arg.axes`, `srcs`), or null.
 * The builders (build.ts) assume these rules hold; nodes built from JSON are checked here first, so a bad
 * file is a FormatError naming the field, never an internal error later in the compiler.
 */
import { z } from 'zod';
import { DTYPES, isFloat, isInt, type DType } from './dtype.js';
import { OPS, type Op } from './ops.js';
import { numel, shapeEq, type Shape } from './shape.js';

/** What a checked node looks like: its own fields and its inputs' dtypes and shapes. */
export interface NodeSpec {
  readonly op: Op;
  readonly dtype: DType;
  readonly shape: Shape;
  readonly arg: unknown;
  readonly srcs: readonly { readonly dtype: DType; readonly shape: Shape }[];
}

export interface Problem {
  readonly field: string;
  readonly message: string;
}

const dim = z.number().int().nonnegative();
const ints = z.array(z.number().int());
const ARGS: Partial<Record<Op, z.ZodType>> = {
  rand: z.object({ salt: z.number().int() }),
  reduce: z.object({ op: z.enum(['sum', 'max', 'min', 'prod']), axes: ints }),
  cumsum: z.object({ axis: z.number().int() }),
  argsort: z.object({ axis: z.number().int(), descending: z.boolean() }),
  permute: z.object({ perm: ints }),
  pad: z.object({ pads: z.array(z.tuple([dim, dim])), value: z.unknown() }),
  slice: z.object({ start: z.array(dim), step: z.array(z.number().int().positive()) }),
  flip: z.object({ axes: ints }),
  unfold: z.object({ axis: z.number().int(), size: z.number().int().positive(), step: z.number().int().positive() }),
  gather: z.object({ axis: z.number().int() }),
  scatterAdd: z.object({ axis: z.number().int() }),
};

const ty = (d: DType, s: Shape): string => `${d}[${s.join(',')}]`;

function expect(spec: NodeSpec, dtype: DType, shape: Shape, why: string): Problem | null {
  if (spec.dtype !== dtype) return { field: 'dtype', message: `${spec.op} ${why} gives ${dtype}, not ${spec.dtype}` };
  if (!shapeEq(spec.shape, shape)) return { field: 'shape', message: `${spec.op} ${why} gives shape [${shape.join(',')}], not [${spec.shape.join(',')}]` };
  return null;
}

const axesOk = (axes: readonly number[], rank: number): boolean => axes.every((a) => a >= 0 && a < rank) && new Set(axes).size === axes.length;

/** What is wrong with a node, or null. */
export function nodeProblem(spec: NodeSpec): Problem | null {
  const info = OPS[spec.op];
  if (!DTYPES.includes(spec.dtype)) return { field: 'dtype', message: `unknown dtype ${String(spec.dtype)}` };
  if (spec.srcs.length !== info.arity) return { field: 'srcs', message: `${spec.op} takes ${info.arity} input${info.arity === 1 ? '' : 's'}, got ${spec.srcs.length}` };
  const argSchema = ARGS[spec.op];
  let arg: Record<string, unknown> = {};
  if (argSchema) {
    const r = argSchema.safeParse(spec.arg);
    if (!r.success) {
      const issue = r.error.issues[0]!;
      return { field: ['arg', ...issue.path.map(String)].join('.'), message: `${spec.op}: ${issue.message}` };
    }
    arg = r.data as Record<string, unknown>;
  } else if (spec.op !== 'const' && spec.op !== 'buffer' && spec.arg !== null && spec.arg !== undefined) {
    return { field: 'arg', message: `${spec.op} takes no argument, got ${JSON.stringify(spec.arg)}` };
  }
  const [a, b, c] = spec.srcs as [NodeSpec['srcs'][0], NodeSpec['srcs'][0], NodeSpec['srcs'][0]];
  const cat = info.cat;
  switch (cat) {
    case 'source':
      if (spec.op === 'iota' && spec.shape.length !== 1) return { field: 'shape', message: 'iota is one-dimensional' };
      if (spec.op === 'rand') {
        if (a.dtype !== 'int32' || numel(a.shape) !== 2) return { field: 'srcs', message: `rand reads a seed of int32[2], got ${ty(a.dtype, a.shape)}` };
        if (!isFloat(spec.dtype)) return { field: 'dtype', message: `rand makes floats, not ${spec.dtype}` };
      }
      return null;
    case 'unary': {
      if (spec.op !== 'cast') {
        if (!(info as { ints?: boolean }).ints && !isFloat(a.dtype)) return { field: 'srcs', message: `${spec.op} takes floats, got ${a.dtype}` };
        if (a.dtype === 'bool' && !(info as { bools?: boolean }).bools) return { field: 'srcs', message: `${spec.op} does not take bool` };
      }
      return expect(spec, spec.op === 'not' ? 'bool' : spec.op === 'cast' ? spec.dtype : a.dtype, a.shape, 'of its input');
    }
    case 'binary':
    case 'compare':
      if (!shapeEq(a.shape, b.shape) || a.dtype !== b.dtype) {
        return { field: 'srcs', message: `${spec.op} needs inputs of equal shapes and dtypes, got ${ty(a.dtype, a.shape)} and ${ty(b.dtype, b.shape)}` };
      }
      if (!(info as { ints?: boolean }).ints && !isFloat(a.dtype)) return { field: 'srcs', message: `${spec.op} takes floats, got ${a.dtype}` };
      return expect(spec, cat === 'compare' ? 'bool' : a.dtype, a.shape, 'of its inputs');
    case 'ternary':
      if (a.dtype !== 'bool') return { field: 'srcs', message: `where's condition must be bool, got ${a.dtype}` };
      if (!shapeEq(a.shape, b.shape) || !shapeEq(b.shape, c.shape) || b.dtype !== c.dtype) {
        return { field: 'srcs', message: `where needs equal shapes and equal value dtypes, got ${ty(a.dtype, a.shape)}, ${ty(b.dtype, b.shape)}, ${ty(c.dtype, c.shape)}` };
      }
      return expect(spec, b.dtype, b.shape, 'of its inputs');
    case 'reduce': {
      const axes = arg.axes as number[];
      if (!axesOk(axes, a.shape.length)) return { field: 'arg.axes', message: `reduce axes (${axes.join(',')}) do not fit rank ${a.shape.length}` };
      return expect(spec, a.dtype, a.shape.map((d, i) => (axes.includes(i) ? 1 : d)), `over axes (${axes.join(',')}) of ${ty(a.dtype, a.shape)}`);
    }
    case 'scan': {
      const axis = arg.axis as number;
      if (!axesOk([axis], a.shape.length)) return { field: 'arg.axis', message: `${spec.op} axis ${axis} does not fit rank ${a.shape.length}` };
      return expect(spec, spec.op === 'argsort' ? 'int64' : a.dtype, a.shape, 'of its input');
    }
    case 'movement':
      return movementProblem(spec, a, arg);
    case 'gather': {
      const axis = arg.axis as number;
      if (!isInt(b.dtype)) return { field: 'srcs', message: `gather indices must be integers, got ${b.dtype}` };
      if (b.shape.length !== a.shape.length || !axesOk([axis], a.shape.length)) return { field: 'arg.axis', message: `gather of ${ty(a.dtype, a.shape)} by ${ty(b.dtype, b.shape)} along axis ${axis}` };
      return expect(spec, a.dtype, b.shape, 'of its index');
    }
    case 'scatter': {
      const axis = arg.axis as number;
      if (!isInt(b.dtype) || !shapeEq(b.shape, c.shape) || a.dtype !== c.dtype || a.shape.length !== c.shape.length || !axesOk([axis], a.shape.length)) {
        return { field: 'srcs', message: `scatterAdd of ${ty(c.dtype, c.shape)} into ${ty(a.dtype, a.shape)} by ${ty(b.dtype, b.shape)} along axis ${axis}` };
      }
      return expect(spec, a.dtype, a.shape, 'of its base');
    }
    case 'memory':
      if (spec.op === 'assign') {
        if (a.dtype !== b.dtype || !shapeEq(a.shape, b.shape)) return { field: 'srcs', message: `assign of ${ty(b.dtype, b.shape)} into ${ty(a.dtype, a.shape)}` };
        return expect(spec, b.dtype, b.shape, 'of its value');
      }
      return expect(spec, a.dtype, a.shape, 'of its input');
  }
}

function movementProblem(spec: NodeSpec, a: NodeSpec['srcs'][0], arg: Record<string, unknown>): Problem | null {
  const rank = a.shape.length;
  switch (spec.op) {
    case 'reshape':
      if (numel(spec.shape) !== numel(a.shape)) return { field: 'shape', message: `reshape of ${ty(a.dtype, a.shape)} to [${spec.shape.join(',')}] changes the number of elements` };
      return expect(spec, a.dtype, spec.shape, 'of its input');
    case 'expand':
      if (spec.shape.length !== rank || !a.shape.every((d, i) => d === spec.shape[i] || d === 1)) {
        return { field: 'shape', message: `expand of ${ty(a.dtype, a.shape)} to [${spec.shape.join(',')}]: only size-1 axes grow` };
      }
      return expect(spec, a.dtype, spec.shape, 'of its input');
    case 'permute': {
      const perm = arg.perm as number[];
      if (perm.length !== rank || !axesOk(perm, rank)) return { field: 'arg.perm', message: `(${perm.join(',')}) is not a permutation of ${rank} axes` };
      return expect(spec, a.dtype, perm.map((p) => a.shape[p]!), `(${perm.join(',')}) of ${ty(a.dtype, a.shape)}`);
    }
    case 'pad': {
      const pads = arg.pads as [number, number][];
      if (pads.length !== rank) return { field: 'arg.pads', message: `${pads.length} pads for rank ${rank}` };
      return expect(spec, a.dtype, a.shape.map((d, i) => d + pads[i]![0] + pads[i]![1]), `of ${ty(a.dtype, a.shape)}`);
    }
    case 'slice': {
      const start = arg.start as number[];
      const step = arg.step as number[];
      if (start.length !== rank || step.length !== rank || spec.shape.length !== rank) return { field: 'arg.start', message: `a slice of rank ${rank} needs ${rank} starts, steps and sizes` };
      const bad = spec.shape.findIndex((n, i) => n > 0 && start[i]! + (n - 1) * step[i]! >= a.shape[i]!);
      if (bad >= 0) return { field: 'shape', message: `slice axis ${bad}: ${spec.shape[bad]} elements from ${start[bad]} by ${step[bad]} do not fit in ${a.shape[bad]}` };
      return expect(spec, a.dtype, spec.shape, 'of its input');
    }
    case 'flip': {
      const axes = arg.axes as number[];
      if (!axesOk(axes, rank)) return { field: 'arg.axes', message: `flip axes (${axes.join(',')}) do not fit rank ${rank}` };
      return expect(spec, a.dtype, a.shape, 'of its input');
    }
    case 'unfold': {
      const { axis, size, step } = arg as { axis: number; size: number; step: number };
      if (!axesOk([axis], rank) || size > a.shape[axis]!) return { field: 'arg', message: `unfold axis ${axis} size ${size} of ${ty(a.dtype, a.shape)}` };
      const windows = Math.floor((a.shape[axis]! - size) / step) + 1;
      return expect(spec, a.dtype, [...a.shape.slice(0, axis), windows, ...a.shape.slice(axis + 1), size], `axis ${axis} size ${size} step ${step} of ${ty(a.dtype, a.shape)}`);
    }
    default:
      return null;
  }
}
