/**
 * torch.nn.functional.pad (here also torch.pad). `pad` lists [before, after] amounts from the last dim
 * backwards, as in PyTorch. Constant mode is the IR `pad` primitive (negative amounts crop, with `slice`);
 * reflect/replicate/circular gather along each padded dim with an index computed from `iota`, so they stay
 * lazy and fuse like any other gather.
 */
import { ArgumentError, build, checkedScalar, fmtShape, ShapeError, ValueError, type Node } from '../ir/index.js';
import { z } from 'zod';
import { checked, custom, defineOptions, describeValue } from './options.js';
import { checkTensor } from './reduce-args.js';
import { applyOp, Tensor } from './tensor.js';

// A NaN fill is a value like any other here (PyTorch pads with it).
const fillValue = custom<number>('a number', (v) => typeof v === 'number');
const PAD_OPTIONS = defineOptions('pad', { mode: z.string().optional(), value: fillValue.nullable().optional() });

export type PadMode = 'constant' | 'reflect' | 'replicate' | 'circular';
export interface PadOptions {
  mode?: PadMode;
  /** Fill value for constant mode (default 0). */
  value?: number | null;
}

/** F.pad(input, pad, { mode, value }) — or F.pad(input, pad, mode, value). */
export function pad(x: Tensor, padding: readonly number[], mode: PadMode | PadOptions = 'constant', value?: number | null): Tensor {
  checkTensor('pad', x);
  if (!Array.isArray(padding) || padding.some((p) => !Number.isSafeInteger(p))) {
    throw new ArgumentError(`pad(): argument 'pad' must be a list of integers, not ${Array.isArray(padding) ? `[${padding.map((p) => describeValue(p)).join(', ')}]` : describeValue(padding)}`);
  }
  if (value !== undefined && value !== null && typeof value !== 'number') {
    throw new ArgumentError(`pad(): argument 'value' must be a number, not ${describeValue(value)}`);
  }
  const o: PadOptions = typeof mode === 'string' ? { mode, value } : checked(PAD_OPTIONS, mode);
  const m = o.mode ?? 'constant';
  const shape = x.shape;
  const r = shape.length;
  if (padding.length % 2 !== 0) throw new ValueError(`pad: Padding length must be divisible by 2 (got ${padding.length})`);
  const k = padding.length / 2;
  if (k > r) {
    throw new ValueError(
      `pad: Padding length should be less than or equal to two times the input dimension but got padding length ${padding.length} and input of dimension ${r}`,
    );
  }
  // pairs[d] = [before, after] for every dim (zeros for dims not padded).
  const pairs = shape.map(() => [0, 0] as [number, number]);
  for (let i = 0; i < k; i++) pairs[r - 1 - i] = [padding[2 * i]!, padding[2 * i + 1]!];
  if (m === 'constant') return constantPad(x, pairs, o.value ?? 0);
  if (m !== 'reflect' && m !== 'replicate' && m !== 'circular') {
    throw new ValueError(`pad: Unrecognised padding mode ${String(m)}; expected constant, reflect, replicate or circular`);
  }
  if (k > 3 || r < k + 1 || r > k + 2) {
    throw new ValueError(
      `pad: Only 2D, 3D, 4D, 5D padding with non-constant padding are supported for now (mode ${m}, padding length ${padding.length}, input of shape ${fmtShape(shape)})`,
    );
  }
  if (o.value !== undefined && o.value !== null && o.value !== 0) {
    throw new ValueError(`pad: Padding mode "${m}" doesn't take in value argument`);
  }
  pairs.forEach(([b, a], d) => {
    const n = shape[d]!;
    if (b === 0 && a === 0) return;
    if (m === 'reflect' && (b >= n || a >= n)) {
      throw new ValueError(
        `pad: Argument #4: Padding size should be less than the corresponding input dimension, but got: padding (${b}, ${a}) at dimension ${d} of input ${fmtShape(shape)}`,
      );
    }
    if (m === 'replicate' && n === 0) throw new ValueError(`pad: input tensor must have a non-empty dimension ${d} for replicate padding (input ${fmtShape(shape)})`);
    if (m === 'circular' && (b > n || a > n)) {
      throw new ValueError(`pad: Padding value causes wrapping around more than once (padding (${b}, ${a}) at dimension ${d} of input ${fmtShape(shape)})`);
    }
    if (n + b + a < 0) throw negativeSize(n, b, a, d);
  });
  const names = { reflect: `ReflectionPad${k}DBackward0`, replicate: `ReplicationPad${k}DBackward0`, circular: 'CatBackward0' } as const;
  return applyOp(names[m], [x], ([n]) => pairs.reduce((acc, [b, a], d) => (b === 0 && a === 0 ? acc : gatherPad(acc, d, b, a, m)), n!));
}

function negativeSize(n: number, b: number, a: number, d: number): ShapeError {
  return new ShapeError(
    `pad: The input size ${n}, plus negative padding ${b} and ${a} resulted in a negative output size, which is invalid. Check dimension ${d} of your input.`,
  );
}

function constantPad(x: Tensor, pairs: [number, number][], value: number): Tensor {
  const shape = x.shape;
  pairs.forEach(([b, a], d) => {
    const n = shape[d]!;
    if (n + Math.min(b, 0) + Math.min(a, 0) < 0 || n + b + a < 0) throw negativeSize(n, b, a, d);
  });
  const fill = checkedScalar(value, x.dtype, 'pad');
  return applyOp('ConstantPadNdBackward0', [x], ([n]) => {
    let y = n!;
    if (pairs.some(([b, a]) => b < 0 || a < 0)) {
      const start = pairs.map(([b]) => Math.max(-b, 0));
      const size = pairs.map(([b, a], d) => shape[d]! - Math.max(-b, 0) - Math.max(-a, 0));
      y = build.slice(y, start, size);
    }
    return build.pad(
      y,
      pairs.map(([b, a]) => [Math.max(b, 0), Math.max(a, 0)] as const),
      fill,
    );
  });
}

/** Pad one dim by gathering: output position o reads input position f(o - before) for the mode's f. */
function gatherPad(x: Node, d: number, before: number, after: number, mode: 'reflect' | 'replicate' | 'circular'): Node {
  const n = x.shape[d]!;
  const len = n + before + after;
  const c = (v: number): Node => build.constant(v, 'int32', [len]);
  const o = build.binary('sub', build.iota(len), c(before));
  let src: Node;
  if (mode === 'replicate') src = build.binary('min', build.binary('max', o, c(0)), c(n - 1));
  else if (mode === 'circular') src = build.binary('mod', o, c(n));
  else src = build.binary('sub', c(n - 1), build.unary('abs', build.binary('sub', c(n - 1), build.unary('abs', o))));
  const outShape = x.shape.map((s, i) => (i === d ? len : s));
  const lined = build.reshape(src, x.shape.map((_, i) => (i === d ? len : 1)));
  // gather reads index[i] along d and i elsewhere: the index must not be wider than the input there.
  return build.gather(x, build.expand(lined, outShape), d);
}
