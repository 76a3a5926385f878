"""
The case language of the conformance fixtures, and the runner that evaluates a case in PyTorch.

A case names an op (a key shared with test/conformance/ops.ts), positional arguments and keyword arguments.
Tensor arguments are `T` specs (values written out or drawn from a seeded RNG, stored in the fixture).
The runner calls the op in PyTorch and records what graft must reproduce: the outputs (values, shape, dtype),
the gradients of sum(out_k * w_k) with a fixed random w_k per float output, optionally second derivatives,
grad_fn names, the inputs' values after the op (in-place ops), or the exception (class and message).

Tensors are recorded with their dtype (every dtype graft stores: float16/bfloat16 values exactly, as the
decimal of the double they are).
"""
import math
import zlib

import numpy as np
import torch

# ---------------------------------------------------------------------------------------------------------
# Inputs

_rng = np.random.default_rng(0)


def reseed(name):
    """A fresh RNG per category, so adding a case to one fixture does not change the inputs of another."""
    global _rng
    _rng = np.random.default_rng(zlib.crc32(name.encode()))


class T:
    """A tensor argument. grad=None: requires grad when float and the case computes gradients."""

    def __init__(self, values, dtype='float32', grad=None, shape=None):
        arr = np.asarray(values, dtype=np.float64 if dtype in FLOATS else None)
        if shape is not None:
            arr = arr.reshape(shape)
        self.values = arr
        self.dtype = dtype
        self.grad = grad

    @property
    def shape(self):
        return list(self.values.shape)


def R(*shape, lo=-2.0, hi=2.0, dtype='float32', grad=None, decimals=3):
    """Uniform floats, rounded to `decimals` places (exact decimal text in the fixture)."""
    return T(np.round(_rng.uniform(lo, hi, size=shape), decimals), dtype, grad)


def RP(*shape, lo=0.1, hi=2.0, **kw):
    """Positive floats."""
    return R(*shape, lo=lo, hi=hi, **kw)


def RN(*shape, dtype='float32', grad=None):
    """Standard normal floats, 3 decimals."""
    return T(np.round(_rng.standard_normal(size=shape), 3), dtype, grad)


def RI(*shape, lo=-5, hi=6):
    """Integers in [lo, hi)."""
    return T(_rng.integers(lo, hi, size=shape), 'int64')


def RB(*shape, p=0.5):
    """Booleans."""
    return T(_rng.uniform(size=shape) < p, 'bool')


def I(values):
    return T(values, 'int64')


def B(values):
    return T(values, 'bool')


def F64(values, grad=None):
    return T(values, 'float64', grad)


class Slice:
    """A Python slice in an index (graft: the string 'start:stop:step')."""

    def __init__(self, start=None, stop=None, step=None):
        self.s = slice(start, stop, step)


class Dtype:
    def __init__(self, name):
        self.name = name


TORCH_DTYPE = {'float32': torch.float32, 'float64': torch.float64, 'int32': torch.int32, 'int64': torch.int64, 'bool': torch.bool,
               'float16': torch.float16, 'bfloat16': torch.bfloat16, 'uint8': torch.uint8, 'int8': torch.int8, 'int16': torch.int16}
FLOATS = ('float32', 'float64', 'float16', 'bfloat16')
INT_BITS = {'int32': 32, 'int64': 64, 'int16': 16, 'int8': 8}


# ---------------------------------------------------------------------------------------------------------
# Cases

class Case:
    def __init__(self, id, op, args, kw, grad, err, tol, gtol, order2, mutates, note, text):
        self.id, self.op, self.args, self.kw = id, op, list(args), dict(kw or {})
        self.grad, self.err, self.tol, self.gtol = grad, err, tol, gtol
        self.order2, self.mutates, self.note, self.text = order2, mutates, note, text


class Catalog:
    """The cases of one fixture file."""

    def __init__(self, name):
        self.name = name
        self.cases = []
        self.ids = set()
        reseed(name)

    def __call__(self, id, op, *args, kw=None, grad=True, err=None, tol=None, gtol=None, order2=False, mutates=False, note=None,
                 text=False):
        """
        Add a case. err=(graft error class, substring of PyTorch's message that graft's must contain too).
        tol/gtol=(rtol, atol) for values/gradients when the default (float32 1e-5/1e-6) is too tight.
        text=True records str(output) (printing cases).
        """
        if id in self.ids:
            raise ValueError(f'duplicate case id {id}')
        self.ids.add(id)
        self.cases.append(Case(id, op, args, kw, grad, err, tol, gtol, order2, mutates, note, text))


# ---------------------------------------------------------------------------------------------------------
# Encoding

def enc_number(v, dtype, digits=None):
    if dtype == 'bool':
        return 1 if v else 0
    if dtype == 'uint8':
        v = int(v)
        if not 0 <= v < 256:
            raise ValueError(f'value {v} does not fit uint8')
        return v
    if dtype in INT_BITS:
        v = int(v)
        bits = INT_BITS[dtype]
        if not -2**(bits - 1) <= v < 2**(bits - 1):
            raise ValueError(f'value {v} does not fit {dtype}')
        return v
    v = float(v)
    if math.isnan(v):
        return 'nan'
    if math.isinf(v):
        return 'inf' if v > 0 else '-inf'
    if digits is not None:
        return float(f'{v:.{digits}g}')
    if dtype == 'float32':
        # numpy's float32 repr is the shortest decimal that reads back as the same float32.
        return float(repr(np.float32(v)))
    return v


# Results are compared with a relative tolerance of 1e-5 at best (float32) and 1e-10 (float64): 7 and 15
# significant digits keep the fixtures small without changing what a comparison can see.
RESULT_DIGITS = {'float32': 7, 'float64': 15}


def dtype_name(t):
    return {v: k for k, v in TORCH_DTYPE.items()}[t.dtype]


def enc_tensor(t):
    t = t.detach()
    dt = dtype_name(t)
    flat = t.reshape(-1).tolist()
    return {'shape': list(t.shape), 'dtype': dt, 'values': [enc_number(v, dt, RESULT_DIGITS.get(dt)) for v in flat]}


def enc_input(spec):
    flat = spec.values.reshape(-1).tolist()
    if spec.dtype in ('float16', 'bfloat16'):
        # The values the tensor holds (exact decimals of half values): both sides start from the same bits.
        flat = torch.tensor(flat, dtype=TORCH_DTYPE[spec.dtype]).tolist()
    return {'shape': spec.shape, 'dtype': spec.dtype, 'values': [enc_number(v, spec.dtype) for v in flat]}


INTEGRAL_FLOATS = set()
_current_case = [None]


def enc_arg(a, inputs):
    """JSON form of an argument; T specs become {"$t": index} into `inputs`."""
    if isinstance(a, T):
        for i, s in enumerate(inputs):
            if s is a:
                return {'$t': i}
        inputs.append(a)
        return {'$t': len(inputs) - 1}
    if isinstance(a, Slice):
        return {'$slice': [a.s.start, a.s.stop, a.s.step]}
    if a is Ellipsis:
        return {'$ellipsis': True}
    if isinstance(a, Dtype):
        return {'$dtype': a.name}
    if isinstance(a, bool) or a is None or isinstance(a, str):
        return a
    if isinstance(a, int):
        return a
    if isinstance(a, float):
        if a.is_integer():
            # JS has one number type: graft reads 2.0 as the int 2. Fine where the other operand decides the
            # dtype; listed so that a case relying on a float scalar's type is noticed.
            INTEGRAL_FLOATS.add(_current_case[0])
        if math.isnan(a) or math.isinf(a):
            return {'$f': 'nan' if math.isnan(a) else ('inf' if a > 0 else '-inf')}
        return a
    if isinstance(a, (list, tuple)):
        return [enc_arg(x, inputs) for x in a]
    if isinstance(a, dict):
        return {k: enc_arg(v, inputs) for k, v in a.items()}
    raise TypeError(f'cannot encode argument {a!r}')


def dec_arg(a, tensors):
    """The PyTorch value of an argument (the inverse of enc_arg, with tensors made)."""
    if isinstance(a, T):
        return tensors[id(a)]
    if isinstance(a, Slice):
        return a.s
    if isinstance(a, Dtype):
        return TORCH_DTYPE[a.name]
    if isinstance(a, list):
        return [dec_arg(x, tensors) for x in a]
    if isinstance(a, tuple):
        return tuple(dec_arg(x, tensors) for x in a)
    if isinstance(a, dict):
        return {k: dec_arg(v, tensors) for k, v in a.items()}
    return a


def make_tensor(spec, case_grad):
    t = torch.tensor(spec.values, dtype=TORCH_DTYPE[spec.dtype])
    float_input = spec.dtype in FLOATS
    wants = spec.grad if spec.grad is not None else case_grad
    if wants and float_input:
        t.requires_grad_(True)
    return t


def outputs_of(out):
    """A list of tensors, and whether the op returned several."""
    if isinstance(out, torch.Tensor):
        return [out], False
    if isinstance(out, (tuple, list)):
        return list(out), True
    raise TypeError(f'unexpected output {type(out)}')


def seed_like(t):
    """A fixed random weight for sum(out * w): nonzero, two decimals, exactly the same text on both sides."""
    mag = np.round(_rng.uniform(0.1, 1.0, size=t.shape), 2)
    sign = np.where(_rng.uniform(size=t.shape) < 0.5, -1.0, 1.0)
    return torch.tensor(mag * sign, dtype=t.dtype)


# ---------------------------------------------------------------------------------------------------------
# Running a case

def run(case, ops):
    """Evaluate one case in PyTorch and return its JSON record."""
    specs = []
    _current_case[0] = case.id
    args_json = enc_arg(case.args, specs)
    kw_json = enc_arg(case.kw, specs)
    tensors = {id(s): make_tensor(s, case.grad) for s in specs}
    args = dec_arg(case.args, tensors)
    kw = dec_arg(case.kw, tensors)
    rec = {'id': case.id, 'op': case.op, 'args': args_json}
    if kw_json:
        rec['kw'] = kw_json
    rec['inputs'] = [dict(enc_input(s), **({'grad': True} if tensors[id(s)].requires_grad else {})) for s in specs]
    if case.note:
        rec['note'] = case.note
    try:
        return _finish(case, ops, rec, specs, tensors, args, kw)
    except Exception as e:
        raise RuntimeError(f'case {case.id}: {type(e).__name__}: {e}') from e


def _finish(case, ops, rec, specs, tensors, args, kw):
    fn = ops(case.op)
    try:
        out = fn(*args, **kw)
    except Exception as e:  # noqa: BLE001 - the exception is the expected result
        if case.err is None:
            raise RuntimeError(f'{case.id}: PyTorch raised {type(e).__name__}: {e}') from e
        cls, match = case.err
        msg = str(e)
        if match not in msg:
            raise RuntimeError(f'{case.id}: PyTorch message {msg!r} does not contain {match!r}') from e
        rec['error'] = {'torch': type(e).__name__, 'graft': cls, 'match': match, 'message': msg.split('\n')[0][:300]}
        return rec
    if case.err is not None:
        raise RuntimeError(f'{case.id}: expected an error, PyTorch returned {out!r}')
    outs, multi = outputs_of(out)
    rec['out'] = [enc_tensor(o) for o in outs]
    if case.text:
        # Printing cases: the text is the result (the values are in it); shapes and dtypes stay.
        rec['text'] = str(out)
        for o in rec['out']:
            del o['values']
    if multi:
        rec['multi'] = True
    if case.tol:
        rec['tol'] = list(case.tol)
    if case.gtol:
        rec['gtol'] = list(case.gtol)
    # name() of C++-only nodes is qualified ('torch::autograd::CopySlices'); tensors print them as <CopySlices>,
    # which is the name graft's gradFn carries.
    names = [o.grad_fn.name().replace('torch::autograd::', '') if o.grad_fn is not None else None for o in outs]
    if any(n is not None for n in names):
        rec['gradFn'] = names
    if case.mutates:
        rec['after'] = [enc_tensor(tensors[id(s)]) for s in specs]
    grad_inputs = [tensors[id(s)] for s in specs if tensors[id(s)].requires_grad]
    if case.grad and grad_inputs and any(o.requires_grad for o in outs):
        ws = [seed_like(o) if o.requires_grad and o.is_floating_point() else None for o in outs]
        loss = sum((o * w).sum() for o, w in zip(outs, ws) if w is not None)
        grads = torch.autograd.grad(loss, grad_inputs, allow_unused=True, create_graph=case.order2)
        rec['w'] = [None if w is None else [enc_number(v, dtype_name(w)) for v in w.reshape(-1).tolist()] for w in ws]
        rec['grads'] = [None if g is None else enc_tensor(g) for g in grads]
        if case.order2:
            used = [(g, x) for g, x in zip(grads, grad_inputs) if g is not None and g.requires_grad]
            vs = [seed_like(g) for g, _ in used]
            loss2 = sum((g * v).sum() for (g, _), v in zip(used, vs))
            grads2 = torch.autograd.grad(loss2, grad_inputs, allow_unused=True)
            rec['v'] = [None if g is None or not g.requires_grad else None for g in grads]
            k = 0
            for i, g in enumerate(grads):
                if g is not None and g.requires_grad:
                    rec['v'][i] = [enc_number(x, dtype_name(vs[k])) for x in vs[k].reshape(-1).tolist()]
                    k += 1
            rec['grads2'] = [None if g is None else enc_tensor(g) for g in grads2]
    return rec
