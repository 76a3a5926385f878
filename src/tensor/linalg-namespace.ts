/** torch.linalg: the functions graft has under PyTorch's linalg names. */
import { norm, type NormOptions } from './stats.js';
import type { Dims } from './reduce-args.js';
import { checkTensor } from './reduce-args.js';
import type { Tensor } from './tensor.js';

export interface VectorNormOptions extends Omit<NormOptions, 'p'> {
  ord?: number;
}

/**
 * torch.linalg.vector_norm(x, ord = 2, dim = None, keepdim = false, { dtype }): torch.norm's vector norms
 * (ord 2, 1, inf, -inf, 0, any other real), over all elements or `dim`.
 */
export function vectorNorm(x: Tensor, ord?: number | VectorNormOptions, dim?: Dims | null | VectorNormOptions, opts?: VectorNormOptions): Tensor {
  checkTensor('linalg.vector_norm', x);
  const o: VectorNormOptions = typeof ord === 'object' && ord !== null ? ord : typeof dim === 'object' && dim !== null && !Array.isArray(dim) ? (dim as VectorNormOptions) : (opts ?? {});
  const p = typeof ord === 'number' ? ord : o.ord;
  const d = typeof dim === 'number' || Array.isArray(dim) ? (dim as Dims) : o.dim;
  const { ord: _ord, ...rest } = o;
  void _ord;
  return norm(x, { ...rest, p: p ?? 2, dim: d ?? null });
}
