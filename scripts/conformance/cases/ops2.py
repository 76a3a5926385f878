"""Tensor ops of issue 14 (part 2): sorting (sort, argsort, msort, topk, unique), einsum, and the others listed
in docs/design.md's "Sorting, einsum and other ops" section."""
import numpy as np
import torch

from casekit import B, Catalog, F64, I, R, T

NAN, INF = float('nan'), float('inf')

OPS = {
    'sort': lambda x, *a, **k: tuple(torch.sort(x, *a, **k)),
    'topk': lambda x, *a, **k: tuple(torch.topk(x, *a, **k)),
    'unique': lambda x, **k: torch.unique(x, **k),
    'einsum': lambda eq, *ops: torch.einsum(eq, *ops),
    'cummax': lambda x, *a, **k: tuple(torch.cummax(x, *a, **k)),
    'cummin': lambda x, *a, **k: tuple(torch.cummin(x, *a, **k)),
    'linalg.vector_norm': lambda x, *a, **k: torch.linalg.vector_norm(x, *a, **k),
}


def build():
    c = Catalog('ops2')
    x = R(3, 5)
    x3 = R(2, 3, 4)
    ties = T([[1.0, 3.0, 3.0, 0.0, 1.0], [2.0, 2.0, -1.0, 2.0, 0.5]])
    nans = T([[1.0, NAN, 3.0, -INF], [NAN, 0.5, INF, NAN]], grad=False)
    xi = I([[3, -1, 4, 1], [1, -5, 9, 2]])

    # sort / argsort / msort
    c('sort/default', 'sort', x)
    c('sort/dim0', 'sort', x, 0)
    c('sort/descending', 'sort', x, 1, True)
    c('sort/kw', 'sort', x3, kw={'dim': 1, 'descending': True})
    c('sort/stable-ties', 'sort', ties, kw={'stable': True})
    c('sort/stable-ties-desc', 'sort', ties, kw={'stable': True, 'descending': True})
    c('sort/nan', 'sort', nans)
    c('sort/nan-desc', 'sort', nans, kw={'descending': True})
    c('sort/int', 'sort', xi, 1)
    c('sort/bool', 'sort', B([True, False, True, False]), kw={'stable': True})
    c('sort/0d', 'sort', T(1.5))
    c('sort/float64', 'sort', F64([[0.5, -1.25, 2.0]]), 1)
    c('sort/dim-out-of-range', 'sort', x, 2, err=('IndexError', 'Dimension out of range'))
    c('argsort/default', 'argsort', x)
    c('argsort/desc', 'argsort', x3, 0, True)
    c('argsort/stable-kw', 'argsort', ties, kw={'dim': 1, 'stable': True})
    c('argsort/nan', 'argsort', nans)
    c('msort/basic', 'msort', x)
    c('msort/int', 'msort', xi)
    c('Tensor.sort/method', 'Tensor.sort', x, 0)
    c('Tensor.argsort/method', 'Tensor.argsort', x, kw={'descending': True})

    # topk
    c('topk/k2', 'topk', x, 2)
    c('topk/smallest', 'topk', x, 3, kw={'largest': False})
    c('topk/dim0', 'topk', x3, 1, 0)
    c('topk/kw', 'topk', x, kw={'k': 2, 'dim': 0})
    c('topk/all', 'topk', x, 5)
    c('topk/k0', 'topk', x, 0)
    c('topk/nan', 'topk', T([[1.0, NAN, 3.0, -INF], [2.0, 0.5, INF, NAN]], grad=False), 2)
    c('topk/int', 'topk', xi, 2)
    c('topk/k-too-large', 'topk', x, 6, err=('IndexError', 'selected index k out of range'))
    c('Tensor.topk/method', 'Tensor.topk', x, 1)

    # unique
    u = I([[3, 1, 3, 7], [2, 1, 1, 7]])
    c('unique/sorted', 'unique', u)
    c('unique/inverse', 'unique', u, kw={'return_inverse': True})
    c('unique/counts', 'unique', u, kw={'return_counts': True}, grad=False)
    c('unique/both', 'unique', u, kw={'return_inverse': True, 'return_counts': True, 'sorted': True})
    c('unique/float', 'unique', T([2.5, -1.0, 2.5, 0.0, -1.0]), kw={'return_counts': True}, grad=False)
    c('unique/bool', 'unique', B([True, False, True]))
    c('unique/empty', 'unique', T([], shape=(0,)), kw={'return_counts': True}, grad=False)

    # einsum
    a, b = R(3, 4), R(4, 5)
    c('einsum/matmul', 'einsum', 'ij,jk->ik', a, b)
    c('einsum/matmul-implicit', 'einsum', 'ij,jk', a, b)
    c('einsum/transposed-out', 'einsum', 'ij,jk->ki', a, b)
    c('einsum/bmm', 'einsum', 'bij,bjk->bik', R(2, 3, 4), R(2, 4, 2))
    c('einsum/trace', 'einsum', 'ii', R(4, 4))
    c('einsum/diagonal', 'einsum', 'ii->i', R(3, 3))
    c('einsum/diag-3', 'einsum', 'iji->ij', R(3, 2, 3))
    c('einsum/sum-all', 'einsum', 'ij->', a)
    c('einsum/transpose', 'einsum', 'ij->ji', a)
    c('einsum/implicit-sorted', 'einsum', 'ba', a)
    c('einsum/outer', 'einsum', 'i,j->ij', R(3), R(4))
    c('einsum/dot', 'einsum', 'i,i->', R(5), R(5))
    c('einsum/hadamard', 'einsum', 'ij,ij->ij', a, R(3, 4))
    c('einsum/three', 'einsum', 'ij,jk,kl->il', R(2, 3), R(3, 4), R(4, 2))
    c('einsum/ellipsis', 'einsum', '...ij,...jk->...ik', R(2, 3, 4), R(2, 4, 5))
    c('einsum/ellipsis-broadcast', 'einsum', '...ij,...jk', R(2, 1, 3, 4), R(3, 4, 2))
    c('einsum/ellipsis-middle', 'einsum', 'i...j->j...i', R(2, 3, 4, 5))
    c('einsum/ellipsis-sum', 'einsum', '...i->...', R(2, 3, 4))
    c('einsum/spaces', 'einsum', ' ij , jk -> ik ', a, b)
    c('einsum/uppercase', 'einsum', 'iJ,Jk->ik', a, b)
    c('einsum/bilinear', 'einsum', 'bn,anm,bm->ba', R(2, 3), R(4, 3, 5), R(2, 5))
    c('einsum/broadcast-1', 'einsum', 'ij,ij->i', R(3, 1), R(3, 4))
    c('einsum/int', 'einsum', 'ij,jk->ik', I([[1, 2], [3, 4]]), I([[5, 6], [7, 8]]))
    c('einsum/sum-unused', 'einsum', 'ij,kl->il', R(2, 3), R(4, 5))
    c('einsum/too-few', 'einsum', 'ij,jk->ik', a, err=('ValueError', 'fewer operands were provided than specified in the equation'))
    c('einsum/too-many', 'einsum', 'ij->ij', a, b, err=('ValueError', 'more operands were provided than specified in the equation'))
    c('einsum/rank', 'einsum', 'ijk->i', a, err=('ShapeError', 'the number of subscripts in the equation (3) does not match the number of dimensions (2) for operand 0 and no ellipsis was given'))
    c('einsum/bad-char', 'einsum', 'i1,jk', a, b, err=('ValueError', 'invalid subscript given at index 1 in the equation string, subscripts must be in [a-zA-Z]'))
    c('einsum/out-twice', 'einsum', 'ij->ii', a, err=('ValueError', 'output subscript i appears more than once in the output'))
    c('einsum/out-unknown', 'einsum', 'ij->k', a, err=('ValueError', 'output subscript k does not appear in the equation for any input operand'))
    c('einsum/size-mismatch', 'einsum', 'ij,jk->ik', a, R(3, 2), err=('ShapeError', 'subscript j has size 3 for operand 1 which does not broadcast with previously seen size 4'))

    # elementwise compositions
    c('exp2/basic', 'exp2', R(3, 4, lo=-5, hi=5))
    c('exp2/int', 'exp2', xi)
    c('Tensor.exp2_/inplace', 'Tensor.exp2_', R(3, grad=False), mutates=True)
    special = T([[1.0, NAN, INF, -INF, 0.0, -2.5]], grad=False)
    for op in ('isnan', 'isinf', 'isfinite'):
        c(f'{op}/float', op, special)
        c(f'{op}/int', op, xi)
    c('nan_to_num/default', 'nan_to_num', T([[1.0, NAN, INF, -INF, 0.5]]))
    c('nan_to_num/values', 'nan_to_num', T([[1.0, NAN, INF, -INF, 0.5]]), kw={'nan': 2.5, 'posinf': 10.5, 'neginf': -7.5})
    c('nan_to_num/float64', 'nan_to_num', F64([[NAN, INF, -INF, 1.5]]), kw={'posinf': 1e300, 'neginf': -1e300}, grad=False)
    c('isclose/default', 'isclose', T([1.0, 1.00001, 2.0, NAN, INF, INF]), T([1.0, 1.0, 2.1, NAN, INF, -INF]))
    c('isclose/tol', 'isclose', T([1.0, 1.1, 2.0]), T([1.05, 1.0, 2.5]), kw={'rtol': 0.01, 'atol': 0.1})
    c('isclose/equal-nan', 'isclose', T([NAN, 1.0]), T([NAN, 1.0]), kw={'equal_nan': True})
    c('isclose/broadcast', 'isclose', R(2, 3), R(3))
    c('isclose/dtype', 'isclose', R(3), F64([1.0, 2.0, 3.0]), err=('DTypeError', 'did not match'))
    a2, b2 = R(3, 4, lo=-30, hi=30), R(3, 4, lo=-30, hi=30)
    c('logaddexp/basic', 'logaddexp', a2, b2)
    c('logaddexp/inf', 'logaddexp', T([-INF, INF, -INF, 1.0, 2.0]), T([-INF, INF, 1.0, -INF, 2.0]), grad=False)
    c('logaddexp/ties', 'logaddexp', T([1.5, -2.0]), T([1.5, -2.0]))
    c('logaddexp/broadcast', 'logaddexp', R(2, 3), R(3))
    c('lerp/scalar', 'lerp', R(3, 4), R(3, 4), 0.3)
    c('lerp/scalar-high', 'lerp', R(3, 4), R(3, 4), 0.75)
    c('lerp/tensor', 'lerp', R(3, 4), R(4), R(3, 4, lo=-1, hi=2))
    c('Tensor.lerp_/inplace', 'Tensor.lerp_', R(3, grad=False), R(3, grad=False), 0.25, mutates=True)
    c('lerp/dtype', 'lerp', R(3), F64([1.0, 2.0, 3.0]), 0.5, err=('DTypeError', 'expected dtype'))
    c('hypot/basic', 'hypot', R(3, 4), R(3, 4))
    c('hypot/large', 'hypot', T([3e30, 1e-30]), T([4e30, 1e-30]), grad=False)
    c('hypot/broadcast', 'hypot', R(2, 3), R(3))
    c('atan2/basic', 'atan2', R(4, 5), R(4, 5))
    c('atan2/quadrants', 'atan2', T([1.0, 1.0, -1.0, -1.0, 2.0, -3.0, 0.5]), T([1.0, -1.0, 1.0, -1.0, 0.1, 0.2, -4.0]))
    c('atan2/special', 'atan2', T([0.0, -0.0, 0.0, -0.0, INF, -INF, INF, 1.0, NAN, 0.0]), T([1.0, 1.0, -1.0, -1.0, INF, INF, -INF, 0.0, 1.0, 0.0]), grad=False)
    c('atan2/float64', 'atan2', F64([[0.3, -2.0, 5.0]]), F64([[-0.7, 0.25, 1e-3]]))
    c('Tensor.atan2/method', 'Tensor.atan2', R(3), R(3))
    c('erfinv/basic', 'erfinv', R(3, 5, lo=-0.99, hi=0.99))
    # near 1 PyTorch's float32 erfinv is off by ~2 ulp and its gradient, exp(erfinv(x)^2), carries that 10x
    # (3e-5 at 0.99999); graft computes in float64: its gradient is the exact one (checked against float64).
    c('erfinv/near-one', 'erfinv', T([0.999, -0.9999, 0.99999, 0.5, 0.0, -0.3]), gtol=(1e-4, 1e-6))
    # a dense sweep of (-1, 1), closer and closer to +-1 (values only: see near-one for the gradient)
    sweep = [round(v, 6) for v in np.linspace(-0.999, 0.999, 181)] + [s * (1 - 10.0 ** -k) for k in range(1, 7) for s in (1, -1)]
    c('erfinv/sweep', 'erfinv', T(sweep), grad=False)
    # float32 is computed in float64 and rounded once, so the float64 path's accuracy bounds float32's. At 1 - 1e-6
    # PyTorch's float64 erfinv is 2.2e-12 off the true value (mpmath: 3.45891073727549878), graft 1.8e-13: 1e-11.
    c('erfinv/sweep-float64', 'erfinv', F64(sweep), grad=False, tol=(1e-11, 1e-300))
    c('erfinv/edges', 'erfinv', T([1.0, -1.0, 1.5, -2.0, NAN]), grad=False)
    c('erfinv/float64', 'erfinv', F64([[0.1, -0.7, 0.999999, -0.25]]))
    c('erfinv/int', 'erfinv', I([0, 1, -1]))

    # cumprod / cummax / cummin / diff
    c('cumprod/dim1', 'cumprod', x, 1)
    c('cumprod/dim0', 'cumprod', x3, 0)
    c('cumprod/one-zero', 'cumprod', T([[2.0, 0.0, 3.0, 1.5], [1.5, 2.0, -1.0, 0.0]]), 1)
    c('cumprod/two-zeros', 'cumprod', T([[0.0, 2.0, 0.0, 3.0], [0.5, 0.0, 0.0, -1.0]]), 1)
    c('cumprod/int', 'cumprod', xi, 1)
    c('cumprod/kw-dtype', 'cumprod', xi, kw={'dim': 0, 'dtype': _f64()})
    c('cumprod/0d', 'cumprod', T(1.5), 0)
    c('Tensor.cumprod_/inplace', 'Tensor.cumprod_', R(2, 3, grad=False), 1, mutates=True)
    c('cummax/basic', 'cummax', x, 1)
    c('cummax/ties', 'cummax', ties, 1)
    c('cummax/nan', 'cummax', T([[1.0, NAN, 3.0, NAN, 0.0]], grad=False), 1)
    c('cummax/dim0', 'cummax', x3, 0)
    c('cummax/int', 'cummax', xi, 1)
    c('cummin/basic', 'cummin', x, 1)
    c('cummin/ties', 'cummin', ties, 1)
    c('diff/default', 'diff', x)
    c('diff/n2-dim0', 'diff', x3, 2, 0)
    c('diff/prepend-append', 'diff', x, kw={'dim': 1, 'prepend': R(3, 1), 'append': R(3, 2)})
    c('diff/int', 'diff', xi)
    c('diff/bool', 'diff', B([True, False, False, True]))
    c('diff/n-large', 'diff', R(4), 5)
    c('diff/0d', 'diff', T(1.5), err=('ShapeError', 'diff expects input to be at least one-dimensional'))
    c('diff/prepend-rank', 'diff', x, kw={'prepend': R(3)}, err=('ShapeError', 'diff expects prepend or append to be the same dimension as input'))

    # products
    c('baddbmm/basic', 'baddbmm', R(2, 3, 5), R(2, 3, 4), R(2, 4, 5))
    c('baddbmm/broadcast-alpha-beta', 'baddbmm', R(5), R(2, 3, 4), R(2, 4, 5), kw={'beta': 0.5, 'alpha': -1.5})
    c('baddbmm/beta-zero', 'baddbmm', R(2, 3, 5), R(2, 3, 4), R(2, 4, 5), kw={'beta': 0})
    c('baddbmm/mismatch', 'baddbmm', R(2, 3, 5), R(2, 3, 4), R(3, 4, 5), err=('ShapeError', 'Expected size for first two dimensions of batch2 tensor to be: [2, 4] but got: [3, 4].'))
    c('Tensor.baddbmm/method', 'Tensor.baddbmm', R(2, 3, 5), R(2, 3, 4), R(2, 4, 5))
    c('kron/2d', 'kron', R(2, 3), R(3, 2))
    c('kron/1d', 'kron', R(3), R(2))
    c('kron/ranks', 'kron', R(2), R(2, 3))
    c('kron/int', 'kron', I([[1, 2], [3, 4]]), I([[0, 5], [6, 7]]))
    for p in (2.0, 1.0, 0.0, 3.0, INF):
        c(f'cdist/p={p}', 'cdist', R(4, 3), R(5, 3), p, grad=p != 0.0)
    c('cdist/default', 'cdist', R(2, 4, 3), R(2, 5, 3))
    c('cdist/batch-broadcast', 'cdist', R(2, 1, 4, 3), R(3, 2, 3))
    c('cdist/same-point', 'cdist', T([[1.0, 2.0], [0.5, 0.5]]), T([[1.0, 2.0]]))
    c('cdist/1d', 'cdist', R(3), R(3), err=('ShapeError', 'cdist only supports at least 2D tensors, X1 got: 1D'))
    c('cdist/columns', 'cdist', R(2, 3), R(2, 4), err=('ShapeError', 'X1 and X2 must have the same number of columns. X1: 3 X2: 4'))
    c('cdist/negative-p', 'cdist', R(2, 3), R(2, 3), -1.0, err=('ValueError', 'cdist only supports non-negative p values'))

    # bucketize / searchsorted / repeat_interleave
    bounds = T([-1.0, 0.0, 0.5, 2.0], grad=False)
    vals = T([[-2.0, -1.0, 0.25, 0.5], [2.0, 3.0, 0.0, 1.0]], grad=False)
    c('bucketize/left', 'bucketize', vals, bounds)
    c('bucketize/right', 'bucketize', vals, bounds, kw={'right': True})
    c('bucketize/int32', 'bucketize', vals, bounds, kw={'out_int32': True})
    c('bucketize/int', 'bucketize', I([[0, 3, 7]]), I([1, 3, 5]))
    c('bucketize/2d-boundaries', 'bucketize', vals, T([[0.0, 1.0]], grad=False), err=('ShapeError', 'boundaries tensor must be 1 dimension'))
    seq = T([[1.0, 3.0, 5.0, 7.0], [2.0, 4.0, 6.0, 8.0]], grad=False)
    c('searchsorted/1d', 'searchsorted', bounds, vals)
    c('searchsorted/right', 'searchsorted', bounds, vals, kw={'right': True})
    c('searchsorted/side', 'searchsorted', bounds, vals, kw={'side': 'right'})
    c('searchsorted/nd', 'searchsorted', seq, T([[3.0, 6.0, 9.0], [1.0, 4.0, 4.5]], grad=False))
    c('searchsorted/sorter', 'searchsorted', T([5.0, 1.0, 3.0], grad=False), T([2.0, 4.0, 6.0], grad=False), kw={'sorter': I([1, 2, 0])})
    c('searchsorted/opposites', 'searchsorted', bounds, vals, kw={'side': 'left', 'right': True}, err=('ValueError', "side and right can't be set to opposites"))
    c('searchsorted/mismatch', 'searchsorted', seq, T([[1.0], [2.0], [3.0]], grad=False), err=('ShapeError', 'boundaries tensor should be 1 dimension or the first N-1 dimensions of boundaries tensor and input value tensor must match'))
    c('repeat_interleave/int', 'repeat_interleave', x, 2)
    c('repeat_interleave/dim', 'repeat_interleave', x, 3, 1)
    c('repeat_interleave/tensor', 'repeat_interleave', R(3, 2), I([1, 0, 2]), kw={'dim': 0})
    c('repeat_interleave/int-input', 'repeat_interleave', xi, 2, kw={'dim': 0})
    c('repeat_interleave/bad-size', 'repeat_interleave', R(3, 2), I([1, 2]), kw={'dim': 0}, err=('ShapeError', 'repeats must have the same size as input along dim'))
    c('Tensor.repeat_interleave/method', 'Tensor.repeat_interleave', R(2, 2), 2, 0)

    # linalg.vector_norm
    for o in (2.0, 1.0, INF, -INF, 0.0, 3.5):
        c(f'linalg.vector_norm/ord={o}', 'linalg.vector_norm', x, o, grad=o != 0.0)
    c('linalg.vector_norm/dim', 'linalg.vector_norm', x3, 2.0, [0, 2])
    c('linalg.vector_norm/keepdim', 'linalg.vector_norm', x3, kw={'ord': 1.0, 'dim': 1, 'keepdim': True})
    c('linalg.vector_norm/zeros', 'linalg.vector_norm', T([[0.0, 0.0], [3.0, 4.0]]), kw={'dim': 1})
    c('linalg.vector_norm/int', 'linalg.vector_norm', xi, err=('DTypeError', 'Expected a floating point or complex tensor as input'))

    # more bad calls
    c('logaddexp/int', 'logaddexp', xi, xi, err=('DTypeError', '"logaddexp_cpu" not implemented for \'Long\''))
    c('hypot/int', 'hypot', xi, xi, err=('DTypeError', '"hypot_cpu" not implemented for \'Long\''))
    c('lerp/int', 'lerp', I([1, 2]), I([3, 4]), 0.5, err=('DTypeError', '"lerp_kernel_scalar" not implemented for \'Long\''))
    c('isclose/negative-rtol', 'isclose', R(2), R(2), kw={'rtol': -1.0}, err=('ValueError', 'rtol must be greater than or equal to zero, but got -1'))
    c('einsum/dtype', 'einsum', 'ij,jk', R(2, 2), F64([[1.0, 2.0], [3.0, 4.0]]), err=('DTypeError', 'expected scalar type Float but found Double'))
    c('cummax/dim-out-of-range', 'cummax', x, 2, err=('IndexError', 'Dimension out of range (expected to be in range of [-2, 1], but got 2)'))
    c('cumprod/dim-out-of-range', 'cumprod', x, 3, err=('IndexError', 'Dimension out of range (expected to be in range of [-2, 1], but got 3)'))
    c('argsort/dim-out-of-range', 'argsort', x, -3, err=('IndexError', 'Dimension out of range'))
    c('topk/dim-out-of-range', 'topk', R(3), 1, 2, err=('IndexError', 'Dimension out of range (expected to be in range of [-1, 0], but got 2)'))
    c('searchsorted/sorter-int32', 'searchsorted', T([1.0, 2.0], grad=False), T([1.0], grad=False), kw={'sorter': T([0, 1], dtype='int32')}, err=('DTypeError', 'sorter must be a tensor of long dtype but got dtype Int'))
    c('cdist/dtype', 'cdist', R(2, 3), F64([[1.0, 2.0, 3.0]]), err=('DTypeError', 'expected scalar type Float but found Double'))
    c('diff/negative-n', 'diff', R(3), -1)
    c('repeat_interleave/negative', 'repeat_interleave', R(3), -1, err=('ValueError', 'repeats can not be negative'))
    c('bucketize/mixed-dtype', 'bucketize', vals, F64([-1.0, 0.0, 0.5]))
    c('exp2/bool', 'exp2', B([True, False]))
    c('erfinv/bool', 'erfinv', B([True, False]))
    return c


def _f64():
    from casekit import Dtype
    return Dtype('float64')
