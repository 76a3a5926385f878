/**
 * Attention: F.scaledDotProductAttention (PyTorch 2.x's public function: 1.13 has only the private
 * `_scaled_dot_product_attention`; graft follows 2.0's signature and semantics) and F.multiHeadAttentionForward
 * (PyTorch 1.13's `multi_head_attention_forward`, what nn.MultiheadAttention calls).
 *
 * Built from existing ops: the scores are one batched contraction `q kᵀ`, the mask an add or a `where`, the
 * softmax one fused row kernel, the output a second contraction; the projections are `linear`s.
 */
import { ArgumentError, DTypeError, fmtShape, isFloat, ShapeError, ValueError } from '../../ir/index.js';
import { arange, Tensor } from '../../tensor/index.js';
import { bool, defineOptions, describeValue, real } from '../../tensor/options.js';
import { dropout } from './dropout.js';
import { linear } from './linear.js';
import { checkTensorArg, tensorOrNull } from './util.js';

const torchSize = (s: readonly number[]): string => `torch.Size([${s.join(', ')}])`;
const pyTuple = (s: readonly number[]): string => (s.length === 1 ? `(${s[0]},)` : `(${s.join(', ')})`);
const isFloatDType = (t: Tensor): boolean => isFloat(t.dtype);

export interface ScaledDotProductAttentionOptions {
  /** Bool (true: take part) or float (added to the scores), broadcastable to [..., L, S]. */
  attnMask?: Tensor | null;
  /** Dropout probability on the attention weights (applied whenever > 0, as PyTorch's function). */
  dropoutP?: number;
  /** A lower-triangular mask: position i attends to j <= i. Not together with attnMask. */
  isCausal?: boolean;
}
const SDPA_OPTIONS = defineOptions('scaledDotProductAttention', { attnMask: tensorOrNull.optional(), dropoutP: real.optional(), isCausal: bool.optional() });

/** A [L, S] bool tensor, true where j <= i. */
export function causalMask(L: number, S: number, device: string): Tensor {
  return arange(L, { device }).unsqueeze(1).ge(arange(S, { device }).unsqueeze(0));
}

/**
 * softmax(q kᵀ / √E + mask) v over q [..., L, E], k [..., S, E], v [..., S, Ev] -> [..., L, Ev]. A bool mask
 * keeps the scores where true (others become -inf; a row with none is NaN, as in PyTorch).
 */
export function scaledDotProductAttention(query: Tensor, key: Tensor, value: Tensor, opts: ScaledDotProductAttentionOptions = {}): Tensor {
  const op = 'scaledDotProductAttention';
  checkTensorArg(op, query, 'query');
  checkTensorArg(op, key, 'key');
  checkTensorArg(op, value, 'value');
  SDPA_OPTIONS.check(opts);
  const { attnMask = null, dropoutP = 0, isCausal = false } = opts;
  if (query.dim() < 2 || key.dim() < 2 || value.dim() < 2) {
    throw new ShapeError(`${op}: query, key and value must be at least 2-D, got ${fmtShape(query.shape)}, ${fmtShape(key.shape)}, ${fmtShape(value.shape)}`);
  }
  if (!isFloatDType(query) || query.dtype !== key.dtype || query.dtype !== value.dtype) {
    throw new DTypeError(`${op}: expected query, key and value to have the same floating dtype, got ${query.dtype}, ${key.dtype} and ${value.dtype}`);
  }
  const E = query.shape[query.dim() - 1]!;
  if (key.shape[key.dim() - 1] !== E) throw new ShapeError(`${op}: the last dimension of query (${E}) and key (${key.shape[key.dim() - 1]}) must be equal`);
  if (key.shape[key.dim() - 2] !== value.shape[value.dim() - 2]) {
    throw new ShapeError(`${op}: key and value must have the same sequence length, got ${fmtShape(key.shape)} and ${fmtShape(value.shape)}`);
  }
  if (!(dropoutP >= 0 && dropoutP <= 1)) throw new ValueError(`dropout probability has to be between 0 and 1, but got ${dropoutP}`);
  if (isCausal && attnMask !== null) throw new ValueError('_scaled_dot_product_attention: Explicit attn_mask should not be set when is_causal=True');
  const L = query.shape[query.dim() - 2]!;
  const S = key.shape[key.dim() - 2]!;
  let scores = query.mul(1 / Math.sqrt(E)).matmul(key.transpose(-2, -1));
  const mask = isCausal ? causalMask(L, S, query.device) : attnMask;
  if (mask !== null) scores = applyMask(op, scores, mask, true);
  let w = scores.softmax(-1);
  if (dropoutP > 0) w = dropout(w, dropoutP, { training: true });
  return w.matmul(value);
}

/** scores with a mask: bool masks keep (keepTrue) or drop where true; float masks are added. */
function applyMask(op: string, scores: Tensor, mask: Tensor, keepTrue: boolean): Tensor {
  if (mask.dtype === 'bool') return scores.maskedFill(keepTrue ? mask.logicalNot() : mask, -Infinity);
  if (mask.dtype !== scores.dtype) {
    throw new DTypeError(`${op}: expected attn_mask dtype to be bool or to match query dtype ${scores.dtype}, got ${mask.dtype}`);
  }
  return scores.add(mask);
}

export interface MultiHeadAttentionOptions {
  keyPaddingMask?: Tensor | null;
  needWeights?: boolean;
  attnMask?: Tensor | null;
  averageAttnWeights?: boolean;
  dropoutP?: number;
  training?: boolean;
  /** Separate projections (kdim/vdim differ from embedDim): then inProjWeight is null. */
  qProjWeight?: Tensor | null;
  kProjWeight?: Tensor | null;
  vProjWeight?: Tensor | null;
}
const MHA_OPTIONS = defineOptions('multiHeadAttentionForward', {
  keyPaddingMask: tensorOrNull.optional(),
  needWeights: bool.optional(),
  attnMask: tensorOrNull.optional(),
  averageAttnWeights: bool.optional(),
  dropoutP: real.optional(),
  training: bool.optional(),
  qProjWeight: tensorOrNull.optional(),
  kProjWeight: tensorOrNull.optional(),
  vProjWeight: tensorOrNull.optional(),
});

function checkMaskDType(name: string, m: Tensor): void {
  if (m.dtype !== 'bool' && !isFloatDType(m)) {
    const tname = { int32: 'torch.int32', int64: 'torch.int64' }[m.dtype as 'int32' | 'int64'] ?? m.dtype;
    throw new DTypeError(`Only float, byte, and bool types are supported for ${name}, not ${tname}`);
  }
}

/**
 * PyTorch 1.13's F.multi_head_attention_forward on sequence-first input: query [L, N, E] (or unbatched [L, E]),
 * key [S, N, kdim], value [S, N, vdim]. Returns [output [L, N, E], weights [N, L, S] (averaged over heads) or
 * [N, H, L, S], or null without needWeights].
 */
export function multiHeadAttentionForward(
  query: Tensor,
  key: Tensor,
  value: Tensor,
  embedDimToCheck: number,
  numHeads: number,
  inProjWeight: Tensor | null,
  inProjBias: Tensor | null,
  outProjWeight: Tensor,
  outProjBias: Tensor | null,
  opts: MultiHeadAttentionOptions = {},
): [Tensor, Tensor | null] {
  const op = 'multiHeadAttentionForward';
  checkTensorArg(op, query, 'query');
  checkTensorArg(op, key, 'key');
  checkTensorArg(op, value, 'value');
  checkTensorArg(op, outProjWeight, 'out_proj_weight');
  for (const [n, t] of [['in_proj_weight', inProjWeight], ['in_proj_bias', inProjBias], ['out_proj_bias', outProjBias]] as const) {
    if (t !== null && t !== undefined && !(t instanceof Tensor)) throw new ArgumentError(`${op}(): argument '${n}' must be a Tensor or None, not ${describeValue(t)}`);
  }
  inProjWeight ??= null;
  inProjBias ??= null;
  outProjBias ??= null;
  MHA_OPTIONS.check(opts);
  if (!Number.isSafeInteger(embedDimToCheck) || !Number.isSafeInteger(numHeads) || numHeads <= 0) {
    throw new ArgumentError(`${op}(): embed_dim_to_check and num_heads must be positive integers, got ${describeValue(embedDimToCheck)} and ${describeValue(numHeads)}`);
  }
  const { needWeights = true, averageAttnWeights = true, dropoutP = 0, training = true } = opts;
  let { keyPaddingMask = null, attnMask = null } = opts;
  // Batched or not (PyTorch's _mha_shape_check).
  const qd = query.dim();
  if (qd !== 2 && qd !== 3) throw new ShapeError(`query should be unbatched 2D or batched 3D tensor but received ${qd}-D query tensor`);
  const batched = qd === 3;
  const kvDim = batched ? 3 : 2;
  if (key.dim() !== kvDim || value.dim() !== kvDim) {
    throw new ShapeError(
      `For ${batched ? 'batched (3-D)' : 'unbatched (2-D)'} \`query\`, expected \`key\` and \`value\` to be ${kvDim}-D but found ${key.dim()}-D and ${value.dim()}-D tensors respectively`,
    );
  }
  if (keyPaddingMask !== null && keyPaddingMask.dim() !== (batched ? 2 : 1)) {
    throw new ShapeError(`For ${batched ? 'batched (3-D)' : 'unbatched (2-D)'} \`query\`, expected \`key_padding_mask\` to be \`None\` or ${batched ? 2 : 1}-D but found ${keyPaddingMask.dim()}-D tensor instead`);
  }
  if (attnMask !== null && attnMask.dim() !== 2 && attnMask.dim() !== 3) {
    throw new ShapeError(`For ${batched ? 'batched (3-D)' : 'unbatched (2-D)'} \`query\`, expected \`attn_mask\` to be \`None\`, 2D or 3D but found ${attnMask.dim()}D tensor instead`);
  }
  if (!batched) {
    query = query.unsqueeze(1);
    key = key.unsqueeze(1);
    value = value.unsqueeze(1);
    if (keyPaddingMask !== null) keyPaddingMask = keyPaddingMask.unsqueeze(0);
  }
  const [L, N, E] = query.shape as [number, number, number];
  const S = key.shape[0]!;
  if (E !== embedDimToCheck) throw new ShapeError(`was expecting embedding dimension of ${embedDimToCheck}, but got ${E}`);
  const H = numHeads;
  const hd = Math.floor(E / H);
  if (hd * H !== E) throw new ValueError(`embed_dim ${E} not divisible by num_heads ${H}`);
  const separate = inProjWeight === null;
  if (separate) {
    if (key.shape[0] !== value.shape[0] || key.shape[1] !== value.shape[1]) {
      throw new ShapeError(`key's sequence and batch dims ${pyTuple(key.shape.slice(0, 2))} do not match value's ${pyTuple(value.shape.slice(0, 2))}`);
    }
  } else if (key.shape.some((s, i) => s !== value.shape[i]) || key.dim() !== value.dim()) {
    throw new ShapeError(`key shape ${torchSize(key.shape)} does not match value shape ${torchSize(value.shape)}`);
  }
  // Projections.
  let q: Tensor;
  let k: Tensor;
  let v: Tensor;
  const [bq, bk, bv] = inProjBias ? (inProjBias.chunk(3, 0) as [Tensor, Tensor, Tensor]) : [null, null, null];
  if (inProjWeight !== null) {
    const [wq, wk, wv] = inProjWeight.chunk(3, 0) as [Tensor, Tensor, Tensor];
    q = linear(query, wq, bq);
    k = linear(key, wk, bk);
    v = linear(value, wv, bv);
  } else {
    const { qProjWeight = null, kProjWeight = null, vProjWeight = null } = opts;
    if (!qProjWeight || !kProjWeight || !vProjWeight) throw new ArgumentError('use_separate_proj_weight is True but q_proj_weight, k_proj_weight or v_proj_weight is None');
    q = linear(query, qProjWeight, bq);
    k = linear(key, kProjWeight, bk);
    v = linear(value, vProjWeight, bv);
  }
  // Masks: attn_mask [L, S] or [N·H, L, S]; bool true = not allowed; float added.
  if (attnMask !== null) {
    checkMaskDType('attn_mask', attnMask);
    if (attnMask.dim() === 2) {
      if (attnMask.shape[0] !== L || attnMask.shape[1] !== S) throw new ShapeError(`The shape of the 2D attn_mask is ${torchSize(attnMask.shape)}, but should be ${pyTuple([L, S])}.`);
      attnMask = attnMask.unsqueeze(0);
    } else if (attnMask.shape[0] !== N * H || attnMask.shape[1] !== L || attnMask.shape[2] !== S) {
      throw new ShapeError(`The shape of the 3D attn_mask is ${torchSize(attnMask.shape)}, but should be ${pyTuple([N * H, L, S])}.`);
    }
    if (attnMask.dtype !== 'bool' && attnMask.dtype !== q.dtype) throw new DTypeError(`attn_mask dtype ${attnMask.dtype} does not match query dtype ${q.dtype}`);
  }
  if (keyPaddingMask !== null) {
    checkMaskDType('key_padding_mask', keyPaddingMask);
    if (keyPaddingMask.shape[0] !== N || keyPaddingMask.shape[1] !== S) {
      throw new ShapeError(`expecting key_padding_mask shape of ${pyTuple([N, S])}, but got ${torchSize(keyPaddingMask.shape)}`);
    }
    if (keyPaddingMask.dtype !== 'bool' && keyPaddingMask.dtype !== q.dtype) throw new DTypeError(`key_padding_mask dtype ${keyPaddingMask.dtype} does not match query dtype ${q.dtype}`);
  }
  // Heads: [L, N, E] -> [N, H, L, hd].
  const heads = (t: Tensor, len: number): Tensor => t.reshape(len, N, H, hd).permute(1, 2, 0, 3);
  const qh = heads(q, L).mul(1 / Math.sqrt(hd));
  const kh = heads(k, S);
  const vh = heads(v, S);
  let scores = qh.matmul(kh.transpose(-2, -1)); // [N, H, L, S]
  if (attnMask !== null) {
    const m = attnMask.shape[0] === 1 ? attnMask : attnMask.reshape(N, H, L, S);
    scores = applyMask(op, scores, m, false);
  }
  if (keyPaddingMask !== null) scores = applyMask(op, scores, keyPaddingMask.reshape(N, 1, 1, S), false);
  let w = scores.softmax(-1);
  if (training && dropoutP > 0) w = dropout(w, dropoutP, { training: true });
  const ctx = w.matmul(vh).permute(2, 0, 1, 3).reshape(L, N, E); // [L, N, E]
  let out = linear(ctx, outProjWeight, outProjBias);
  let weights: Tensor | null = null;
  if (needWeights) weights = averageAttnWeights ? w.mean(1) : w;
  if (!batched) {
    out = out.squeeze(1);
    if (weights !== null) weights = weights.squeeze(0);
  }
  return [out, weights];
}
