"""Creation: tensor() dtype inference, arange/linspace edge cases, eye, full, *_like."""
import torch

from casekit import Catalog, Dtype, I, R, T

OPS = {
    'tensor': lambda data, **kw: torch.tensor(data, **kw),
    'zeros_like': torch.zeros_like,
    'ones_like': torch.ones_like,
    'full_like': torch.full_like,
}


def build():
    c = Catalog('creation')
    f64 = Dtype('float64')
    i64 = Dtype('int64')

    # tensor(): dtype inference from the data
    c('tensor/ints', 'tensor', [1, 2, 3], grad=False)
    c('tensor/floats', 'tensor', [1.5, 2, 3], grad=False)
    c('tensor/mixed-nested', 'tensor', [[1, 2], [3, 4.5]], grad=False)
    c('tensor/bools', 'tensor', [True, False, True], grad=False)
    c('tensor/scalar-int', 'tensor', 3, grad=False)
    c('tensor/scalar-float', 'tensor', 2.5, grad=False)
    c('tensor/empty', 'tensor', [], grad=False)
    c('tensor/dtype-float64', 'tensor', [1, 2], kw={'dtype': f64}, grad=False)
    c('tensor/float-to-int', 'tensor', [1.7, -1.7, 2.5], kw={'dtype': i64}, grad=False)
    c('tensor/ragged', 'tensor', [[1, 2], [3]], grad=False, err=('ShapeError', 'expected sequence of length 2 at dim 1 (got 1)'))

    # arange
    c('arange/end', 'arange', 5, grad=False)
    c('arange/start-end', 'arange', 1, 4, grad=False)
    c('arange/float-step', 'arange', 0, 1, 0.1, grad=False)
    c('arange/float-step-inexact', 'arange', 1, 1.3, 0.1, grad=False)
    c('arange/half-step', 'arange', 1, 2.5, 0.5, grad=False)
    c('arange/negative-step', 'arange', 10, 0, -3, grad=False)
    c('arange/negative-float-step', 'arange', 0, -1, -0.25, grad=False)
    c('arange/float-end', 'arange', 3.5, grad=False)
    c('arange/odd-float', 'arange', -1.5, 2, 0.7, grad=False)
    c('arange/dtype-float64', 'arange', 5, kw={'dtype': f64}, grad=False)
    c('arange/float64-step', 'arange', 0, 1, 0.1, kw={'dtype': f64}, grad=False)
    c('arange/empty', 'arange', 0, grad=False)
    c('arange/empty-start-end', 'arange', 3, 3, grad=False)
    c('arange/zero-step', 'arange', 0, 5, 0, grad=False, err=('ValueError', 'step must be nonzero'))
    c('arange/wrong-sign', 'arange', 5, 0, 1, grad=False, err=('ValueError', 'upper bound and larger bound inconsistent with step sign'))

    # linspace
    c('linspace/basic', 'linspace', 0, 1, 5, grad=False)
    c('linspace/one', 'linspace', -1, 1, 1, grad=False)
    c('linspace/zero', 'linspace', 0, 1, 0, grad=False)
    c('linspace/two', 'linspace', 0, 1, 2, grad=False)
    c('linspace/seven', 'linspace', 2, 3, 7, grad=False)
    c('linspace/descending', 'linspace', 1, 0, 6, grad=False)
    c('linspace/float64', 'linspace', 0, 10, 4, kw={'dtype': f64}, grad=False)
    c('linspace/thirds', 'linspace', -1, 1, 13, grad=False)
    c('linspace/negative-steps', 'linspace', 0, 1, -1, grad=False, err=('ValueError', 'number of steps must be non-negative'))

    # eye
    c('eye/square', 'eye', 3, grad=False)
    c('eye/wide', 'eye', 2, 4, grad=False)
    c('eye/tall', 'eye', 4, 1, grad=False)
    c('eye/int', 'eye', 3, kw={'dtype': i64}, grad=False)
    c('eye/empty', 'eye', 0, grad=False)

    # full / zeros / ones: dtype inferred from the fill value
    c('full/int', 'full', [2, 3], 7, grad=False)
    c('full/float', 'full', [2], 1.5, grad=False)
    c('full/bool', 'full', [2, 2], True, grad=False)
    c('full/dtype', 'full', [3], 2, kw={'dtype': f64}, grad=False)
    c('full/nan', 'full', [2], float('nan'), grad=False)
    c('full/empty', 'full', [0, 3], 1.5, grad=False)
    c('zeros/shape', 'zeros', 2, 3, grad=False)
    c('zeros/empty', 'zeros', [0, 3], grad=False)
    c('ones/int', 'ones', 2, kw={'dtype': i64}, grad=False)
    c('ones/scalar-shape', 'ones', [], grad=False)

    # *_like keep dtype and shape
    x = R(2, 3)
    xi = I([[1, 2], [3, 4]])
    c('zeros_like/float', 'zeros_like', x, grad=False)
    c('ones_like/int', 'ones_like', xi, grad=False)
    c('full_like/int-truncates', 'full_like', xi, 2.5, grad=False)
    c('full_like/dtype', 'full_like', xi, 2.5, kw={'dtype': f64}, grad=False)
    c('zeros_like/bool', 'zeros_like', T([True, False], 'bool'), grad=False)
    return c
