/**
 * Embedding lookup (a `gather` of weight rows) and one-hot encoding (an `iota` comparison).
 */
import { build, DTypeError, fmtShape, IndexError, ShapeError, ValueError, type Node, type TypedArray } from '../../ir/index.js';
import { applyOp, fromNode, noGrad, type Tensor } from '../../tensor/index.js';
import { defineOptions, int, real } from '../../tensor/options.js';
import { checkTensorArg, knownValues, scalarName } from './util.js';

const EMBEDDING_OPTIONS = defineOptions('embedding', { paddingIdx: int.nullable().optional(), maxNorm: real.nullable().optional(), normType: real.optional() });

export interface EmbeddingOptions {
  /** Row that gets no gradient (its lookups are constants for autograd); negative counts from the end. */
  paddingIdx?: number | null;
  /** Rows looked up whose norm exceeds this are rescaled to it, in the weight, in place (as PyTorch). */
  maxNorm?: number | null;
  /** The p of the maxNorm norm (default 2). */
  normType?: number;
}

function checkIndices(op: string, indices: Tensor): void {
  if (indices.dtype !== 'int64' && indices.dtype !== 'int32') {
    throw new DTypeError(
      `${op}: Expected tensor for argument #1 'indices' to have one of the following scalar types: Long, Int; but got ${scalarName(indices.dtype)} (graft: ${indices.dtype}) instead`,
    );
  }
}

/** out[..., :] = weight[indices[...], :]: indices int64 or int32 of any shape, weight [V, D] -> [...indices.shape, D]. */
export function embedding(indices: Tensor, weight: Tensor, opts: EmbeddingOptions = {}): Tensor {
  const op = 'embedding';
  EMBEDDING_OPTIONS.check(opts);
  checkTensorArg(op, indices);
  checkTensorArg(op, weight, 'weight');
  checkIndices(op, indices);
  if (weight.dim() !== 2) throw new ShapeError(`${op}: 'weight' must be 2-D, got shape ${fmtShape(weight.shape)}`);
  const [V, D] = weight.shape as [number, number];
  let pad = opts.paddingIdx ?? null;
  if (pad !== null) {
    if (!Number.isInteger(pad) || pad >= V || pad < -V) throw new ValueError(`${op}: Padding_idx must be within num_embeddings`);
    if (pad < 0) pad += V;
  }
  const known = knownValues(indices);
  if (known) for (const v of known) if (v < 0 || v >= V) throw new IndexError(`${op}: index out of range in self (index ${v}, num_embeddings ${V})`);
  const M = indices.numel();
  if (opts.maxNorm !== undefined && opts.maxNorm !== null) renorm_(weight, indices, opts.maxNorm, opts.normType ?? 2);
  const outShape = [...indices.shape, D];
  return applyOp('EmbeddingBackward0', [weight, indices], ([w, idx]) => {
    const rows = build.expand(build.reshape(idx!, [M, 1]), [M, D]);
    let out = build.gather(w!, rows, 0);
    if (pad !== null) {
      // Lookups of the padding row are read through `detach`: their gradient is zero, as in PyTorch.
      const isPad = build.binary('eq', rows, build.constant(pad, rows.dtype, [M, D]));
      out = build.where(isPad, build.detach(out), out);
    }
    return build.reshape(out, outShape);
  });
}

/**
 * torch.embedding_renorm_: the rows of weight [V, D] that `indices` refers to and whose p-norm exceeds
 * maxNorm are scaled by maxNorm / (norm + 1e-7), in place and outside autograd. In the graph: a referenced-row
 * mask by scatterAdd of ones at the indices, the row norms, one `where`.
 */
function renorm_(weight: Tensor, indices: Tensor, maxNorm: number, p: number): void {
  const [V, D] = weight.shape as [number, number];
  const M = indices.numel();
  noGrad(() => {
    const w = weight.node;
    const idx = build.reshape(build.detach(indices.node), [M, 1]);
    const hits = build.scatterAdd(build.constant(0, 'int32', [V, 1]), idx, build.constant(1, 'int32', [M, 1]), 0);
    const a = build.unary('abs', w);
    let norm: Node;
    if (p === Infinity) norm = build.reduce(a, 'max', [1]);
    else if (p === -Infinity) norm = build.reduce(a, 'min', [1]);
    else if (p === 0) norm = build.reduce(build.cast(build.binary('ne', w, build.constant(0, w.dtype, w.shape)), w.dtype), 'sum', [1]);
    else {
      const s = build.reduce(build.binary('pow', a, build.constant(p, w.dtype, w.shape)), 'sum', [1]);
      norm = build.binary('pow', s, build.constant(1 / p, w.dtype, s.shape));
    }
    const over = build.binary('and', build.binary('gt', hits, build.constant(0, 'int32', [V, 1])), build.binary('gt', norm, build.constant(maxNorm, w.dtype, [V, 1])));
    const scale = build.binary('div', build.constant(maxNorm, w.dtype, [V, 1]), build.binary('add', norm, build.constant(1e-7, w.dtype, [V, 1])));
    const factor = build.expand(build.where(over, scale, build.constant(1, w.dtype, [V, 1])), [V, D]);
    weight.copy_(fromNode(build.binary('mul', w, factor), weight.device));
  });
}

/** F.oneHot: int64 labels [...] -> int64 [..., numClasses]; numClasses -1 infers max + 1 (reads the labels). */
export function oneHot(labels: Tensor, numClasses = -1): Tensor {
  const op = 'one_hot';
  checkTensorArg(op, labels);
  if (labels.dtype !== 'int64') throw new DTypeError(`${op}: one_hot is only applicable to index tensor of type LongTensor (int64), got ${labels.dtype}`);
  if (!Number.isSafeInteger(numClasses) || numClasses < -1) throw new ValueError(`${op}: num_classes should be -1 or a non-negative integer, got ${numClasses}`);
  let values: TypedArray | null = knownValues(labels);
  if (numClasses === -1) {
    if (labels.numel() === 0) throw new ValueError(`${op}: Can not infer total number of classes from empty tensor.`);
    values ??= labels.dataSync();
    let max = -Infinity;
    for (const v of values) max = Math.max(max, Number(v));
    numClasses = max + 1;
  }
  if (values) {
    for (const v of values) {
      if (v < 0) throw new ValueError(`${op}: Class values must be non-negative.`);
      if (v >= numClasses) throw new ValueError(`${op}: Class values must be smaller than num_classes.`);
    }
  }
  const C = numClasses;
  const shape = [...labels.shape, C];
  return applyOp('', [labels], ([l]) => {
    const lab = build.expand(build.reshape(l!, [...labels.shape, 1]), shape);
    const cls = build.broadcastTo(build.iota(C, 'int64'), shape);
    return build.cast(build.binary('eq', lab, cls), 'int64');
  });
}
