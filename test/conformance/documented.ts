/**
 * Where graft deliberately answers differently from PyTorch 1.13 (each difference is a decision written in
 * docs/design.md, "Conformance with PyTorch"). A case listed here has the named aspects excused; every other
 * aspect is still compared, and an excused aspect that no longer differs fails the test, so this list
 * cannot go stale.
 */
import type { Aspect } from './replay.js';

export interface Documented {
  /** Fixture category. */
  category: string;
  /** Case ids. */
  ids: readonly string[];
  aspects: readonly Aspect[];
  /** Why, with the design decision it follows. */
  reason: string;
}

export const DOCUMENTED: readonly Documented[] = [
  {
    category: 'reduction',
    ids: ['max/dim-ties', 'min/dim-ties'],
    aspects: ['grads'],
    reason:
      "ties share the gradient evenly (design: reduce max/min split evenly; graft's max(dim) is reduce max); PyTorch's max(dim) gives it all to the returned index",
  },
  {
    category: 'nn',
    ids: ['max_pool2d/ties', 'max_pool2d/overlapping-ties'],
    aspects: ['grads'],
    reason: 'max pooling is a reduce max over windows: tied maxima share the gradient evenly; PyTorch gives it to the first maximum of each window',
  },
  {
    category: 'indexing',
    ids: ['scatter/src'],
    aspects: ['grads'],
    reason:
      "with duplicate indices only the value written receives a gradient (the loser of a duplicate did not reach the output); PyTorch's scatter backward gathers the gradient for every source element",
  },
  {
    category: 'creation',
    ids: ['tensor/ints', 'tensor/scalar-int', 'full/int'],
    aspects: ['dtype'],
    reason:
      "a JS number in tensor data is a float, as a Python float is (JS cannot see `1.0` apart from `1` once parsed): the fixture's Python ints arrive as numbers, so graft makes float32 where PyTorch makes int64 (design: the rule for JS numbers; bigint data gives int64, see test/tensor/creation-dtypes.test.ts)",
  },
  {
    category: 'movement',
    ids: ['reshape/basic', 'reshape/infer', 'reshape/empty', 'flatten/all', 'flatten/start', 'flatten/range', 'flatten/0d'],
    aspects: ['gradFn'],
    reason: "a reshape that is a view is ViewBackward0 (later PyTorch's name); PyTorch 1.13 names its internal _reshape_alias op (ReshapeAliasBackward0)",
  },
  {
    category: 'linalg',
    ids: ['matmul/1d@2d', 'matmul/2d@3d'],
    aspects: ['gradFn'],
    reason: "matmul's gradFn is the last op of PyTorch's decomposition, which changed between versions; graft keeps later PyTorch's (SqueezeBackward4, UnsafeViewBackward0)",
  },
  {
    category: 'reduction',
    ids: ['norm/p=default', 'norm/p=1', 'norm/p=3', 'norm/p=0.5', 'norm/p=inf', 'norm/p=-inf', 'norm/p=fro', 'norm/dim', 'norm/dim-keepdim', 'norm/zero-vector'],
    aspects: ['gradFn'],
    reason: "torch.norm is linalg.vector_norm (LinalgVectorNormBackward0) as in later PyTorch; 1.13's torch.norm is its own op (NormBackward1)",
  },
  {
    category: 'reduction',
    ids: ['norm/int'],
    aspects: ['errorMessage'],
    reason: "torch.norm is linalg.vector_norm, so an integer input gets vector_norm's message (later PyTorch's), not 1.13's 'norm(): input dtype should be…'",
  },
  {
    category: 'nn',
    ids: ['linear/int-input'],
    aspects: ['errorMessage'],
    reason: "a dtype mismatch in linear says 'mat1 and mat2 must have the same dtype' (later PyTorch's words); 1.13 says 'expected scalar type Long but found Float'",
  },
  {
    category: 'autograd',
    ids: ['order2/norm'],
    aspects: ['gradFn'],
    reason: 'torch.norm is linalg.vector_norm (LinalgVectorNormBackward0), as above',
  },
  {
    category: 'movement',
    ids: ['pad/circular-1d', 'pad/circular-2d'],
    aspects: ['gradFn'],
    reason: "circular padding is a concatenation of slices (CatBackward0); PyTorch 1.13's Python implementation writes slices of a new tensor (CopySlices)",
  },
  {
    category: 'movement',
    ids: ['cat/legacy-empty'],
    aspects: ['grads'],
    reason: 'a legacy 1-D empty input of cat is skipped, so it is not in the graph and its gradient is null; PyTorch gives an empty gradient',
  },
  {
    category: 'linalg',
    ids: ['addmm/beta-zero'],
    aspects: ['grads'],
    reason: 'with beta = 0 the input is not read (NaN in it does not propagate, as in PyTorch), so there is no path to it and its gradient is null; PyTorch gives zeros',
  },
  {
    category: 'autograd',
    ids: ['create_graph/grad-of-grad'],
    aspects: ['gradFn'],
    reason:
      "gradients built with createGraph are IR expressions (autodiff is a graph transform): their gradFn names the last op of the expression, not PyTorch's TanhBackwardBackward0",
  },
  {
    category: 'nn2',
    ids: ['interpolate/nearest-1d-double', 'interpolate/nearest-2d-same-size', 'interpolate/bicubic-same-sizes'],
    aspects: ['grads'],
    reason:
      "PyTorch's nearest backward special-cases out = 2·in (dst >> 1) and out = in, and its bicubic backward out = in (a copy), where its forward computes the general formula with the scale factor; graft's gradient is the gradient of the forward both share (design: nn layers of issue 14)",
  },
  {
    category: 'ops2',
    ids: ['baddbmm/beta-zero'],
    aspects: ['grads'],
    reason: 'as addmm: with beta = 0 the input is not read (NaN in it does not propagate, as in PyTorch), so its gradient is null; PyTorch gives zeros',
  },
  {
    category: 'dtypes',
    ids: [
      'half/exp-float16', 'half/sin-float16', 'half/tanh-float16', 'half/sigmoid-float16', 'half/log-float16', 'half/sqrt-float16',
      'half/relu-float16', 'half/softmax-float16', 'reduce/prod-float16', 'reduce/prod-bfloat16', 'matmul/float16',
      'matmul/batched-float16', 'grad/exp-float16', 'reduce/cumsum-float16',
    ],
    aspects: ['gradFn'],
    reason:
      "PyTorch 1.13's CPU has no Half (or, for prod, BFloat16) kernel for these ops: the fixture computes them in float32 and converts back (ToCopyBackward0), which is what graft's op computes (design: Numbers, the narrow dtypes); graft's gradFn names the op",
  },
  {
    category: 'dtypes',
    ids: ['matmul/batched-bfloat16'],
    aspects: ['grads'],
    reason:
      "the gradient of the operand broadcast over the batch: PyTorch rounds each batch's product to bfloat16 and then sums them (another rounding); graft's contraction sums over batch and K in float32 and rounds once (design: the narrow dtypes, matmul rounds once), a few bfloat16 ulps apart",
  },
];

export function documentedFor(category: string, id: string): Documented | undefined {
  return DOCUMENTED.find((d) => d.category === category && d.ids.includes(id));
}
