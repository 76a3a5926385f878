"""Indexing: basic (int, negative, slices with steps, ellipsis, None), advanced (index tensors, lists, masks,
several index tensors together or separated by slices), writes (setitem, index_put_ with accumulate),
gather/scatter/scatter_add/index_select/masked_fill/masked_select/take/nonzero."""
import torch

from casekit import B, Catalog, I, R, Slice, T


def getitem(x, *items):
    # x[i] and x[(i,)] differ in PyTorch's error messages: index as the user writes it
    return x[items[0]] if len(items) == 1 else x[tuple(items)]


def setitem(x, items, value):
    x[tuple(items)] = value
    return x


def setitem_clone(x, items, value):
    y = x.clone()
    y[tuple(items)] = value
    return y


def index_put_clone(x, indices, values, **kw):
    return x.clone().index_put_(tuple(indices), values, **kw)


OPS = {
    'getitem': getitem,
    'setitem': setitem,
    'setitem_clone': setitem_clone,
    'index_put_clone': index_put_clone,
    'index_put': lambda x, indices, values, **kw: torch.index_put(x, tuple(indices), values, **kw),
    'Tensor.scatter_': lambda x, *a, **k: x.scatter_(*a, **k),
    'nonzero_tuple': lambda x: tuple(torch.nonzero(x, as_tuple=True)),
    'where_cond': lambda cond: tuple(torch.where(cond)),
    # index values computed lazily: graft checks them in the kernel
    'gather_lazy_index': lambda x, dim, idx, shift: torch.gather(x, dim, idx + shift),
    'getitem_lazy_index': lambda x, idx, shift: x[idx + shift],
}

S = Slice


def build():
    c = Catalog('indexing')
    x = R(3, 4, 5)
    m = R(4, 5)

    # basic
    c('get/int', 'getitem', x, 1)
    c('get/negative', 'getitem', x, -1)
    c('get/int-int', 'getitem', x, 2, -3)
    c('get/slice', 'getitem', x, S(1, 3))
    c('get/slice-negative', 'getitem', x, S(-2, None))
    c('get/slice-step', 'getitem', x, S(None, None, 2))
    c('get/slice-step-start', 'getitem', m, S(1, None, 2), S(None, None, 3))
    c('get/slice-past-end', 'getitem', x, S(1, 10))
    c('get/slice-empty', 'getitem', x, S(5, None))
    c('get/slice-reversed-empty', 'getitem', x, S(2, 1))
    c('get/colon-int', 'getitem', x, S(), 1)
    c('get/ellipsis', 'getitem', x, Ellipsis, 1)
    c('get/ellipsis-middle', 'getitem', x, 0, Ellipsis, S(None, None, 2))
    c('get/none', 'getitem', m, None)
    c('get/none-middle', 'getitem', m, S(), None, 1)
    c('get/none-ellipsis', 'getitem', x, Ellipsis, None)
    c('get/0d-int-tensor', 'getitem', m, I(2))
    c('get/out-of-range', 'getitem', x, 3, err=('IndexError', 'index 3 is out of bounds for dimension 0 with size 3'))
    c('get/negative-out-of-range', 'getitem', x, S(), -5, err=('IndexError', 'index -5 is out of bounds for dimension 1 with size 4'))
    c('get/too-many', 'getitem', m, 0, 0, 0, err=('IndexError', 'too many indices for tensor of dimension 2'))
    # (PyTorch 1.13 accepts x[..., 0, ...]; NumPy refuses it and so does graft: not a case)
    c('get/0d-int', 'getitem', T(2.5), 0, err=('IndexError', 'invalid index of a 0-dim tensor'))
    c('get/0d-int-tuple', 'getitem', T(2.5), 0, 0, err=('IndexError', 'too many indices for tensor of dimension 0'))
    c('get/negative-step', 'getitem', m, S(None, None, -1), err=('ValueError', 'step must be greater than zero'))

    # advanced
    c('adv/list', 'getitem', x, [0, 2])
    c('adv/tensor', 'getitem', x, I([2, -1, 0]))
    c('adv/repeated', 'getitem', m, I([1, 1, 3, 1]))
    c('adv/2d-index', 'getitem', m, I([[0, 1], [3, 3]]))
    c('adv/second-dim', 'getitem', x, S(), I([0, 3]))
    c('adv/two-adjacent', 'getitem', x, I([0, 1, 2]), I([1, 0, 3]))
    c('adv/two-broadcast', 'getitem', x, I([[0], [2]]), I([1, 3]))
    c('adv/adjacent-after-slice', 'getitem', x, S(), I([0, 1]), I([4, 2]))
    c('adv/separated', 'getitem', x, I([0, 2]), S(), I([1, 4]))
    c('adv/int-and-tensor', 'getitem', x, 1, I([0, 2]))
    c('adv/int-separated', 'getitem', x, 1, S(), I([0, 2]))
    c('adv/tensor-int-separated', 'getitem', x, I([0, 2]), S(), 3)
    c('adv/slice-then-tensor', 'getitem', x, S(1, None), I([0, 2]), S(None, None, 2))
    c('adv/ellipsis-tensor', 'getitem', x, Ellipsis, I([0, 4]))
    c('adv/none-tensor', 'getitem', m, None, I([1, 2]))
    c('adv/all-three', 'getitem', x, I([0, 1]), I([1, 2]), I([2, 3]))
    c('adv/empty-index', 'getitem', m, T([], 'int64', shape=(0,)))
    c('adv/out-of-range', 'getitem', x, I([0, 3]), err=('IndexError', 'index 3 is out of bounds for dimension 0 with size 3'))
    c('adv/out-of-range-dim1', 'getitem', x, S(), I([-5]), err=('IndexError', 'index -5 is out of bounds for dimension'))
    c('adv/float-index', 'getitem', m, T([0.0, 1.0]), err=('IndexError', 'tensors used as indices must be long'))
    c('adv/mismatched', 'getitem', x, I([0, 1]), I([0, 1, 2]), err=('IndexError', 'shape mismatch: indexing tensors could not be broadcast together with shapes [2], [3]'))

    # masks
    c('mask/full', 'getitem', m, B((_mask(4, 5, 1))))
    c('mask/rows', 'getitem', x, B([True, False, True]))
    c('mask/cols', 'getitem', x, S(), B([False, True, True, False]))
    c('mask/2d-of-3d', 'getitem', x, B(_mask(3, 4, 2)))
    c('mask/none-true', 'getitem', m, B([False] * 4))
    c('mask/and-index', 'getitem', x, B([True, False, True]), I([1, 3]))
    c('mask/wrong-shape', 'getitem', m, B([True, False]), err=('IndexError', 'The shape of the mask [2] at index 0 does not match the shape of the indexed tensor [4, 5] at index 0'))
    c('mask/python-bool', 'getitem', m, True)

    # writes: setitem (in place on a plain tensor) and through a clone (gradients for both sides)
    for op in ('setitem', 'setitem_clone'):
        g = op == 'setitem_clone'
        base = R(4, 5, grad=g)
        c(f'{op}/int-scalar', op, base, [1], 2.5, grad=g, mutates=not g)
        c(f'{op}/slice-tensor', op, base, [S(), S(1, 3)], R(4, 2, grad=g), grad=g, mutates=not g)
        c(f'{op}/step-broadcast', op, base, [S(None, None, 2)], R(5, grad=g), grad=g, mutates=not g)
        c(f'{op}/ellipsis-col', op, base, [Ellipsis, -1], R(4, grad=g), grad=g, mutates=not g)
        c(f'{op}/mask', op, base, [B(_mask(4, 5, 3))], 0.0, grad=g, mutates=not g)
        c(f'{op}/index', op, base, [I([0, 2])], R(2, 5, grad=g), grad=g, mutates=not g)
        c(f'{op}/two-index', op, base, [I([0, 3, 1]), I([4, 0, 2])], R(3, grad=g), grad=g, mutates=not g)
        c(f'{op}/index-col', op, base, [S(), I([1, 3])], R(4, 2, grad=g), grad=g, mutates=not g)
    c('setitem/int-into-int', 'setitem', I([[1, 2], [3, 4]]), [0], 7, grad=False, mutates=True)
    c('setitem/float-into-int', 'setitem', I([1, 2, 3]), [1], 2.7, grad=False, mutates=True)
    c('setitem/bad-shape', 'setitem', R(4, 5), [0], R(4), grad=False, err=('ShapeError', 'must match the existing size (4)'))
    c('setitem/duplicates-last-wins', 'setitem', R(5), [I([1, 1, 3])], T([1.0, 2.0, 3.0]), grad=False, mutates=True)

    # index_put_ with accumulate (duplicates add up)
    c('index_put_/accumulate', 'Tensor.index_put_', R(5), [I([0, 2, 0, 4, 0])], T([1.0, 2.0, 3.0, 4.0, 5.0]), kw={'accumulate': True}, grad=False, mutates=True)
    c('index_put_/accumulate-2d', 'Tensor.index_put_', R(3, 4), [I([0, 2, 0]), I([1, 3, 1])], T([1.0, 2.0, 3.0]), kw={'accumulate': True}, grad=False, mutates=True)
    c('index_put_/rows-accumulate', 'Tensor.index_put_', R(3, 4), [I([1, 1])], R(2, 4), kw={'accumulate': True}, grad=False, mutates=True)
    c('index_put_/scalar-value', 'Tensor.index_put_', R(3, 4), [I([2, 0])], T(9.5), grad=False, mutates=True)
    c('index_put_/bool-mask', 'Tensor.index_put_', R(2, 3), [B([[True, False, True], [False, False, True]])], T(0.0), grad=False, mutates=True)
    c('index_put/out-of-place', 'index_put', R(3, 4), [I([0, 2]), I([1, 1])], T([5.0, 6.0]), grad=False)
    c('index_put/grad-accumulate', 'index_put_clone', R(3, 4), [I([0, 2, 0]), I([1, 3, 1])], R(3), kw={'accumulate': True})
    c('index_put/grad', 'index_put_clone', R(3, 4), [I([0, 2]), I([1, 3])], R(2))
    c('index_put_/out-of-range', 'Tensor.index_put_', R(3, 4), [I([0, 3])], T(1.0), grad=False, err=('IndexError', 'index 3 is out of bounds for dimension 0 with size 3'))

    # gather / scatter / scatter_add / index_select / take
    src = R(3, 4)
    c('gather/dim0', 'gather', src, 0, I([[0, 1, 2, 0], [2, 2, 1, 0]]))
    c('gather/dim1', 'gather', src, 1, I([[3, 0], [1, 1], [0, 2]]))
    c('gather/negative-dim', 'gather', src, -1, I([[0], [3], [2]]))
    c('gather/repeated', 'gather', src, 1, I([[1, 1, 1], [0, 0, 0], [3, 3, 2]]))
    c('gather/out-of-range', 'gather', src, 1, I([[4]]), err=('IndexError', 'index 4 is out of bounds for dimension 1 with size 4'))
    c('gather/negative-index', 'gather', src, 1, I([[-1]]), err=('IndexError', 'index -1 is out of bounds for dimension 1 with size 4'))
    c('gather/lazy-index', 'gather_lazy_index', src, 1, I([[0, 1], [2, 0], [1, 1]]), 1)
    c('gather/lazy-index-out-of-range', 'gather_lazy_index', src, 1, I([[0, 1], [2, 0], [1, 1]]), 2, err=('IndexError', 'index 4 is out of bounds for dimension 1 with size 4'))
    c('get/lazy-index-out-of-range', 'getitem_lazy_index', src, I([0, 2]), 2, err=('IndexError', 'index 4 is out of bounds for dimension 0 with size 3'))
    c('gather/float-index', 'gather', src, 1, T([[0.0]]), err=('DTypeError', 'gather(): Expected dtype int'))  # graft: int32 (its long)
    c('scatter/src', 'scatter', R(3, 5), 1, I([[0, 2], [4, 1], [3, 3]]), R(3, 2))
    c('scatter/value', 'scatter', R(3, 5), 0, I([[0, 1, 2, 0, 1]]), 1.5)
    c('scatter/dim0', 'scatter', R(3, 4), 0, I([[2, 0, 1, 2], [0, 1, 2, 1]]), R(2, 4))
    c('scatter_/inplace', 'Tensor.scatter_', R(2, 4), 1, I([[3, 0], [1, 2]]), R(2, 2), grad=False, mutates=True)
    c('scatter_add/duplicates', 'scatter_add', R(2, 5), 1, I([[0, 0, 3, 0], [4, 1, 1, 1]]), R(2, 4))
    c('scatter_add/dim0', 'scatter_add', R(3, 3), 0, I([[0, 1, 0], [0, 2, 2], [1, 1, 0]]), R(3, 3))
    # (PyTorch 1.13's backward fails here: 'ScatterAddBackward0 returned an invalid gradient')
    c('scatter_add/smaller-src', 'scatter_add', R(4, 3), 0, I([[1, 2], [3, 1]]), R(3, 3), grad=False)
    c('scatter_add/out-of-range', 'scatter_add', R(2, 3), 1, I([[3]]), R(1, 1), err=('IndexError', 'index 3 is out of bounds for dimension 1 with size 3'))
    c('index_select/dim0', 'index_select', src, 0, I([2, 0, 2]))
    c('index_select/dim1', 'index_select', src, 1, I([3, 1]))
    c('index_select/negative-dim', 'index_select', R(2, 3, 4), -1, I([0, 0, 3]))
    c('index_select/out-of-range', 'index_select', src, 0, I([3]), err=('IndexError', 'index out of range in self'))
    c('index_select/2d-index', 'index_select', src, 0, I([[0, 1]]), err=('ShapeError', 'index_select(): Index is supposed to be a vector'))
    c('take/basic', 'take', src, I([0, 11, 5, 5]))
    c('take/negative', 'take', src, I([[-1, -12], [3, 4]]))
    c('take/out-of-range', 'take', src, I([12]), err=('IndexError', 'out of range: tried to access index 12 on a tensor of 12 elements'))

    # masked ops and nonzero
    mask = B(_mask(3, 4, 4))
    c('masked_fill/scalar', 'masked_fill', src, mask, -1.5)
    c('masked_fill/0d-tensor', 'masked_fill', src, mask, T(2.25))
    c('masked_fill/broadcast-mask', 'masked_fill', src, B([True, False, False, True]), 0.0)
    c('masked_fill/int', 'masked_fill', I([[1, 2], [3, 4]]), B([[True, False], [False, True]]), 9)
    c('masked_fill/inf', 'masked_fill', src, mask, float('-inf'))
    c('masked_select/basic', 'masked_select', src, mask)
    c('masked_select/broadcast', 'masked_select', src, B([False, True, True, False]))
    c('masked_select/none', 'masked_select', src, B([[False] * 4] * 3))
    c('nonzero/2d', 'nonzero', T([[0.0, 1.5, 0.0], [2.0, 0.0, -1.0]]))
    c('nonzero/bool', 'nonzero', mask)
    c('nonzero/int-1d', 'nonzero', I([0, 3, 0, -2]))
    c('nonzero/none', 'nonzero', T([0.0, 0.0]))
    c('nonzero/0d', 'nonzero', T(2.0))
    c('nonzero/as-tuple', 'nonzero_tuple', T([[0.0, 1.5, 0.0], [2.0, 0.0, -1.0]]))
    c('where/cond-only', 'where_cond', mask)
    return c


def _mask(rows, cols, seed):
    import numpy as np
    r = np.random.default_rng(seed)
    return (r.uniform(size=(rows, cols)) < 0.5).tolist()
