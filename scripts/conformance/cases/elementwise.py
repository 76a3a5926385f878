"""Elementwise ops: promotion with scalars, 0-d tensors, bool and int; rounding modes; NaN/inf; clamp; where."""
import torch

from casekit import B, Catalog, F64, I, R, RI, RP, T

NAN, INF = float('nan'), float('inf')

OPS = {
    'Tensor.add_': lambda x, *a, **k: x.add_(*a, **k),
    'Tensor.mul_': lambda x, *a, **k: x.mul_(*a, **k),
    'Tensor.div_': lambda x, *a, **k: x.div_(*a, **k),
    'Tensor.clamp_': lambda x, *a, **k: x.clamp_(*a, **k),
    'Tensor.copy_': lambda x, *a, **k: x.copy_(*a, **k),
    'Tensor.fill_': lambda x, *a, **k: x.fill_(*a, **k),
    'Tensor.zero_': lambda x: x.zero_(),
    'rpow': lambda base, x: torch.pow(base, x),
    'add_out': lambda a, b, out: torch.add(a, b, out=out),
}

BINARY = ['add', 'sub', 'mul', 'div', 'floor_divide', 'remainder', 'pow', 'maximum', 'minimum',
          'eq', 'ne', 'lt', 'le', 'gt', 'ge', 'logical_and', 'logical_or', 'logical_xor']
ARITH = ['add', 'sub', 'mul', 'div', 'floor_divide', 'remainder', 'pow']
COMPARE = ['eq', 'ne', 'lt', 'le', 'gt', 'ge']
UNARY = ['neg', 'abs', 'sign', 'exp', 'log', 'log2', 'log10', 'log1p', 'expm1', 'sqrt', 'rsqrt', 'sin', 'cos',
         'tan', 'tanh', 'erf', 'sigmoid', 'reciprocal', 'floor', 'ceil', 'round', 'trunc', 'relu', 'square']
SMOOTH = ['exp', 'log', 'log2', 'log10', 'log1p', 'expm1', 'sqrt', 'rsqrt', 'sin', 'cos', 'tan', 'tanh', 'erf',
          'sigmoid', 'reciprocal', 'square']
POSITIVE_DOMAIN = {'log', 'log2', 'log10', 'sqrt', 'rsqrt', 'log1p'}


def build():
    c = Catalog('elementwise')
    a, b = R(2, 3), R(3)
    p = RP(2, 3, lo=0.5, hi=2.0)
    col, row = R(2, 1), R(1, 3)

    # Every binary op: same shapes, broadcasting, with a Python scalar on either side
    for op in BINARY:
        arith = op in ARITH + ['maximum', 'minimum'] and op != 'floor_divide'  # PyTorch: floor_divide has no derivative
        x = p if op in ('pow',) else a
        c(f'{op}/broadcast', op, x, b, grad=arith)
        c(f'{op}/outer-broadcast', op, col, row, grad=arith)
        if op not in ('maximum', 'minimum') and not op.startswith('logical'):
            c(f'{op}/scalar-right', op, x, 1.5, grad=arith)
            c(f'{op}/int-scalar-right', op, x, 2, grad=arith)
    c('add/scalar-left', 'add', 2.5, a)
    c('mul/scalar-left', 'mul', -3, a)
    c('sub/scalar-left', 'sub', 1.5, a)
    c('div/scalar-left', 'div', 1.5, p)
    c('add/alpha', 'add', a, b, kw={'alpha': 2})
    c('sub/alpha', 'sub', a, b, kw={'alpha': -0.5})
    c('add/alpha-int', 'add', I([1, 2]), I([3, 4]), kw={'alpha': 3})

    # Promotion: ints, bools, 0-d tensors, float64
    xi, yi = I([[7, -7, 5], [-5, 0, 3]]), I([2, 2, -3])
    c('promote/int-int-add', 'add', xi, yi)
    c('promote/int-float-scalar', 'add', xi, 1.5)
    c('promote/int-int-scalar', 'mul', xi, 3)
    c('promote/int-float-tensor', 'mul', xi, b)
    c('promote/int-div-int', 'div', xi, yi)
    c('promote/int-div-scalar', 'div', xi, 2)
    c('promote/float32-0d-float64', 'add', a, F64(2.5), gtol=(1e-6, 1e-7))  # its gradient is a float32 sum
    c('promote/float32-1d-float64', 'add', a, F64([1.0, 2.0, 3.0]))
    c('promote/int-0d-float64', 'add', I([1, 2]), F64(1.5))
    c('promote/int-0d-float32', 'mul', I([1, 2]), T(1.5))
    c('promote/0d-int-float-tensor', 'add', T([0.5, 1.5]), I(3))
    c('promote/0d-0d', 'add', I(2), T(0.5))
    c('promote/float64-float32-scalar', 'mul', F64([1.5, 2.5]), 1.25)
    c('promote/bool-bool-add', 'add', B([True, False, True]), B([True, True, False]))
    c('promote/bool-bool-mul', 'mul', B([True, False, True]), B([True, True, False]))
    c('promote/bool-int-scalar', 'add', B([True, False]), 2)
    c('promote/bool-float-scalar', 'mul', B([True, False]), 1.5)
    c('promote/bool-int-tensor', 'add', B([True, False]), I([3, 4]))
    c('promote/bool-float-tensor', 'add', B([True, False]), T([0.5, 0.25]))
    c('promote/bool-bool-sub', 'sub', B([True]), B([False]), err=('DTypeError', 'Subtraction, the `-` operator, with two bool tensors is not supported'))
    c('promote/bool-scalar-true', 'add', I([1, 2]), True)
    c('promote/compare-int-float', 'lt', I([1, 2, 3]), 2.5)
    c('promote/compare-bool-int', 'eq', B([True, False]), I([1, 1]))
    c('promote/maximum-int-float', 'maximum', I([1, 5]), T([2.5, 2.5]))
    c('promote/logical-and-float', 'logical_and', T([0.0, 1.5, -2.0, 0.0]), T([1.0, 0.0, 3.0, 0.0]))
    c('promote/logical-or-int', 'logical_or', I([0, 1, 0]), I([0, 0, 5]))

    # Division and rounding modes, with negatives (floor vs trunc), ints and floats
    num, den = T([7.0, -7.0, 7.0, -7.0, 5.5, -5.5, 0.0]), T([2.0, 2.0, -2.0, -2.0, 2.0, 2.0, 3.0])
    ni, di = I([7, -7, 7, -7, 0, 9]), I([2, 2, -2, -2, 3, -4])
    for mode in ('floor', 'trunc'):
        c(f'div/{mode}', 'div', num, den, kw={'rounding_mode': mode}, grad=mode == 'trunc')
        c(f'div/{mode}-int', 'div', ni, di, kw={'rounding_mode': mode})
        c(f'div/{mode}-int-scalar', 'div', ni, 2, kw={'rounding_mode': mode})
    c('floor_divide/negatives', 'floor_divide', num, den, grad=False)
    c('floor_divide/int-negatives', 'floor_divide', ni, di)
    c('floor_divide/int-scalar-negative', 'floor_divide', ni, -3)
    c('remainder/negatives', 'remainder', num, den)
    c('remainder/int-negatives', 'remainder', ni, di)
    c('remainder/int-scalar-negative', 'remainder', ni, -3)
    c('remainder/float-scalar', 'remainder', T([-3.5, -1.0, 0.0, 2.25, 7.0]), 1.5)
    c('remainder/scalar-left', 'remainder', 5, I([3, -3, 2]))
    c('div/by-zero', 'div', T([1.0, -1.0, 0.0, 2.0]), T([0.0, 0.0, 0.0, -0.0]), grad=False)
    c('floor_divide/int-by-zero-scalar', 'floor_divide', I([1, 2]), 0, err=('ZeroDivisionError', 'ZeroDivisionError'))
    c('remainder/int-by-zero-scalar', 'remainder', I([1, 2]), 0, err=('ZeroDivisionError', 'ZeroDivisionError'))
    c('floor_divide/int-by-zero-tensor', 'floor_divide', I([1, 2, 3]), I([1, 0, 2]), err=('ZeroDivisionError', 'ZeroDivisionError'))
    c('remainder/int-by-zero-tensor', 'remainder', I([1, 2, 3]), I([1, 0, 2]), err=('ZeroDivisionError', 'ZeroDivisionError'))
    c('div/int-by-zero-tensor', 'div', I([1, -2, 0]), I([0, 0, 0]), grad=False)
    c('remainder/float-by-zero', 'remainder', T([1.0, -1.0]), 0.0, grad=False)

    # pow with int/float/negative exponents and bases
    c('pow/int-int-scalar', 'pow', I([2, -3, 0, 5]), 3)
    c('pow/int-float-scalar', 'pow', I([4, 9, 2]), 0.5)
    c('pow/int-negative-scalar', 'pow', I([2, 3]), -1, err=('ValueError', 'Integers to negative integer powers are not allowed'))
    c('pow/float-negative-int', 'pow', p, -2)
    c('pow/float-negative-float', 'pow', p, -1.5)
    c('pow/negative-base-fractional', 'pow', T([-2.0, -0.5, 4.0]), 0.5, grad=False)
    c('pow/negative-base-int-exponent', 'pow', T([-2.0, -0.5, 3.0]), 3)
    c('pow/zero-zero', 'pow', T([0.0, 0.0, 2.0]), T([0.0, 2.0, 0.0]))
    c('pow/zero-base-grads', 'pow', T([0.0, 0.0, 0.0, 1.5]), T([1.0, 2.0, 0.5, 2.0]))
    c('pow/tensor-tensor', 'pow', p, R(2, 3, lo=-1.5, hi=2.5))
    c('pow/scalar-base', 'rpow', 2.0, a)
    c('pow/scalar-base-int', 'rpow', 2, I([0, 1, 5]))
    c('pow/square', 'pow', a, 2, order2=True)
    c('pow/cube', 'pow', a, 3, order2=True)
    c('pow/sqrt', 'pow', p, 0.5, order2=True)
    c('pow/zero-exponent', 'pow', a, 0)
    c('pow/int-tensor-exponent', 'pow', I([2, 3, 4]), I([3, 0, 2]))

    # Unary ops on typical, special (NaN, inf, 0, -0) and integer/bool inputs
    special = T([NAN, INF, -INF, 0.0, -0.0, 1.0, -1.0, 0.5, -2.5, 100.0, -100.0], grad=False)
    for op in UNARY:
        x = RP(2, 3, lo=0.2, hi=3.0) if op in POSITIVE_DOMAIN else R(2, 3, lo=-2.5, hi=2.5)
        c(f'{op}/basic', op, x, order2=op in SMOOTH)
        c(f'{op}/special', op, special, grad=False)
        c(f'{op}/int', op, I([-3, -1, 0, 2, 7]), grad=False)
    for op in ('neg', 'abs', 'sign', 'exp', 'sqrt', 'floor', 'ceil', 'round', 'trunc', 'relu', 'square', 'sigmoid', 'logical_not'):
        c(f'{op}/bool', op, B([True, False, True]), grad=False, err=_bool_error(op))
    c('logical_not/float', 'logical_not', T([0.0, 1.5, -0.0, NAN]), grad=False)
    c('round/half-even', 'round', T([0.5, 1.5, 2.5, -0.5, -1.5, -2.5, 0.49999997, 2.5000002]), grad=False)
    c('round/decimals', 'round', T([1.2345, -2.5551, 0.125, 1234.5678]), kw={'decimals': 2}, grad=False)
    c('abs/grad-at-zero', 'abs', T([0.0, -0.0, 1.0, -1.0]))
    c('sign/grad', 'sign', R(4))
    c('sqrt/grad-at-zero', 'sqrt', T([0.0, 1.0, 4.0]))
    c('relu/grad-at-zero', 'relu', T([0.0, -1.0, 1.0]))
    c('log/grad-at-zero', 'log', T([0.0, 1.0]))
    c('sigmoid/extreme', 'sigmoid', T([-100.0, -20.0, 20.0, 100.0]))
    c('tanh/extreme', 'tanh', T([-30.0, -10.0, 10.0, 30.0]))
    c('exp/overflow', 'exp', T([88.0, 89.0, -104.0, -110.0]), grad=False)

    # NaN and inf through binary ops and comparisons
    n1 = T([NAN, 1.0, NAN, INF, -INF, INF, 0.0], grad=False)
    n2 = T([1.0, NAN, NAN, INF, INF, 0.0, -0.0], grad=False)
    for op in ('add', 'sub', 'mul', 'div', 'maximum', 'minimum', 'eq', 'ne', 'lt', 'le', 'gt', 'ge', 'pow',
               'remainder', 'floor_divide'):
        c(f'{op}/nan-inf', op, n1, n2, grad=False)
    c('maximum/ties-grad', 'maximum', T([1.0, 2.0, 3.0]), T([1.0, 1.0, 3.0]))
    c('minimum/ties-grad', 'minimum', T([1.0, 2.0, 3.0]), T([1.0, 1.0, 3.0]))

    # clamp: scalar bounds, one-sided, tensor bounds (broadcast), ints, NaN, min > max, boundary gradients
    x = R(3, 4)
    c('clamp/both', 'clamp', x, -0.5, 0.5)
    c('clamp/min-only', 'clamp', x, kw={'min': 0.0})
    c('clamp/max-only', 'clamp', x, kw={'max': 0.25})
    c('clamp/tensor-bounds', 'clamp', x, R(4, lo=-1, hi=0), R(3, 1, lo=0, hi=1))
    c('clamp/tensor-min-only', 'clamp', x, kw={'min': R(4, lo=-1, hi=1)})
    c('clamp/int', 'clamp', I([-5, 0, 3, 9]), -2, 4)
    c('clamp/int-float-bound', 'clamp', I([-5, 0, 3, 9]), 0.5, grad=False)
    c('clamp/nan', 'clamp', T([NAN, 1.0, -3.0]), -1.0, 1.0, grad=False)
    c('clamp/min-greater-than-max', 'clamp', T([0.0, 1.0, 2.0]), 1.5, 0.5)
    c('clamp/boundary-grad', 'clamp', T([-1.0, -0.5, 0.0, 0.5, 1.0]), -0.5, 0.5)
    c('clamp/no-bounds', 'clamp', x, err=('ValueError', "At least one of 'min' or 'max' must not be None"))
    c('clamp/nan-bound', 'clamp', T([0.0, 1.0]), NAN, grad=False)

    # where: tensors, scalars on either side, dtype promotion, broadcasting of the condition
    cond = B([[True, False, True], [False, True, True]])
    c('where/tensors', 'where', cond, a, R(2, 3))
    c('where/scalar-right', 'where', cond, a, 0.0)
    c('where/scalar-left', 'where', cond, -1.5, a)
    c('where/scalars-float', 'where', cond, 1.5, -0.5)
    c('where/scalars-int', 'where', cond, 1, 0)
    c('where/int-tensor-float-scalar', 'where', cond, I([[1, 2, 3], [4, 5, 6]]), 2.5)
    c('where/broadcast-cond', 'where', B([True, False, True]), R(2, 3), R(2, 1))
    c('where/float64-float32', 'where', cond, F64([1.0, 2.0, 3.0]), a)
    c('where/non-bool-cond', 'where', I([1, 0]), T([1.0, 2.0]), T([3.0, 4.0]), grad=False, err=('DTypeError', 'expected condition to be a boolean tensor'))

    # out=
    c('out/add', 'add_out', R(2, 3), R(3), R(2, 3, grad=False), grad=False, mutates=True)
    c('out/promote-into-float64', 'add_out', R(2), R(2), F64([0.0, 0.0]), grad=False, mutates=True)
    c('out/int-into-float', 'add_out', I([1, 2]), I([3, 4]), T([0.0, 0.0]), grad=False, mutates=True)
    c('out/float-into-int', 'add_out', R(2), R(2), I([0, 0]), grad=False, err=('DTypeError', "can't be cast to the desired output type"))

    # Shape errors
    c('add/shape-mismatch', 'add', R(2, 3), R(4), err=('ShapeError', 'The size of tensor a (3) must match the size of tensor b (4) at non-singleton dimension 1'))
    c('mul/shape-mismatch-3d', 'mul', R(2, 3, 4), R(5, 1), err=('ShapeError', 'The size of tensor a (3) must match the size of tensor b (5) at non-singleton dimension 1'))

    # In-place ops: promotion into the destination, broadcasting, errors that leave the tensor unchanged
    c('add_/broadcast', 'Tensor.add_', R(2, 3), R(3), grad=False, mutates=True)
    c('add_/int-scalar-into-float', 'Tensor.add_', R(2), 1, grad=False, mutates=True)
    c('add_/float-into-int', 'Tensor.add_', I([1, 2]), 1.5, grad=False, err=('DTypeError', "can't be cast to the desired output type"))
    c('add_/bad-broadcast', 'Tensor.add_', R(3), R(2, 3), grad=False, err=('ShapeError', "output with shape [3] doesn't match the broadcast shape [2, 3]"))
    c('div_/int', 'Tensor.div_', I([4, 2]), 2, grad=False, err=('DTypeError', "can't be cast to the desired output type"))
    c('mul_/float64-into-float32', 'Tensor.mul_', R(3), F64([2.0, 3.0, 4.0]), grad=False, mutates=True)
    c('clamp_/inplace', 'Tensor.clamp_', R(4), -0.5, 0.5, grad=False, mutates=True)
    c('copy_/cast-broadcast', 'Tensor.copy_', I([[0, 0, 0], [0, 0, 0]]), T([1.7, -2.2, 3.5]), grad=False, mutates=True)
    c('fill_/int-with-float', 'Tensor.fill_', I([1, 2]), 2.7, grad=False, mutates=True)
    c('zero_/float', 'Tensor.zero_', R(2, 2), grad=False, mutates=True)
    return c


def _bool_error(op):
    if op == 'neg':
        return ('DTypeError', 'Negation, the `-` operator, on a bool tensor is not supported')
    if op == 'abs':
        return ('DTypeError', '"abs_cpu" not implemented for \'Bool\'')
    if op in ('floor', 'ceil', 'round', 'trunc'):
        return ('DTypeError', f'"{op}_vml_cpu" not implemented for \'Bool\'')
    if op == 'relu':
        return ('DTypeError', 'Boolean inputs not supported for relu')
    return None
