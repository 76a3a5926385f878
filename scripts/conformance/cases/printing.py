"""Printing: str(tensor) for float32/float64/int/bool, scientific mode, NaN/inf, 0-d, empty, summarization,
line wrapping, requires_grad and grad_fn suffixes."""
import numpy as np
import torch

from casekit import B, Catalog, F64, I, R, T

OPS = {
    'identity': lambda x: x,
    'double': lambda x: x * 2,
    'sum': lambda x: x.sum(),
    'arange_grid': lambda n, rows, scale: torch.arange(n, dtype=torch.float32).reshape(rows, -1) * scale,
    'arange_shift': lambda n, shift: torch.arange(n) - shift,
}


def build():
    c = Catalog('printing')
    p = dict(grad=False, text=True)
    c('float/small', 'identity', T([[0.1234, -1.5], [2.0, 3.25]]), **p)
    c('float/integers', 'identity', T([1.0, 2.0, -3.0]), **p)
    c('float/sci', 'identity', T([1e-5, 1.0, 1e5]), **p)
    c('float/large', 'identity', T([123456.0, 2.5]), **p)
    c('float/tiny', 'identity', T([1e-8, -2e-9]), **p)
    c('float/nan-inf', 'identity', T([float('nan'), float('inf'), float('-inf'), 1.5]), **p)
    c('float/nan-inf-integers', 'identity', T([float('nan'), float('inf'), 2.0]), **p)
    c('float/negative-zero', 'identity', T([-0.0, 0.0, 1.5]), **p)
    c('float/0d', 'identity', T(2.5), **p)
    c('float/0d-integer', 'identity', T(-3.0), **p)
    c('float/empty', 'identity', T([], shape=(0,)), **p)
    c('float/empty-2d', 'identity', T([], shape=(2, 0)), **p)
    c('float/3d', 'identity', R(2, 2, 3), **p)
    c('float/wide', 'identity', T(np.round(np.linspace(-3, 3, 3 * 14), 4).reshape(3, 14)), **p)
    c('float/summarized', 'arange_grid', 2000, 40, 0.125, **p)
    c('int/summarized-1d', 'arange_shift', 1500, 750, **p)
    c('float64/basic', 'identity', F64([1.5, -2.25, 3.0]), **p)
    c('float64/precise', 'identity', F64([0.1, 1e-10, 3.141592653589793]), **p)
    c('float64/0d', 'identity', F64(0.5), **p)
    c('float64/empty', 'identity', F64(np.zeros((0,))), **p)
    c('int/basic', 'identity', I([1, -20, 300]), **p)
    c('int/2d', 'identity', I([[1, 2], [30, -4]]), **p)
    c('int/large', 'identity', I([123456789, -1]), **p)
    c('int/0d', 'identity', I(7), **p)
    c('int/empty', 'identity', T(np.zeros((0,), dtype=np.int64), 'int64'), **p)
    c('bool/basic', 'identity', B([True, False, True]), **p)
    c('bool/2d', 'identity', B([[True], [False]]), **p)
    c('bool/empty', 'identity', T(np.zeros((0,), dtype=bool), 'bool'), **p)
    c('grad/leaf', 'identity', T([1.0, 2.0], grad=True), **p)
    c('grad/leaf-0d', 'identity', T(1.5, grad=True), **p)
    c('grad/grad-fn', 'double', T([1.0, 2.5], grad=True), **p)
    c('grad/grad-fn-0d', 'sum', T([1.0, 2.5], grad=True), **p)
    c('grad/float64-grad-fn', 'double', F64([1.0, 2.5], grad=True), **p)
    return c
