"""
Sizes that take the compiled kernels' other paths (blocked GEMM with packing, long reductions split into
chunks, column reductions, tiled transposes, per-row softmax/normalization over long rows, larger
convolutions). Inputs are a formula of the element index (the same on both sides, so nothing is stored);
each op returns a summary of its results and of its gradients: sum |x|, sum x², max, min and 16 elements.
"""
import numpy as np
import torch
import torch.nn.functional as F

from casekit import Catalog


def pattern(shape, seed, grad=False):
    n = int(np.prod(shape))
    i = np.arange(n, dtype=np.int64)
    v = ((i * 7919 + seed * 104729) % 2003) / 1001.5 - 1.0
    t = torch.tensor(v, dtype=torch.float32).reshape(shape)
    return t.requires_grad_(True) if grad else t


def weight(shape, seed):
    return 1 + 0.5 * pattern(shape, seed)


def summary(t):
    f = t.detach().reshape(-1)
    step = max(1, f.numel() // 16)
    return torch.cat([torch.stack([f.abs().sum(), (f * f).sum(), f.max(), f.min()]), f[::step][:16]])


def with_grads(fn, shapes):
    xs = [pattern(s, k + 1, grad=True) for k, s in enumerate(shapes)]
    out = fn(*xs)
    gs = torch.autograd.grad((out * weight(out.shape, 99)).sum(), xs)
    return tuple([summary(out)] + [summary(g) for g in gs])


OPS = {
    'large_matmul': lambda m, k, n: with_grads(torch.matmul, [(m, k), (k, n)]),
    'large_bmm': lambda b, m, k, n: with_grads(torch.bmm, [(b, m, k), (b, k, n)]),
    'large_linear': lambda m, k, n: with_grads(lambda x, w, b: F.linear(x, w, b), [(m, k), (n, k), (n,)]),
    'large_sum': lambda n: with_grads(lambda x: x.sum().reshape(1), [(n,)]),
    'large_sum_dim': lambda r, c, d: with_grads(lambda x: x.sum(d), [(r, c)]),
    'large_mean_var': lambda r, c, d: with_grads(lambda x: x.var(d) + x.mean(d), [(r, c)]),
    'large_max_dim': lambda r, c, d: with_grads(lambda x: x.max(d).values * 1.5, [(r, c)]),
    'large_transpose': lambda r, c: with_grads(lambda x: x.t().contiguous() * torch.arange(r, dtype=torch.float32), [(r, c)]),
    'large_softmax': lambda r, c: with_grads(lambda x: torch.softmax(x * 3, 1), [(r, c)]),
    'large_logsumexp': lambda r, c: with_grads(lambda x: torch.logsumexp(x * 4, 1), [(r, c)]),
    'large_cumsum': lambda n: with_grads(lambda x: torch.cumsum(x, 0), [(n,)]),
    'large_layer_norm': lambda r, c: with_grads(lambda x, w, b: F.layer_norm(x, [c], w, b), [(r, c), (c,), (c,)]),
    'large_batch_norm': lambda n, c, h: with_grads(lambda x: F.batch_norm(x, None, None, training=True), [(n, c, h, h)]),
    'large_conv2d': lambda n, c, o, h: with_grads(lambda x, w: F.conv2d(x, w, padding=1), [(n, c, h, h), (o, c, 3, 3)]),
    'large_conv2d_strided': lambda n, c, o, h: with_grads(lambda x, w: F.conv2d(x, w, stride=2, dilation=2), [(n, c, h, h), (o, c, 3, 3)]),
    'large_max_pool': lambda n, c, h: with_grads(lambda x: F.max_pool2d(x, 3, stride=2, padding=1), [(n, c, h, h)]),
    'large_cross_entropy': lambda n, c: with_grads(lambda x: F.cross_entropy(x * 3, torch.arange(n) % c).reshape(1), [(n, c)]),
}


def build():
    c = Catalog('large')
    tol = dict(grad=False, tol=(2e-5, 1e-4))
    c('matmul/67x45x70', 'large_matmul', 67, 45, 70, **tol)
    c('matmul/8x300x9', 'large_matmul', 8, 300, 9, **tol)
    c('bmm/3x40x33x50', 'large_bmm', 3, 40, 33, 50, **tol)
    c('linear/130x64x96', 'large_linear', 130, 64, 96, **tol)
    c('sum/70000', 'large_sum', 70000, **tol)
    c('sum/columns-300x130', 'large_sum_dim', 300, 130, 0, **tol)
    c('sum/rows-130x3000', 'large_sum_dim', 130, 3000, 1, **tol)
    c('mean-var/columns-500x70', 'large_mean_var', 500, 70, 0, **tol)
    c('max/columns-400x90', 'large_max_dim', 400, 90, 0, **tol)
    c('transpose/70x90', 'large_transpose', 70, 90, **tol)
    c('softmax/33x1500', 'large_softmax', 33, 1500, **tol)
    c('logsumexp/20x4000', 'large_logsumexp', 20, 4000, **tol)
    c('cumsum/5000', 'large_cumsum', 5000, **dict(tol, tol=(1e-4, 1e-3)))
    c('layer_norm/64x256', 'large_layer_norm', 64, 256, **tol)
    c('batch_norm/16x8x12', 'large_batch_norm', 16, 8, 12, **tol)
    c('conv2d/2x8x16x20', 'large_conv2d', 2, 8, 16, 20, **tol)
    c('conv2d/strided-2x6x8x23', 'large_conv2d_strided', 2, 6, 8, 23, **tol)
    c('max_pool/4x8x30', 'large_max_pool', 4, 8, 30, **tol)
    c('cross_entropy/256x100', 'large_cross_entropy', 256, 100, **tol)
    return c
