/** torch.nn.utils.rnn: padding variable-length sequences into one batch. */
import { ArgumentError, IndexError, ShapeError } from '../../ir/index.js';
import { pad, stack, Tensor } from '../../tensor/index.js';
import { bool, defineOptions, describeValue, real } from '../../tensor/options.js';

const PAD_SEQUENCE_OPTIONS = defineOptions('padSequence', { batchFirst: bool.default(false), paddingValue: real.default(0) });

/**
 * Stack sequences of shape [L_i, *] into [maxL, B, *] ([B, maxL, *] with `batchFirst`), padding each to the
 * longest with `paddingValue`. The result has the first sequence's dtype and is differentiable.
 */
export function padSequence(sequences: readonly Tensor[], opts?: { batchFirst?: boolean; paddingValue?: number }): Tensor {
  if (!Array.isArray(sequences)) throw new ArgumentError(`padSequence(): sequences must be a list of Tensors, not ${describeValue(sequences)}`);
  sequences.forEach((s, i) => {
    if (!(s instanceof Tensor)) throw new ArgumentError(`padSequence(): sequences[${i}] must be a Tensor, not ${describeValue(s)}`);
  });
  const o = PAD_SEQUENCE_OPTIONS.parse(opts);
  if (sequences.length === 0) throw new ArgumentError('received an empty list of sequences');
  const first = sequences[0]!;
  if (first.dim() === 0) throw new IndexError('Dimension specified as 0 but tensor has no dimensions');
  const trailing = first.shape.slice(1);
  const maxLen = Math.max(...sequences.map((s) => (s.dim() === 0 ? 1 : s.shape[0]!)));
  const padded = sequences.map((s) => {
    if (s.dim() === 0) throw new IndexError('Dimension specified as 0 but tensor has no dimensions');
    const len = s.shape[0]!;
    const target = [len, ...trailing];
    // The sequence is copied into its slot as PyTorch's out[i, :len] = s does: broadcasting size-1 dims.
    const r = s.dim();
    for (let k = 1; k <= Math.max(r, target.length); k++) {
      const a = target[target.length - k];
      const b = r - k >= 0 ? s.shape[r - k]! : 1;
      if (a === undefined || (b !== a && b !== 1)) {
        throw new ShapeError(`The size of tensor a (${a ?? 1}) must match the size of tensor b (${b}) at non-singleton dimension ${Math.max(r, target.length) - k}`);
      }
    }
    const x = (s.dtype === first.dtype ? s : s.to(first.dtype)).expand(target);
    return pad(x, [...Array(2 * (target.length - 1)).fill(0), 0, maxLen - len], 'constant', o.paddingValue);
  });
  return stack(padded, o.batchFirst ? 0 : 1);
}
