"""Matrix products: matmul over every rank combination (with batch broadcasting), mm, bmm, mv, dot, outer, addmm."""
from casekit import Catalog, F64, I, R


def build():
    c = Catalog('linalg')
    shapes = [
        ('1d@1d', (4,), (4,)),
        ('2d@1d', (3, 4), (4,)),
        ('1d@2d', (4,), (4, 5)),
        ('2d@2d', (3, 4), (4, 5)),
        ('3d@2d', (2, 3, 4), (4, 5)),
        ('2d@3d', (3, 4), (2, 4, 5)),
        ('3d@3d', (2, 3, 4), (2, 4, 5)),
        ('3d@1d', (2, 3, 4), (4,)),
        ('1d@3d', (4,), (2, 4, 5)),
        ('broadcast-batch', (2, 1, 3, 4), (5, 4, 2)),
        ('broadcast-batch-4d', (2, 1, 3, 4), (1, 3, 4, 2)),
        ('1x1', (1, 1), (1, 1)),
        ('k=1', (3, 1), (1, 4)),
        ('empty-k', (3, 0), (0, 2)),
        ('empty-m', (0, 4), (4, 2)),
    ]
    for name, sa, sb in shapes:
        c(f'matmul/{name}', 'matmul', R(*sa), R(*sb))
    c('matmul/int', 'matmul', I([[1, 2], [3, 4]]), I([[5, -6], [7, 8]]))
    c('matmul/float64', 'matmul', F64([[1.5, 2.0], [3.0, -4.0]]), F64([[0.25, 1.0], [2.0, 0.5]]))
    c('matmul/0d', 'matmul', R(), R(3), err=('ShapeError', 'both arguments to matmul need to be at least 1D, but they are 0D and 1D'))
    c('matmul/mismatch', 'matmul', R(3, 4), R(5, 2), err=('ShapeError', 'mat1 and mat2 shapes cannot be multiplied (3x4 and 5x2)'))
    c('matmul/batch-mismatch', 'matmul', R(2, 3, 4), R(3, 4, 5), err=('ShapeError', 'The size of tensor a (2) must match the size of tensor b (3) at non-singleton dimension 0'))
    c('matmul/dtype-mismatch', 'matmul', R(2, 2), F64([[1.0, 2.0], [3.0, 4.0]]), err=('DTypeError', 'expected'))
    c('matmul/1d-mismatch', 'matmul', R(3), R(4), err=('ShapeError', 'inconsistent tensor size, expected tensor [3] and src [4] to have the same number of elements, but got 3 and 4 elements respectively'))

    c('mm/basic', 'mm', R(3, 4), R(4, 2))
    c('mm/mismatch', 'mm', R(3, 4), R(3, 2), err=('ShapeError', 'mat1 and mat2 shapes cannot be multiplied (3x4 and 3x2)'))
    c('mm/3d', 'mm', R(2, 3, 4), R(4, 2), err=('ShapeError', 'self must be a matrix'))
    c('bmm/basic', 'bmm', R(2, 3, 4), R(2, 4, 5))
    c('bmm/batch-mismatch', 'bmm', R(2, 3, 4), R(3, 4, 5), err=('ShapeError', 'Expected size for first two dimensions of batch2 tensor to be: [2, 4] but got: [3, 4].'))
    c('bmm/2d', 'bmm', R(3, 4), R(4, 5), err=('ShapeError', 'batch1 must be a 3D tensor'))
    c('mv/basic', 'mv', R(3, 4), R(4))
    c('mv/mismatch', 'mv', R(3, 4), R(3), err=('ShapeError', 'size mismatch, got'))
    c('dot/basic', 'dot', R(5), R(5))
    c('dot/int', 'dot', I([1, 2, 3]), I([4, -5, 6]))
    c('dot/mismatch', 'dot', R(3), R(4), err=('ShapeError', 'inconsistent tensor size, expected tensor [3] and src [4] to have the same number of elements, but got 3 and 4 elements respectively'))
    c('dot/2d', 'dot', R(2, 2), R(2, 2), err=('ShapeError', '1D tensors expected, but got 2D and 2D tensors'))
    c('outer/basic', 'outer', R(3), R(4))
    c('outer/int', 'outer', I([1, 2]), I([3, 4, 5]))
    c('addmm/basic', 'addmm', R(3, 2), R(3, 4), R(4, 2))
    c('addmm/broadcast-bias', 'addmm', R(2), R(3, 4), R(4, 2))
    c('addmm/alpha-beta', 'addmm', R(3, 2), R(3, 4), R(4, 2), kw={'beta': 0.5, 'alpha': -2})
    c('addmm/beta-zero', 'addmm', R(3, 2), R(3, 4), R(4, 2), kw={'beta': 0})
    return c
