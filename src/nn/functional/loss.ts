/**
 * Regression and binary losses of torch.nn.functional: mseLoss, l1Loss, smoothL1Loss, huberLoss,
 * binaryCrossEntropy and binaryCrossEntropyWithLogits. Each is one elementwise expression and an optional
 * reduction, so it fuses into a single kernel with whatever produced its inputs.
 */
import { broadcastShapes, build, DTypeError, fmtShape, isFloat, resultType, ValueError, type DType, type Node } from '../../ir/index.js';
import { applyOp, type Tensor } from '../../tensor/index.js';
import { defineOptions, real } from '../../tensor/options.js';
import { checkReduction, checkTensorArg, constLike, knownValues, reduceLoss, reductionArg, scalarName, tensorOrNull, type Reduction } from './util.js';

const MSE_OPTIONS = defineOptions('mseLoss', { reduction: reductionArg.optional() });
const L1_OPTIONS = defineOptions('l1Loss', { reduction: reductionArg.optional() });
const SMOOTH_L1_OPTIONS = defineOptions('smoothL1Loss', { reduction: reductionArg.optional(), beta: real.optional() });
const HUBER_OPTIONS = defineOptions('huberLoss', { reduction: reductionArg.optional(), delta: real.optional() });
const BCE_OPTIONS = defineOptions('binaryCrossEntropy', { reduction: reductionArg.optional(), weight: tensorOrNull.optional() });
const BCE_LOGITS_OPTIONS = defineOptions('binaryCrossEntropyWithLogits', { reduction: reductionArg.optional(), weight: tensorOrNull.optional(), posWeight: tensorOrNull.optional() });

export interface LossOptions {
  reduction?: Reduction;
}

const sizeText = (s: readonly number[]): string => `torch.Size([${s.join(', ')}])`;

/** A pointwise loss f(input, target) over the broadcast shape (as PyTorch, which also broadcasts). */
function pointwise(op: string, grad: (r: Reduction) => string, input: Tensor, target: Tensor, opts: LossOptions, f: (x: Node, y: Node) => Node): Tensor {
  checkTensorArg(op, input);
  checkTensorArg(op, target, 'target');
  const reduction = checkReduction(op, opts.reduction);
  const dtype = resultType({ dtype: input.dtype, dim: input.dim() }, { dtype: target.dtype, dim: target.dim() });
  if (!isFloat(dtype)) throw new DTypeError(`${op}: "${op}" not implemented for '${scalarName(dtype)}' (graft: ${dtype}); use float tensors`);
  const shape = broadcastShapes(input.shape, target.shape, op);
  return applyOp(grad(reduction), [input, target], ([x, y]) => {
    const cx = build.broadcastTo(build.cast(x!, dtype), shape);
    const cy = build.broadcastTo(build.cast(y!, dtype), shape);
    return reduceLoss(f(cx, cy), reduction);
  });
}

const sub = (a: Node, b: Node): Node => build.binary('sub', a, b);
const mul = (a: Node, b: Node): Node => build.binary('mul', a, b);
const add = (a: Node, b: Node): Node => build.binary('add', a, b);
const abs = (a: Node): Node => build.unary('abs', a);

/** Mean (or sum, or none) of (input - target)². */
export function mseLoss(input: Tensor, target: Tensor, opts: LossOptions = {}): Tensor {
  MSE_OPTIONS.check(opts);
  return pointwise('mse_loss', () => 'MseLossBackward0', input, target, opts, (x, y) => {
    const d = sub(x, y);
    return mul(d, d);
  });
}

/** Mean (or sum, or none) of |input - target|. */
export function l1Loss(input: Tensor, target: Tensor, opts: LossOptions = {}): Tensor {
  L1_OPTIONS.check(opts);
  const grad = (r: Reduction): string => (r === 'mean' ? 'MeanBackward0' : r === 'sum' ? 'SumBackward0' : 'AbsBackward0');
  return pointwise('l1_loss', grad, input, target, opts, (x, y) => abs(sub(x, y)));
}

/** |d| < beta: 0.5 d² / beta, else |d| - 0.5 beta (beta = 0 is the L1 loss). */
export function smoothL1Loss(input: Tensor, target: Tensor, opts: LossOptions & { beta?: number } = {}): Tensor {
  SMOOTH_L1_OPTIONS.check(opts);
  const beta = opts.beta ?? 1;
  if (!(beta >= 0)) throw new ValueError(`smooth_l1_loss: smooth_l1_loss does not support negative values for beta, got ${beta}`);
  return pointwise('smooth_l1_loss', () => 'SmoothL1LossBackward0', input, target, opts, (x, y) => {
    const d = abs(sub(x, y));
    if (beta === 0) return d;
    const quad = mul(mul(d, d), constLike(d, 0.5 / beta));
    return build.where(build.binary('lt', d, constLike(d, beta)), quad, sub(d, constLike(d, 0.5 * beta)));
  });
}

/** |d| <= delta: 0.5 d², else delta (|d| - 0.5 delta). */
export function huberLoss(input: Tensor, target: Tensor, opts: LossOptions & { delta?: number } = {}): Tensor {
  HUBER_OPTIONS.check(opts);
  const delta = opts.delta ?? 1;
  if (!(delta > 0)) throw new ValueError(`huber_loss: huber_loss does not support non-positive values for delta, got ${delta}`);
  return pointwise('huber_loss', () => 'HuberLossBackward0', input, target, opts, (x, y) => {
    const d = abs(sub(x, y));
    const quad = mul(mul(d, d), constLike(d, 0.5));
    return build.where(build.binary('lt', d, constLike(d, delta)), quad, mul(constLike(d, delta), sub(d, constLike(d, 0.5 * delta))));
  });
}

export interface BceOptions extends LossOptions {
  /** Rescales each element's loss (broadcast to the input). */
  weight?: Tensor | null;
}

/** Shared checks of the binary losses: equal shapes, float dtypes, a broadcastable weight. */
function binaryInputs(op: string, input: Tensor, target: Tensor, weight: Tensor | null, message: () => string): DType {
  checkTensorArg(op, input);
  checkTensorArg(op, target, 'target');
  if (weight !== null) checkTensorArg(op, weight, 'weight');
  if (input.shape.length !== target.shape.length || input.shape.some((d, i) => d !== target.shape[i])) throw new ValueError(`${op}: ${message()}`);
  if (!isFloat(input.dtype)) throw new DTypeError(`${op}: "${op}" not implemented for '${scalarName(input.dtype)}' (graft: ${input.dtype}); use float tensors`);
  if (weight) {
    checkTensorArg(op, weight, 'weight');
    broadcastShapes(weight.shape, input.shape, op);
    if (broadcastShapes(weight.shape, input.shape).length !== input.dim()) throw new ValueError(`${op}: weight of shape ${fmtShape(weight.shape)} does not broadcast to the input's shape ${fmtShape(input.shape)}`);
  }
  return input.dtype;
}

/** The weighted elementwise loss, reduced: inputs [input, target, weight?]. */
function weighted(loss: Node, w: Node | undefined, reduction: Reduction): Node {
  const l = w ? mul(loss, build.broadcastTo(build.cast(w, loss.dtype), loss.shape)) : loss;
  return reduceLoss(l, reduction);
}

/** -(y log x + (1 - y) log(1 - x)), each log clamped at -100 as PyTorch does (so x = 0 or 1 stays finite). */
export function binaryCrossEntropy(input: Tensor, target: Tensor, opts: BceOptions = {}): Tensor {
  BCE_OPTIONS.check(opts);
  const op = 'binary_cross_entropy';
  const reduction = checkReduction(op, opts.reduction);
  const weight = opts.weight ?? null;
  const dtype = binaryInputs(
    op,
    input,
    target,
    weight,
    () => `Using a target size (${sizeText(target.shape)}) that is different to the input size (${sizeText(input.shape)}) is deprecated. Please ensure they have the same size.`,
  );
  // Probabilities are checked where they are known without a sync (as labels are); others are not.
  const known = knownValues(input);
  if (known && known.some((v) => !(v >= 0 && v <= 1))) throw new ValueError(`${op}: all elements of input should be between 0 and 1`);
  const inputs = weight ? [input, target, weight] : [input, target];
  return applyOp('BinaryCrossEntropyBackward0', inputs, ([x, y, w]) => {
    const t = build.cast(y!, dtype);
    const clampLog = (v: Node): Node => build.binary('max', build.unary('log', v), constLike(v, -100));
    const one = constLike(x!, 1);
    const pos = mul(t, clampLog(x!));
    const neg = mul(sub(one, t), clampLog(sub(one, x!)));
    return weighted(build.unary('neg', add(pos, neg)), w, reduction);
  });
}

export interface BceWithLogitsOptions extends BceOptions {
  /** Weight of the positive term per class (broadcast along the last dim). */
  posWeight?: Tensor | null;
}

/**
 * BCE on logits in the stable form (1 - y) x + (1 + (pw - 1) y) (log(1 + exp(-|x|)) + max(-x, 0)), which never
 * exponentiates a large positive number.
 */
export function binaryCrossEntropyWithLogits(input: Tensor, target: Tensor, opts: BceWithLogitsOptions = {}): Tensor {
  BCE_LOGITS_OPTIONS.check(opts);
  const op = 'binary_cross_entropy_with_logits';
  const reduction = checkReduction(op, opts.reduction);
  const weight = opts.weight ?? null;
  const posWeight = opts.posWeight ?? null;
  const dtype = binaryInputs(op, input, target, weight, () => `Target size (${sizeText(target.shape)}) must be the same as input size (${sizeText(input.shape)})`);
  if (posWeight) {
    checkTensorArg(op, posWeight, 'pos_weight');
    if (broadcastShapes(posWeight.shape, input.shape, op).length !== input.dim()) throw new ValueError(`${op}: pos_weight of shape ${fmtShape(posWeight.shape)} does not broadcast to the input's shape ${fmtShape(input.shape)}`);
  }
  const extra = [weight, posWeight].filter((t): t is Tensor => t !== null);
  return applyOp('BinaryCrossEntropyWithLogitsBackward0', [input, target, ...extra], (nodes) => {
    const x = nodes[0]!;
    const t = build.cast(nodes[1]!, dtype);
    const w = weight ? nodes[2] : undefined;
    const pw = posWeight ? nodes[weight ? 3 : 2] : undefined;
    const one = constLike(x, 1);
    const softplusNeg = add(build.unary('log', add(one, build.unary('exp', build.unary('neg', abs(x))))), build.binary('max', build.unary('neg', x), constLike(x, 0)));
    const logWeight = pw ? add(one, mul(sub(build.broadcastTo(build.cast(pw, dtype), x.shape), one), t)) : null;
    const loss = add(mul(sub(one, t), x), logWeight ? mul(logWeight, softplusNeg) : softplusNeg);
    return weighted(loss, w, reduction);
  });
}
