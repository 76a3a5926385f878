"""Movement: views (view/reshape/permute/transpose/expand/squeeze/...), copies (flip/repeat/roll/cat/...), F.pad."""
import torch

from casekit import B, Catalog, I, R, T

OPS = {
    'pad': lambda x, *a, **k: torch.nn.functional.pad(x, *a, **k),
    'split': lambda x, *a, **k: tuple(torch.split(x, *a, **k)),
    'view_noncontiguous': lambda x, *shape: x.t().view(*shape),
    'reshape_noncontiguous': lambda x, *shape: x.t().reshape(*shape),
    'contiguous_transposed': lambda x: x.t().contiguous(),
    'inplace_through_transpose': lambda x: (x.t().mul_(2), x)[1],
    'inplace_through_step_slice': lambda x: (x[::2].zero_(), x)[1],
    'inplace_through_select': lambda x: (x[:, 1].add_(torch.tensor([1.5, 2.5, 3.5])), x)[1],
    'inplace_into_expanded': lambda x: x.expand(3, 4).add_(1),
    'view_then_inplace_base': lambda x: (lambda v: (x.mul_(3), v)[1])(x.view(-1)),
}


def build():
    c = Catalog('movement')
    x = R(2, 3, 4)
    m = R(3, 4)
    v = R(4)

    c('view/flat', 'Tensor.view', x, -1)
    c('view/infer', 'Tensor.view', x, 3, -1)
    c('view/list', 'Tensor.view', x, [4, 6])
    c('view/scalar', 'Tensor.view', T([2.5]), [])
    c('view/noncontiguous', 'view_noncontiguous', m, -1, err=('ShapeError', "view size is not compatible with input tensor's size and stride"))
    c('view/bad-size', 'Tensor.view', x, 5, -1, err=('ShapeError', "shape '[5, -1]' is invalid for input of size 24"))
    c('view/two-infer', 'Tensor.view', x, -1, -1, err=('ShapeError', 'only one dimension can be inferred'))
    c('reshape/basic', 'reshape', x, [6, 4])
    c('reshape/infer', 'reshape', x, [-1, 2])
    c('reshape/noncontiguous', 'reshape_noncontiguous', m, 2, 6)
    c('reshape/bad-size', 'reshape', m, [4, 4], err=('ShapeError', "shape '[4, 4]' is invalid for input of size 12"))
    c('reshape/empty', 'reshape', T([], shape=(0, 3)), [3, 0])
    c('reshape/empty-infer', 'reshape', T([], shape=(0, 3)), [3, 0, -1], err=('ShapeError', 'the unspecified dimension size -1 can be any value and is ambiguous'))
    c('contiguous/transposed', 'contiguous_transposed', m)
    c('permute/basic', 'permute', x, [2, 0, 1])
    c('permute/negative', 'permute', x, [-1, -3, -2])
    c('permute/wrong-length', 'permute', x, [1, 0], err=('ShapeError', 'number of dimensions in the tensor input does not match the length of the desired ordering of dimensions'))
    c('permute/repeated', 'permute', x, [0, 0, 1], err=('ShapeError', 'duplicate dims are not allowed'))
    c('transpose/basic', 'transpose', x, 0, 2)
    c('transpose/negative', 'transpose', x, -1, -2)
    c('t/matrix', 't', m)
    c('t/vector', 't', v)
    c('t/3d', 't', x, err=('ShapeError', 't() expects a tensor with <= 2 dimensions, but self is 3D'))
    c('movedim/basic', 'movedim', x, 0, 2)
    c('movedim/lists', 'movedim', x, [0, 1], [2, 0])
    c('expand/basic', 'Tensor.expand', R(3, 1), 3, 4)
    c('expand/new-dims', 'Tensor.expand', v, 2, 3, 4)
    c('expand/minus-one', 'Tensor.expand', R(1, 4), 3, -1)
    c('expand/bad', 'Tensor.expand', R(3), 2, 4, err=('ShapeError', 'The expanded size of the tensor (4) must match the existing size (3) at non-singleton dimension 1'))
    c('expand_as/basic', 'Tensor.expand_as', R(1, 4), m)
    c('squeeze/all', 'squeeze', R(1, 3, 1, 2))
    c('squeeze/dim', 'squeeze', R(1, 3, 1, 2), 2)
    c('squeeze/dim-not-one', 'squeeze', R(1, 3, 1, 2), 1)
    c('squeeze/negative', 'squeeze', R(1, 3, 1), -1)
    c('squeeze/out-of-range', 'squeeze', R(1, 3), 2, err=('IndexError', 'Dimension out of range (expected to be in range of [-2, 1], but got 2)'))
    c('unsqueeze/front', 'unsqueeze', m, 0)
    c('unsqueeze/end', 'unsqueeze', m, -1)
    c('unsqueeze/middle', 'unsqueeze', m, 1)
    c('unsqueeze/out-of-range', 'unsqueeze', m, 3, err=('IndexError', 'Dimension out of range (expected to be in range of [-3, 2], but got 3)'))
    c('flatten/all', 'flatten', x)
    c('flatten/start', 'flatten', x, 1)
    c('flatten/range', 'flatten', R(2, 3, 4, 2), kw={'start_dim': 1, 'end_dim': 2})
    c('flatten/0d', 'flatten', T(1.5))
    c('unflatten/basic', 'unflatten', x, 2, [2, 2])
    c('unflatten/infer', 'unflatten', x, 1, [-1, 1])
    c('unflatten/bad', 'unflatten', x, 2, [3, 2], err=('ShapeError', "don't multiply up to the size of dim 2 (4) in the input tensor"))

    # in-place writes through views reach the base; the base's writes show through its views
    c('inplace/through-transpose', 'inplace_through_transpose', R(2, 3), grad=False)
    c('inplace/through-step-slice', 'inplace_through_step_slice', R(5, 2), grad=False)
    c('inplace/through-select', 'inplace_through_select', R(3, 4), grad=False)
    c('inplace/view-sees-base', 'view_then_inplace_base', R(2, 3), grad=False)
    c('inplace/into-expanded', 'inplace_into_expanded', R(1, 4), grad=False,
      err=('ValueError', 'more than one element of the written-to tensor refers to a single memory location'))

    # copies: flip, repeat, tile, roll, tril/triu
    c('flip/one', 'flip', x, [0])
    c('flip/two', 'flip', x, [0, 2])
    c('flip/negative', 'flip', x, [-1])
    c('fliplr/basic', 'fliplr', m)
    c('flipud/basic', 'flipud', m)
    c('repeat/basic', 'Tensor.repeat', R(2, 3), 2, 1)
    c('repeat/new-dims', 'Tensor.repeat', v, 2, 1, 2)
    c('repeat/zero', 'Tensor.repeat', R(2, 3), 0, 2)
    c('repeat/too-few', 'Tensor.repeat', m, 2, err=('ShapeError', 'Number of dimensions of repeat dims can not be smaller than number of dimensions of tensor'))
    c('tile/fewer', 'tile', m, [2])
    c('tile/more', 'tile', v, [2, 1, 2])
    c('roll/flat', 'roll', m, 5)
    c('roll/dim', 'roll', m, -1, 1)
    c('roll/dims', 'roll', x, kw={'shifts': [1, -2], 'dims': [0, 2]})
    c('roll/big-shift', 'roll', m, 7, 0)
    for d in (0, 1, -1, 2, -3):
        c(f'tril/diagonal={d}', 'tril', m, d)
        c(f'triu/diagonal={d}', 'triu', m, d)
    c('tril/batched', 'tril', x)
    c('triu/kw', 'triu', m, kw={'diagonal': 1})
    c('tril/int', 'tril', I([[1, 2, 3], [4, 5, 6]]))

    # joining and splitting
    a, b = R(2, 3), R(2, 3)
    c('cat/dim0', 'cat', [a, R(1, 3)])
    c('cat/dim1', 'cat', [a, R(2, 2), b], 1)
    c('cat/negative', 'cat', [a, b], -1)
    c('cat/kw', 'cat', [a, b], kw={'dim': 1})
    c('cat/promote', 'cat', [a, I([[1, 2, 3]])])
    c('cat/int-bool', 'cat', [I([1, 2]), B([True, False])])
    c('cat/legacy-empty', 'cat', [a, T([], shape=(0,))])
    c('cat/mismatch', 'cat', [a, R(3, 2)], err=('ShapeError', 'Sizes of tensors must match except in dimension 0. Expected size 3 but got size 2 for tensor number 1 in the list.'))
    c('cat/rank-mismatch', 'cat', [a, R(3)], err=('ShapeError', 'Tensors must have same number of dimensions: got 2 and 1'))
    c('cat/empty-list', 'cat', [], err=('ValueError', 'expected a non-empty list of Tensors'))
    c('stack/empty-list', 'stack', [], err=('ValueError', 'stack expects a non-empty TensorList'))
    c('stack/dim0', 'stack', [a, b])
    c('stack/dim2', 'stack', [a, b, R(2, 3)], 2)
    c('stack/negative', 'stack', [a, b], -1)
    c('stack/mismatch', 'stack', [a, R(3, 2)], err=('ShapeError', 'stack expects each tensor to be equal size, but got [2, 3] at entry 0 and [3, 2] at entry 1'))
    c('hstack/matrices', 'hstack', [a, b])
    c('hstack/vectors', 'hstack', [v, R(2)])
    c('vstack/vectors', 'vstack', [R(3), R(3)])
    c('split/even', 'split', R(6, 2), 2)
    c('split/uneven', 'split', R(5, 2), 2)
    c('split/sizes', 'split', R(2, 6), [1, 2, 3], 1)
    c('split/kw', 'split', R(2, 5), 2, kw={'dim': 1})
    c('split/bad-sizes', 'split', R(2, 6), [1, 2], 1, err=('ValueError', 'split_with_sizes expects split_sizes to sum exactly to 6 (input tensor\'s size at dimension 1), but got split_sizes=[1, 2]'))
    c('chunk/even', 'chunk', R(6, 2), 3)
    c('chunk/uneven', 'chunk', R(5, 2), 3)
    c('chunk/fewer', 'chunk', R(6, 2), 4)
    c('chunk/dim', 'chunk', R(2, 7), 3, 1)
    c('unbind/dim0', 'unbind', m)
    c('unbind/dim1', 'unbind', m, 1)
    c('narrow/basic', 'narrow', m, 1, 1, 2)
    c('narrow/negative-start', 'narrow', m, 0, -2, 2)
    c('narrow/out-of-range', 'narrow', m, 1, 3, 2, err=('IndexError', 'start (3) + length (2) exceeds dimension size (4).'))
    c('select/basic', 'select', x, 1, 2)
    c('select/negative', 'select', x, -1, -1)
    c('select/out-of-range', 'select', x, 1, 3, err=('IndexError', 'select(): index 3 out of range for tensor of size [2, 3, 4] at dimension 1'))

    # F.pad, every mode
    img = R(1, 2, 3, 4)
    seq = R(2, 3, 5)
    c('pad/constant-1d', 'pad', seq, [1, 2])
    c('pad/constant-value', 'pad', seq, [2, 0], kw={'value': 1.5})
    c('pad/constant-2d', 'pad', img, [1, 0, 2, 1])
    c('pad/constant-3-dims', 'pad', seq, [1, 1, 0, 2, 1, 0])
    c('pad/constant-negative', 'pad', img, [-1, 1, 0, -1])
    for mode in ('reflect', 'replicate', 'circular'):
        c(f'pad/{mode}-1d', 'pad', seq, [2, 1], kw={'mode': mode})
        c(f'pad/{mode}-2d', 'pad', img, [1, 2, 2, 1], kw={'mode': mode})
    c('pad/reflect-too-large', 'pad', seq, [5, 1], kw={'mode': 'reflect'}, err=('ValueError', 'Padding size should be less than the corresponding input dimension'))
    c('pad/odd-length', 'pad', seq, [1, 2, 3], err=('ValueError', 'Padding length must be divisible by 2'))
    return c
