"""The narrow dtypes (issue 14): float16, bfloat16, uint8, int8, int16.

Conversions between every pair of dtypes (rounding to nearest even, overflow to inf, subnormals, integer
wrapping), promotion in arithmetic, arithmetic and unary ops in each dtype, reductions (float16 sums return
float16, integer sums int64), matmul, gradients in float16/bfloat16, and PyTorch's errors.

PyTorch 1.13's CPU has no float16 kernels for exp, matmul, cumsum and others ("not implemented for 'Half'");
graft computes them in float32 and rounds the result to half, which is what these cases ask PyTorch for
(`x.float().exp().half()`: its gradient is computed the same way).
"""
import torch

from casekit import Catalog, Dtype, T

NAN, INF = float('nan'), float('inf')
ALL = ['bool', 'uint8', 'int8', 'int16', 'int32', 'int64', 'float16', 'bfloat16', 'float32', 'float64']
NARROW = ['uint8', 'int8', 'int16', 'float16', 'bfloat16']
HALF = ['float16', 'bfloat16']


def in_float(f):
    """f computed in float32 for float16 inputs (PyTorch's CPU has no Half kernel), rounded back."""
    def g(x, *a, **k):
        if x.dtype == torch.float16:
            return f(x.float(), *a, **k).half()
        return f(x, *a, **k)
    return g


def matmul(a, b):
    if a.dtype == torch.float16:
        return torch.matmul(a.float(), b.float()).half()
    return torch.matmul(a, b)


OPS = {
    'exp': in_float(torch.exp),
    'log': in_float(torch.log),
    'sin': in_float(torch.sin),
    'tanh': in_float(torch.tanh),
    'sigmoid': in_float(torch.sigmoid),
    'sqrt': in_float(torch.sqrt),
    'softmax': in_float(torch.softmax),
    'matmul': matmul,
    'relu': in_float(torch.relu),
    'cumsum': in_float(torch.cumsum),
    # No prod kernel for either half type: the product in float32, rounded once.
    'prod': lambda x, *a, **k: torch.prod(x.float(), *a, **k).to(x.dtype) if x.dtype in (torch.float16, torch.bfloat16) else torch.prod(x, *a, **k),
}

# Values for conversions: roundings (ties to even in float16 and bfloat16), float16's largest finite value and
# its overflow threshold (65504, 65519.99 -> 65504, 65520 -> inf), subnormals, negative zero.
FLOAT_VALUES = [0.1, -2.5, 2.5, 3.5, 300.7, -129.9, 1.0009765625, 1.00146484375, 65504.0, 65519.0, 65520.0, 1e-7, 3e-8, 2.9802322387695312e-08,
                -0.0, 1e5, 255.9, -0.5]
SPECIAL = [NAN, INF, -INF, 1e10, -3e9]
INT_VALUES = {
    'uint8': [0, 1, 127, 128, 200, 255],
    'int8': [0, 1, -1, 127, -128, 100],
    'int16': [0, -1, 255, 256, 300, -129, 32767, -32768, 2049, 4097],
    'int32': [0, -1, 300, -129, 65535, 70000, 16777217, -2**31, 2**31 - 1, 2049],
    'int64': [0, -1, 300, -129, 65535, 2**40 + 5, -2**40 - 3, 16777217, 2049],
    'bool': [True, False, True],
}
NARROW_INT = ['uint8', 'int8', 'int16']


def fits(v, d):
    """Whether converting float v to integer dtype d is defined the same way in graft and PyTorch."""
    if v != v or v in (INF, -INF):
        return d in NARROW_INT
    if d in NARROW_INT:
        return True
    bits = 32 if d == 'int32' else 64
    return -2**(bits - 1) <= int(v) < 2**(bits - 1)


def build():
    c = Catalog('dtypes')

    # ---- conversions between every pair of dtypes
    for src in ALL:
        for dst in ALL:
            if src == dst:
                continue
            if src in ('float32', 'float64', 'float16', 'bfloat16'):
                vals = [v for v in FLOAT_VALUES + SPECIAL if dst in ('bool', 'float32', 'float64', 'float16', 'bfloat16') or fits(v, dst)]
                if src in HALF:
                    # Values beyond float16's range are inf in float16 already; int64/int32 targets take finite ones.
                    vals = [v for v in vals if dst not in ('int32', 'int64') or abs(v) < 60000]
            else:
                vals = INT_VALUES[src]
            c(f'to/{src}->{dst}', 'Tensor.to', T(vals, src), Dtype(dst))

    # ---- promotion: tensors of two dtypes, 0-d tensors and scalars
    pairs = [('uint8', 'int8'), ('int8', 'int16'), ('uint8', 'int16'), ('float16', 'bfloat16'), ('uint8', 'float16'),
             ('int16', 'bfloat16'), ('float16', 'float32'), ('bfloat16', 'float64'), ('int8', 'int64'), ('bool', 'uint8'),
             ('float16', 'int64'), ('uint8', 'int32')]
    for a, b in pairs:
        xa = T([1, 2, 3] if a != 'bool' else [True, False, True], a)
        xb = T([3, 5, 7] if b != 'bool' else [True, True, False], b)
        c(f'promote/add-{a}-{b}', 'add', xa, xb)
        c(f'promote/mul-{b}-{a}', 'mul', xb, xa)
        c(f'promote/div-{a}-{b}', 'div', xa, xb)
    c('promote/int8-plus-float-scalar', 'add', T([1, 2, -3], 'int8'), 2.5)
    c('promote/uint8-plus-int-scalar', 'add', T([1, 2, 250], 'uint8'), 3)
    c('promote/f16-plus-0d-f64', 'add', T([1.5, 2.25], 'float16'), T(0.1, 'float64'))
    c('promote/0d-f16-plus-int8', 'add', T(1.5, 'float16'), T([1, 2], 'int8'))
    c('promote/bf16-times-float-scalar', 'mul', T([1.5, 3.0], 'bfloat16'), 0.1)
    c('promote/int16-true-div', 'div', T([7, -7, 1], 'int16'), T([2, 2, 3], 'int16'))

    # ---- arithmetic in each narrow dtype: wrapping integers, rounding and overflow in half
    ints = {
        'uint8': ([200, 100, 7, 255, 0], [100, 3, 2, 1, 9]),
        'int8': ([100, -128, 7, -7, 127], [100, -1, 2, 3, 1]),
        'int16': ([30000, -32768, 7, -7, 1000], [30000, -1, 2, 3, 1000]),
    }
    for d, (p, q) in ints.items():
        a, b = T(p, d), T(q, d)
        for op in ('add', 'sub', 'mul', 'floor_divide', 'remainder', 'maximum', 'minimum', 'eq', 'lt'):
            c(f'int/{op}-{d}', op, a, b)
        c(f'int/neg-{d}', 'neg', a)
        c(f'int/abs-{d}', 'abs', a)
        c(f'int/pow-{d}', 'pow', T([3, 2, -2, 5, 7], d) if d != 'uint8' else T([3, 2, 4, 5, 7], d), 5)
    halves = {
        'float16': ([1.0, 60000.0, 0.1, -2.5, 1e-4, 3.0], [1e-3, 60000.0, 0.2, 2.5, 1e-4, 7.0]),
        'bfloat16': ([1.0, 3e38, 0.1, -2.5, 1e-30, 3.0], [1e-3, 3e38, 0.2, 2.5, 1e-30, 7.0]),
    }
    for d, (p, q) in halves.items():
        a, b = T(p, d), T(q, d)
        for op in ('add', 'sub', 'mul', 'div', 'maximum', 'eq', 'lt'):
            c(f'half/{op}-{d}', op, a, b)
        c(f'half/neg-{d}', 'neg', a)
        c(f'half/abs-{d}', 'abs', a)
        c(f'half/square-{d}', 'mul', b, b)
        x = T([0.5, -1.25, 2.0, 0.1, 3.3], d)
        xp = T([0.5, 1.25, 2.0, 0.1, 3.3], d)
        for op in ('exp', 'sin', 'tanh', 'sigmoid'):
            c(f'half/{op}-{d}', op, x, tol=(1e-2, 1e-3) if d == 'float16' else (1e-2, 1e-2))
        for op in ('log', 'sqrt'):
            c(f'half/{op}-{d}', op, xp, tol=(1e-2, 1e-3) if d == 'float16' else (1e-2, 1e-2))
        c(f'half/relu-{d}', 'relu', x)
        c(f'half/softmax-{d}', 'softmax', T([[0.5, -1.25, 2.0], [0.1, 3.3, 0.0]], d), 1, tol=(1e-2, 1e-3))
        c(f'half/where-{d}', 'where', T([True, False, True, False, True], 'bool'), T(p[:5], d), T(q[:5], d))

    # ---- reductions
    for d in NARROW:
        vals = [[1, 2, 3], [4, 5, 6]] if d in NARROW_INT else [[0.1, 0.25, 3.5], [100.0, -2.5, 0.3]]
        x = T(vals, d)
        tol = None if d in NARROW_INT else (1e-2, 1e-3)
        c(f'reduce/sum-{d}', 'sum', x, tol=tol)
        c(f'reduce/sum-dim-{d}', 'sum', x, 1, tol=tol)
        c(f'reduce/max-{d}', 'max', x)
        c(f'reduce/amin-dim-{d}', 'amin', x, 0)
        c(f'reduce/argmax-{d}', 'argmax', x, 1)
        c(f'reduce/prod-{d}', 'prod', x, 1, tol=tol)
        if d in HALF:
            c(f'reduce/mean-{d}', 'mean', x, tol=tol)
            c(f'reduce/mean-dim-{d}', 'mean', x, 0, tol=tol)
    c('reduce/sum-int8-overflowing', 'sum', T([100, 100, 100, -128], 'int8'))
    c('reduce/sum-uint8-large', 'sum', T([255] * 10, 'uint8'))
    c('reduce/sum-f16-beyond-half', 'sum', T([60000.0, 60000.0, -60000.0], 'float16'))
    c('reduce/sum-f16-dtype-f32', 'sum', T([60000.0, 60000.0], 'float16'), kw={'dtype': Dtype('float32')})
    for d in HALF:
        c(f'reduce/cumsum-{d}', 'cumsum', T([0.1, 1000.0, 0.3, -2.5, 3.0], d), 0)
        c(f'special/nan_to_num-{d}', 'nan_to_num', T([NAN, INF, -INF, 1.5], d), grad=False)
    c('reduce/cumsum-int8', 'cumsum', T([100, 100, 100], 'int8'), 0)
    c('reduce/mean-int8', 'mean', T([1, 2], 'int8'), err=('DTypeError', 'mean(): could not infer output dtype'))

    # ---- matmul: float32 accumulation, one rounding
    for d in HALF:
        a = T([[0.1, 0.2, 0.3], [1.5, -2.0, 0.7]], d)
        b = T([[1.0, 2.0], [0.5, -0.25], [3.0, 0.125]], d)
        c(f'matmul/{d}', 'matmul', a, b, tol=(1e-2, 1e-3))
        c(f'matmul/batched-{d}', 'matmul', T([[[0.5, 1.5], [2.0, -1.0]], [[0.25, 0.75], [1.0, 3.0]]], d), T([[1.0, 0.5], [-0.5, 2.0]], d), tol=(1e-2, 1e-3))

    # ---- gradients through half chains (the values of PyTorch's float16/bfloat16 gradients)
    for d in HALF:
        x = T([0.5, -1.25, 2.0, 0.1], d)
        y = T([1.5, 0.75, -0.5, 3.0], d)
        c(f'grad/mul-{d}', 'mul', x, y)
        c(f'grad/div-{d}', 'div', x, y)
        c(f'grad/square-sum-{d}', 'mul', x, x)
        c(f'grad/to-float32-{d}', 'Tensor.to', x, Dtype('float32'))
        c(f'grad/from-float32-{d}', 'Tensor.to', T([0.3, -1.7, 2.2], 'float32'), Dtype(d))
        c(f'grad/exp-{d}', 'exp', x, tol=(1e-2, 1e-3))
    # bfloat16's fused linear rounds once; graft's matmul and bias add round twice (within a bfloat16 ulp).
    c('grad/linear-bfloat16', 'F.linear', T([[0.5, -1.0, 2.0]], 'bfloat16'), T([[0.1, 0.2, 0.3], [1.0, -1.0, 0.5]], 'bfloat16'),
      T([0.5, -0.5], 'bfloat16'), tol=(1e-2, 1e-2))

    # ---- creation and errors
    for d in NARROW:
        c(f'create/zeros-{d}', 'zeros', 2, 3, kw={'dtype': Dtype(d)})
        c(f'create/ones-{d}', 'ones', 4, kw={'dtype': Dtype(d)})
        c(f'create/arange-{d}', 'arange', 5, kw={'dtype': Dtype(d)})
        c(f'create/full-{d}', 'full', [2], 7, kw={'dtype': Dtype(d)})
    c('create/arange-f16-fraction', 'arange', 0, 1, 0.1, kw={'dtype': Dtype('float16')})
    c('create/arange-bf16-fraction', 'arange', 0, 1, 0.25, kw={'dtype': Dtype('bfloat16')})
    c('err/requires-grad-int8', 'ones', 2, kw={'dtype': Dtype('int8'), 'requires_grad': True},
      err=('DTypeError', 'Only Tensors of floating point and complex dtype can require gradients'))
    c('err/requires-grad-uint8', 'zeros', 2, kw={'dtype': Dtype('uint8'), 'requires_grad': True},
      err=('DTypeError', 'Only Tensors of floating point and complex dtype can require gradients'))
    c('err/full-int8-overflow', 'full', [2], 300, kw={'dtype': Dtype('int8')}, err=('ValueError', 'cannot be converted to type int8'))
    return c
