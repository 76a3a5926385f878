/**
 * flatten and pad of torch.nn.functional.
 */
import { build, normDim, ShapeError, ValueError } from '../../ir/index.js';
import { applyOp, makeView, reshapeStrides, type Tensor } from '../../tensor/index.js';
import { checkTensorArg } from './util.js';

/** torch.flatten: merge dims startDim..endDim into one (a view when the strides allow, as PyTorch). */
export function flatten(x: Tensor, startDim = 0, endDim = -1): Tensor {
  checkTensorArg('flatten', x);
  const r = x.dim();
  if (r === 0) return applyOp('ViewBackward0', [x], ([n]) => build.reshape(n!, [1]));
  const a = normDim(startDim, r, 'flatten');
  const b = normDim(endDim, r, 'flatten');
  if (a > b) throw new ValueError('flatten() has invalid args: start_dim cannot come after end_dim');
  if (a === b) return x;
  const s = x.shape;
  const shape = [...s.slice(0, a), s.slice(a, b + 1).reduce((p, q) => p * q, 1), ...s.slice(b + 1)];
  if (reshapeStrides(s, x.stride(), shape) !== null) return makeView('ViewBackward0', x, [{ kind: 'reshape', shape }]);
  return applyOp('UnsafeViewBackward0', [x], ([n]) => build.reshape(n!, shape));
}

export interface PadOptions {
  /** Only 'constant' (the default) is supported. */
  mode?: 'constant';
  value?: number;
}

/**
 * F.pad: `pad` lists [before, after] amounts from the last dim backwards ([left, right, top, bottom, ...]);
 * negative amounts crop. Constant mode.
 */
export function pad(x: Tensor, padding: readonly number[], opts: PadOptions | 'constant' = {}): Tensor {
  const op = 'pad';
  checkTensorArg(op, x);
  const o = typeof opts === 'string' ? { mode: opts } : opts;
  const mode = o.mode ?? 'constant';
  if (mode !== 'constant') throw new ValueError(`${op}: padding mode '${String(mode)}' is not supported by graft; only 'constant' is`);
  if (!Array.isArray(padding) || padding.some((p) => !Number.isInteger(p))) throw new ValueError(`${op}: pad must be a list of ints, got ${JSON.stringify(padding)}`);
  if (padding.length % 2 !== 0) throw new ValueError(`${op}: Padding length must be divisible by 2`);
  const r = x.dim();
  if (padding.length / 2 > r) throw new ValueError(`${op}: Padding length should be less than or equal to two times the input dimension but got padding length ${padding.length} and input of dimension ${r}`);
  const pads: [number, number][] = x.shape.map(() => [0, 0]);
  for (let i = 0; i < padding.length / 2; i++) pads[r - 1 - i] = [padding[2 * i]!, padding[2 * i + 1]!];
  pads.forEach(([b, a], i) => {
    if (x.shape[i]! + Math.min(b, 0) + Math.min(a, 0) < 0) {
      throw new ShapeError(
        `${op}: The input size ${x.shape[i]}, plus negative padding ${b} and ${a} resulted in a negative output size, which is invalid. Check dimension ${i} of your input.`,
      );
    }
  });
  const value = o.value ?? 0;
  return applyOp('ConstantPadNdBackward0', [x], ([n]) => {
    let y = n!;
    if (pads.some(([b, a]) => b < 0 || a < 0)) {
      const start = pads.map(([b]) => Math.max(0, -b));
      const size = y.shape.map((d, i) => d - start[i]! - Math.max(0, -pads[i]![1]));
      y = build.slice(y, start, size);
    }
    return build.pad(
      y,
      pads.map(([b, a]) => [Math.max(b, 0), Math.max(a, 0)] as const),
      value,
    );
  });
}
