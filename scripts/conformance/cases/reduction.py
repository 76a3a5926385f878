"""Reductions over all elements and over dims (keepdim, negative dims, lists), with NaN, ties and empties."""
import torch

from casekit import B, Catalog, F64, I, R, T

NAN, INF = float('nan'), float('inf')

OPS = {
    'var': lambda x, *a, **k: torch.var(x, *a, **k),
    'max_dim': lambda x, *a, **k: tuple(torch.max(x, *a, **k)),
    'min_dim': lambda x, *a, **k: tuple(torch.min(x, *a, **k)),
}


def build():
    c = Catalog('reduction')
    x = R(3, 4)
    x3 = R(2, 3, 4)
    xi = I([[3, -1, 4], [1, -5, 9]])
    xb = B([[True, False, True], [True, True, True]])
    ties = T([[1.0, 3.0, 3.0, 0.0], [2.0, 2.0, -1.0, 2.0], [5.0, 5.0, 5.0, 5.0]])
    nans = T([[1.0, NAN, 3.0], [-1.0, 0.5, 2.0], [NAN, NAN, -4.0]], grad=False)
    empty = T([], shape=(0, 3))

    dims = [None, 0, 1, -1, [0, 1]]
    for op in ('sum', 'mean'):
        for d in dims:
            name = 'all' if d is None else str(d).replace(' ', '')
            c(f'{op}/dim={name}', op, x) if d is None else c(f'{op}/dim={name}', op, x, d)
        c(f'{op}/keepdim', op, x3, 1, kw={'keepdim': True})
        c(f'{op}/dims-keepdim', op, x3, [0, 2], kw={'keepdim': True})
        c(f'{op}/negative-dims', op, x3, [-1, -3])
        c(f'{op}/nan', op, nans, 1)
        c(f'{op}/empty-all', op, empty)
        c(f'{op}/empty-dim0', op, empty, 0)
        c(f'{op}/dtype-float64', op, x, 1, kw={'dtype': _f64()})
        c(f'{op}/0d', op, T(2.5))
    c('sum/int', 'sum', xi)
    c('sum/int-dim', 'sum', xi, 0)
    c('sum/bool', 'sum', xb)
    c('sum/bool-dim', 'sum', xb, 1)
    c('sum/empty-dims-list', 'sum', x, [])
    c('mean/int', 'mean', xi, err=('DTypeError', 'mean(): could not infer output dtype'))
    c('sum/dim-out-of-range', 'sum', x, 2, err=('IndexError', 'Dimension out of range (expected to be in range of [-2, 1], but got 2)'))

    # prod: zeros make the gradient special
    c('prod/all', 'prod', R(2, 3, lo=0.5, hi=1.5))
    c('prod/dim', 'prod', x, 1)
    c('prod/keepdim', 'prod', x, 0, kw={'keepdim': True})
    c('prod/one-zero', 'prod', T([[2.0, 0.0, 3.0], [1.5, 2.0, -1.0]]), 1)
    c('prod/two-zeros', 'prod', T([[0.0, 0.0, 3.0], [0.0, 2.0, -1.0]]), 1)
    c('prod/all-one-zero', 'prod', T([2.0, 0.0, 3.0, -0.5]))
    c('prod/int', 'prod', xi, 1)
    c('prod/empty', 'prod', empty, 0)

    # max/min: full, over a dim (values and indices), ties, NaN
    for op in ('max', 'min'):
        c(f'{op}/all', op, x)
        c(f'{op}/dim', f'{op}_dim', x, 1)
        c(f'{op}/dim0-keepdim', f'{op}_dim', x, 0, kw={'keepdim': True})
        c(f'{op}/negative-dim', f'{op}_dim', x3, -2)
        c(f'{op}/all-ties', op, ties)
        c(f'{op}/dim-ties', f'{op}_dim', ties, 1)
        c(f'{op}/nan', op, nans)
        c(f'{op}/dim-nan', f'{op}_dim', nans, 1)
        c(f'{op}/int', op, xi)
        c(f'{op}/int-dim', f'{op}_dim', xi, 1)
        c(f'{op}/bool-dim', f'{op}_dim', xb, 1)
        c(f'{op}/binary', op, x, R(4))
        c(f'{op}/empty', op, empty, err=('ShapeError', 'Expected reduction dim to be specified for input.numel() == 0'))
        c(f'{op}/empty-dim', f'{op}_dim', empty, 0, err=('IndexError', 'Expected reduction dim 0 to have non-zero size'))
        c(f'{op}/0d-dim', f'{op}_dim', T(1.5), 0)
    for op in ('amax', 'amin'):
        c(f'{op}/dims', op, x3, [0, 2])
        c(f'{op}/ties', op, ties, 1)
        c(f'{op}/all-ties', op, ties)
        c(f'{op}/nan', op, nans, 0)
        c(f'{op}/keepdim', op, x, -1, kw={'keepdim': True})

    for op in ('argmax', 'argmin'):
        c(f'{op}/all', op, x)
        c(f'{op}/dim', op, x, 1)
        c(f'{op}/keepdim', op, x, 0, kw={'keepdim': True})
        c(f'{op}/ties', op, ties, 1)
        c(f'{op}/all-ties', op, ties)
        c(f'{op}/nan', op, nans, 1)
        c(f'{op}/nan-all', op, nans)
        c(f'{op}/int', op, xi, 0)
        c(f'{op}/keepdim-all', op, x, kw={'keepdim': True})

    # var/std: corrections, dims, too few elements
    for op in ('var', 'std'):
        c(f'{op}/all', op, x)
        c(f'{op}/dim', op, x, 1)
        c(f'{op}/dims-keepdim', op, x3, [0, 2], kw={'keepdim': True})
        c(f'{op}/unbiased-false', op, x, 0, kw={'unbiased': False})
        c(f'{op}/correction-0', op, x, 1, kw={'correction': 0})
        c(f'{op}/correction-2', op, x, 1, kw={'correction': 2})
        c(f'{op}/single', op, T([[1.5], [2.0]]), 1)
        c(f'{op}/constant', op, T([[2.0, 2.0, 2.0], [1.0, 3.0, 2.0]]), 1)
        c(f'{op}/float64', op, F64([[1.0, 2.5, -3.0], [0.5, 0.25, 4.0]]), 1)
        c(f'{op}/int', op, xi, err=('DTypeError', 'std and var only support floating point and complex dtypes'))
        c(f'{op}/nan', op, nans, 1)
    c('var/positional-unbiased', 'var', x, False)

    # logsumexp: -inf, +inf, all -inf, large values
    c('logsumexp/dim', 'logsumexp', x, 1)
    c('logsumexp/dims-keepdim', 'logsumexp', x3, [0, 2], kw={'keepdim': True})
    # near ±1000 a float32 step is 6e-5: x - logsumexp(x) carries that much error whatever the order of operations
    c('logsumexp/large', 'logsumexp', T([[1000.0, 1000.5, 999.0], [-1000.0, -999.0, -1001.0]]), 1, gtol=(1e-4, 1e-6))
    c('logsumexp/neg-inf', 'logsumexp', T([[-INF, 0.5, 1.0], [-INF, -INF, -INF]]), 1)
    c('logsumexp/pos-inf', 'logsumexp', T([[INF, 0.5, 1.0], [INF, -INF, 2.0]]), 1, grad=False)
    c('logsumexp/nan', 'logsumexp', nans, 1)
    c('logsumexp/int', 'logsumexp', xi, 1)
    c('logsumexp/empty', 'logsumexp', empty, 0)

    # softmax / log_softmax: dims, -inf masks, large values, dtype
    for op in ('softmax', 'log_softmax'):
        c(f'{op}/dim1', op, x, 1, order2=True)
        c(f'{op}/dim0', op, x, 0)
        c(f'{op}/negative-dim', op, x3, -2)
        c(f'{op}/large', op, T([[1000.0, 1000.5, 999.0], [-1000.0, -999.0, -1001.0]]), 1)
        c(f'{op}/masked', op, T([[-INF, 0.5, 1.0], [2.0, -INF, -INF]]), 1)
        c(f'{op}/dtype', op, x, 1, kw={'dtype': _f64()})
        c(f'{op}/0d', op, T(1.5), 0)
        c(f'{op}/nan', op, nans, 1)

    c('softmax/int', 'softmax', I([[1, 2], [3, 4]]), 1, err=('DTypeError', 'not implemented for'))
    c('log_softmax/int-dtype', 'log_softmax', I([[1, 2], [3, 4]]), 1, kw={'dtype': _f64()})

    # cumsum
    c('cumsum/dim0', 'cumsum', x, 0)
    c('cumsum/dim1', 'cumsum', x, 1)
    c('cumsum/negative', 'cumsum', x3, -1)
    c('cumsum/int', 'cumsum', xi, 1)
    c('cumsum/bool', 'cumsum', xb, 1)
    c('cumsum/nan', 'cumsum', nans, 1)
    c('cumsum/dtype', 'cumsum', xi, 0, kw={'dtype': _f64()})
    c('cumsum/0d', 'cumsum', T(2.5), 0)

    # all / any / count_nonzero
    for op in ('all', 'any'):
        c(f'{op}/bool', op, xb)
        c(f'{op}/bool-dim', op, xb, 1)
        c(f'{op}/float', op, T([[0.0, 1.0], [NAN, -0.0]]), 0)
        c(f'{op}/int', op, I([[0, 2], [3, 4]]), 1)
        c(f'{op}/keepdim', op, xb, 0, kw={'keepdim': True})
        c(f'{op}/empty', op, T([], shape=(0,), dtype='bool'))
        c(f'{op}/empty-dim', op, T([], shape=(2, 0), dtype='bool'), 1)
    c('count_nonzero/all', 'count_nonzero', T([[0.0, 1.0], [NAN, -0.0]]))
    c('count_nonzero/dim', 'count_nonzero', xi, 1)

    # norm: p, dims, zeros (gradient 0 at 0)
    for p in (None, 1, 3, 0.5, INF, -INF, 0, 'fro'):
        name = 'default' if p is None else str(p)
        c(f'norm/p={name}', 'norm', x) if p is None else c(f'norm/p={name}', 'norm', x, p, grad=p != 0)
    c('norm/dim', 'norm', x, 2, 1)
    c('norm/dim-keepdim', 'norm', x3, kw={'p': 1, 'dim': [1, 2], 'keepdim': True})
    c('norm/zero-vector', 'norm', T([[0.0, 0.0], [3.0, 4.0]]), 2, 1)
    c('norm/int', 'norm', I([3, 4]), err=('DTypeError', 'input dtype should be either floating point or complex'))
    return c


def _f64():
    from casekit import Dtype
    return Dtype('float64')
