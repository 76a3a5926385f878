"""Tensor ops of issue 14 (part 2): sorting (sort, argsort, msort, topk, unique), einsum, and the others listed
in docs/design.md's "Sorting, einsum and other ops" section."""
import torch

from casekit import B, Catalog, F64, I, R, T

NAN, INF = float('nan'), float('inf')

OPS = {
    'sort': lambda x, *a, **k: tuple(torch.sort(x, *a, **k)),
    'topk': lambda x, *a, **k: tuple(torch.topk(x, *a, **k)),
    'unique': lambda x, **k: torch.unique(x, **k),
    'einsum': lambda eq, *ops: torch.einsum(eq, *ops),
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
    return c
