/**
 * nllLoss and crossEntropy with PyTorch's semantics: class dim 1 ([N, C], [N, C, d1, ...] or unbatched [C]),
 * integer labels with `ignoreIndex` (excluded from the mean's denominator), per-class `weight` (the mean
 * divides by the summed weights of the counted labels), `labelSmoothing` (cross entropy), and class
 * probabilities as targets (cross entropy, a float target shaped like the input).
 *
 * Label -> class selection is a one-hot comparison with `iota`, not a `gather`:
 *   picked[n, s] = sum_c where(label[n, s] == c, x[n, c, s], 0)
 * It is a reduction over the class axis, like the logsumexp cross entropy needs anyway, so the whole loss
 * is sibling reductions over one input (one fused kernel); its gradient is elementwise (softmax - onehot)
 * instead of a scatter. A gather would read x at data-dependent addresses (x must be materialized first) and
 * its gradient is a scatterAdd. The cost, C compares per element, is what the logsumexp already pays.
 *
 * The comparison never reads out of bounds, so labels are checked where they are known (realized on a host
 * device): IndexError "Target 12 is out of bounds.". Labels that are not known yet cannot be checked without
 * a sync; an invalid one makes its loss NaN (so the mean is NaN) rather than a silent wrong number.
 */
import { build, DTypeError, fmtShape, IndexError, isFloat, numel, ShapeError, ValueError, type Node } from '../../ir/index.js';
import { applyOp, type Tensor } from '../../tensor/index.js';
import { checkReduction, checkTensorArg, constLike, knownValues, scalarName, type Reduction, reductionArg, tensorOrNull } from './util.js';
import { defineOptions, int, real } from '../../tensor/options.js';

export interface NllLossOptions {
  /** Per-class weights [C]. */
  weight?: Tensor | null;
  /** Labels equal to this contribute nothing (default -100). */
  ignoreIndex?: number;
  reduction?: Reduction;
}

export interface CrossEntropyOptions extends NllLossOptions {
  /** Mix the target with the uniform distribution: (1 - ε) one-hot + ε / C. */
  labelSmoothing?: number;
}

/** The geometry of a class-dim-1 loss: input viewed as [N, C, S], labels as [N, 1, S], results as `outShape`. */
interface Layout {
  N: number;
  C: number;
  S: number;
  outShape: number[];
}

function layoutOf(op: string, input: Tensor, target: Tensor, probs: boolean): Layout {
  const r = input.dim();
  if (r < 1) throw new ShapeError(`${op}: Expected 1 or more dimensions (got ${r})`);
  const C = r === 1 ? input.shape[0]! : input.shape[1]!;
  const N = r === 1 ? 1 : input.shape[0]!;
  const S = r <= 2 ? 1 : numel(input.shape.slice(2));
  const outShape = r === 1 ? [] : [N, ...input.shape.slice(2)];
  if (probs) return { N, C, S, outShape };
  const t = target.shape;
  if (r === 1 && t.length !== 0) throw new ShapeError(`${op}: Expected a 0-D target for 1-D input, but got target of shape ${fmtShape(t)}`);
  if (r >= 2 && t.length >= 1 && t[0] !== N) throw new ShapeError(`${op}: Expected input batch_size (${N}) to match target batch_size (${t[0]}).`);
  if (r === 2 && t.length !== 1) throw new ShapeError(`${op}: 1D target tensor expected, multi-target not supported (got target of shape ${fmtShape(t)})`);
  if (r > 2 && (t.length !== r - 1 || t.some((d, i) => d !== outShape[i]))) {
    throw new ShapeError(`${op}: Expected target size ${fmtShape(outShape)}, got ${fmtShape(t)}`);
  }
  return { N, C, S, outShape };
}

function checkLabels(op: string, target: Tensor, C: number, ignoreIndex: number): void {
  if (target.dtype !== 'int64') {
    const hint = isFloat(target.dtype) ? "; JS numbers make float tensors: write labels as bigints (torch.tensor([1n, 0n])) or pass { dtype: torch.int64 }" : '';
    throw new DTypeError(`${op}: expected scalar type Long but found ${scalarName(target.dtype)} (class labels must be int64; got ${target.dtype}${hint})`);
  }
  const known = knownValues(target);
  if (known) for (const v of known) if (Number(v) !== ignoreIndex && (v < 0 || v >= C)) throw new IndexError(`${op}: Target ${v} is out of bounds.`);
}

function checkWeight(op: string, weight: Tensor | null, C: number): void {
  if (weight === null) return;
  checkTensorArg(op, weight, 'weight');
  if (weight.dim() !== 1 || weight.numel() !== C) {
    throw new ShapeError(`${op}: weight tensor should be defined either for all ${C} classes or no classes but got weight tensor of shape: ${fmtShape(weight.shape)}`);
  }
}

interface ClassTerms {
  x: Node; // [N, C, S]
  onehot: Node; // bool [N, C, S]
  /** Per-position loss weight w[label] (0 where ignored), [N, 1, S]. */
  wy: Node;
  ignored: Node; // bool [N, 1, S]
  valid: Node; // bool [N, 1, S]
  /** w_c broadcast to [N, C, S], or null without weights. */
  wc: Node | null;
}

function classTerms(xn: Node, tn: Node, wn: Node | undefined, L: Layout, ignoreIndex: number): ClassTerms {
  const { N, C, S } = L;
  const full = [N, C, S];
  const col = [N, 1, S];
  const x = build.reshape(xn, full);
  const t = build.reshape(tn, col);
  // Labels are int64; compared as such (a cast down could wrap an invalid label into range).
  const lab = (v: number, shape: number[]): Node => build.constant(v, t.dtype, shape);
  const onehot = build.binary('eq', build.expand(t, full), build.expand(build.reshape(build.iota(C, t.dtype), [1, C, 1]), full));
  const ignored = build.binary('eq', t, lab(ignoreIndex, col));
  const inRange = build.binary('and', build.binary('ge', t, lab(0, col)), build.binary('lt', t, lab(C, col)));
  const valid = build.binary('or', inRange, ignored);
  const zero = build.constant(0, x.dtype, col);
  let wc: Node | null = null;
  let wy: Node;
  if (wn) {
    wc = build.expand(build.reshape(build.cast(build.detach(wn), x.dtype), [1, C, 1]), full);
    wy = build.reduce(build.where(onehot, wc, constLike(x, 0)), 'sum', [1]);
  } else wy = build.constant(1, x.dtype, col);
  return { x, onehot, wy: build.where(ignored, zero, wy), ignored, valid, wc };
}

/** sum_c where(onehot, v, 0): [N, 1, S]. */
const pick = (v: Node, onehot: Node): Node => build.reduce(build.where(onehot, v, constLike(v, 0)), 'sum', [1]);

/** Combine per-position losses [N, 1, S] into the result: NaN where a label was invalid, then reduce. */
function finish(perPos: Node, T: ClassTerms, L: Layout, reduction: Reduction): Node {
  const loss = build.where(T.valid, perPos, constLike(perPos, NaN));
  if (reduction === 'none') return build.reshape(loss, L.outShape);
  const total = build.reshape(build.reduce(loss, 'sum', [0, 1, 2]), []);
  if (reduction === 'sum') return total;
  return build.binary('div', total, build.reshape(build.reduce(T.wy, 'sum', [0, 1, 2]), []));
}

/** log(sum_c exp(x)) over the class axis, stable: [N, 1, S]. */
function logsumexp(x: Node): Node {
  const m = build.detach(build.reduce(x, 'max', [1]));
  const inf = build.binary('eq', build.unary('abs', m), constLike(m, Infinity));
  const shift = build.where(inf, constLike(m, 0), m);
  const s = build.reduce(build.unary('exp', build.binary('sub', x, build.expand(shift, x.shape))), 'sum', [1]);
  return build.binary('add', build.unary('log', s), shift);
}

function commonChecks(op: string, input: Tensor, target: Tensor, o: NllLossOptions): { reduction: Reduction; ignoreIndex: number; weight: Tensor | null } {
  checkTensorArg(op, input);
  checkTensorArg(op, target, 'target');
  if (!isFloat(input.dtype)) throw new DTypeError(`${op}: "${op}" not implemented for '${scalarName(input.dtype)}' (graft: ${input.dtype}); the input must be a float tensor`);
  const ignoreIndex = o.ignoreIndex ?? -100;
  if (!Number.isInteger(ignoreIndex)) throw new ValueError(`${op}: ignore_index must be an integer, got ${ignoreIndex}`);
  return { reduction: checkReduction(op, o.reduction), ignoreIndex, weight: o.weight ?? null };
}

/**
 * PyTorch's gradFn of nll_loss: inputs with spatial dims go through nll_loss2d (a 3-D or 5-D+ input reshaped
 * to 4-D, and for reduction 'none' viewed back).
 */
function nllName(input: Tensor, reduction: Reduction): string {
  const r = input.dim();
  if (r < 3) return 'NllLossBackward0';
  return reduction === 'none' && r !== 4 ? 'ViewBackward0' : 'NllLoss2DBackward0';
}

/** F.nllLoss: the negative log-likelihood of log-probabilities `input` at the labels `target`. */
const classShape = { weight: tensorOrNull.optional(), ignoreIndex: int.optional(), reduction: reductionArg.optional() };
const NLL_OPTIONS = defineOptions('nllLoss', classShape);
const CROSS_ENTROPY_OPTIONS = defineOptions('crossEntropy', { ...classShape, labelSmoothing: real.optional() });

export function nllLoss(input: Tensor, target: Tensor, opts: NllLossOptions = {}): Tensor {
  NLL_OPTIONS.check(opts);
  const op = 'nll_loss';
  const { reduction, ignoreIndex, weight } = commonChecks(op, input, target, opts);
  const L = layoutOf(op, input, target, false);
  checkLabels(op, target, L.C, ignoreIndex);
  checkWeight(op, weight, L.C);
  const inputs = weight ? [input, target, weight] : [input, target];
  return applyOp(nllName(input, reduction), inputs, ([xn, tn, wn]) => {
    const T = classTerms(xn!, tn!, wn, L, ignoreIndex);
    const nll = build.binary('mul', build.unary('neg', pick(T.x, T.onehot)), T.wy);
    return finish(build.where(T.ignored, constLike(nll, 0), nll), T, L, reduction);
  });
}

/**
 * F.crossEntropy: logSoftmax over the class dim followed by the negative log-likelihood, written as
 * w[y] (logsumexp(x) - x[y]) with both terms reductions over x. With labelSmoothing ε the loss is
 * (1 - ε) nll + (ε / C) sum_c w_c (logsumexp(x) - x_c), PyTorch's formula (the mean divides both by the
 * summed label weights). A float target shaped like the input is a class distribution.
 */
export function crossEntropy(input: Tensor, target: Tensor, opts: CrossEntropyOptions = {}): Tensor {
  CROSS_ENTROPY_OPTIONS.check(opts);
  const op = 'cross_entropy';
  const { reduction, ignoreIndex, weight } = commonChecks(op, input, target, opts);
  const eps = opts.labelSmoothing ?? 0;
  if (!(eps >= 0 && eps <= 1)) throw new ValueError(`${op}: label_smoothing must be between 0.0 and 1.0. Got: ${eps}`);
  const probs = isFloat(target.dtype) && target.shape.length === input.shape.length && target.shape.every((d, i) => d === input.shape[i]);
  const L = layoutOf(op, input, target, probs);
  checkWeight(op, weight, L.C);
  if (probs) return crossEntropyProbs(op, input, target, weight, L, eps, reduction);
  checkLabels(op, target, L.C, ignoreIndex);
  const inputs = weight ? [input, target, weight] : [input, target];
  return applyOp(eps > 0 ? 'AddBackward0' : nllName(input, reduction), inputs, ([xn, tn, wn]) => {
    const T = classTerms(xn!, tn!, wn, L, ignoreIndex);
    const lse = logsumexp(T.x);
    const zero = constLike(lse, 0);
    // -log p[y] = lse - x[y], weighted by w[y] (0 where ignored).
    let perPos = build.where(T.ignored, zero, build.binary('mul', build.binary('sub', lse, pick(T.x, T.onehot)), T.wy));
    if (eps > 0) {
      // sum_c w_c (lse - x_c) = lse * sum_c w_c - sum_c w_c x_c, zero where ignored.
      const wsum = T.wc ? build.reduce(T.wc, 'sum', [1]) : constLike(lse, L.C);
      const wx = build.reduce(T.wc ? build.binary('mul', T.wc, T.x) : T.x, 'sum', [1]);
      const smooth = build.where(T.ignored, zero, build.binary('sub', build.binary('mul', lse, wsum), wx));
      perPos = build.binary('add', build.binary('mul', perPos, constLike(perPos, 1 - eps)), build.binary('mul', smooth, constLike(smooth, eps / L.C)));
    }
    return finish(perPos, T, L, reduction);
  });
}

/** Cross entropy against class probabilities: -sum_c w_c t_c log p_c; the mean divides by N * S. */
function crossEntropyProbs(op: string, input: Tensor, target: Tensor, weight: Tensor | null, L: Layout, eps: number, reduction: Reduction): Tensor {
  if (target.dtype !== input.dtype) {
    throw new DTypeError(`${op}: expected target of the input's dtype ${input.dtype} for class probabilities, but got ${target.dtype}`);
  }
  const inputs = weight ? [input, target, weight] : [input, target];
  const grad = reduction === 'mean' ? 'DivBackward1' : 'NegBackward0';
  return applyOp(grad, inputs, ([xn, tn, wn]) => {
    const full = [L.N, L.C, L.S];
    const x = build.reshape(xn!, full);
    let t = build.reshape(tn!, full);
    if (eps > 0) t = build.binary('add', build.binary('mul', t, constLike(t, 1 - eps)), constLike(t, eps / L.C));
    if (wn) t = build.binary('mul', t, build.expand(build.reshape(build.detach(wn), [1, L.C, 1]), full));
    const logp = build.binary('sub', x, build.expand(logsumexp(x), full));
    const perPos = build.unary('neg', build.reduce(build.binary('mul', t, logp), 'sum', [1]));
    if (reduction === 'none') return build.reshape(perPos, L.outShape);
    const total = build.reshape(build.reduce(perPos, 'sum', [0, 1, 2]), []);
    return reduction === 'sum' ? total : build.binary('div', total, build.constant(L.N * L.S, total.dtype, []));
  });
}
