"""
The autograd surface: retain_graph, accumulation, create_graph (second derivatives), errors, requires_grad
propagation, retain_grad, detach/no_grad, .data; and second derivatives of composite ops.
Scenario ops take leaves that require grad and return what the scenario reads (gradients, flags as bools).
"""
import torch
import torch.nn.functional as F

from casekit import Catalog, I, R, RP, T


def retain_twice(x):
    y = (x * x).sum()
    y.backward(retain_graph=True)
    y.backward()
    return x.grad


def backward_twice(x):
    y = (x.exp() * x).sum()
    y.backward()
    y.backward()
    return x.grad


def accumulate_two_graphs(x):
    (x * 2).sum().backward()
    (x ** 2).sum().backward()
    return x.grad


def zero_then_backward(x):
    (x * 3).sum().backward()
    x.grad.zero_()
    (x * x).sum().backward()
    return x.grad


def create_graph_backward(x):
    y = (x ** 3).sum()
    (g,) = torch.autograd.grad(y, x, create_graph=True)
    g.sum().backward()
    return g, x.grad


def grad_of_grad(x):
    (g,) = torch.autograd.grad(x.tanh().sum(), x, create_graph=True)
    (h,) = torch.autograd.grad(g.sum(), x)
    return g, h


def third_order(x):
    (g,) = torch.autograd.grad((x ** 4).sum(), x, create_graph=True)
    (h,) = torch.autograd.grad(g.sum(), x, create_graph=True)
    (k,) = torch.autograd.grad(h.sum(), x)
    return g, h, k


def backward_with_gradient(x, v):
    y = x * 2 + 1
    y.backward(v)
    return x.grad


def nonscalar_backward(x):
    (x * 2).backward()


def leaf_inplace(x):
    x.add_(1)


def flags(x, y):
    a = x * y
    with torch.no_grad():
        b = x * 2
    c = x.detach()
    d = (x > 0)
    e = a.sum()
    return torch.tensor([a.requires_grad, a.is_leaf, b.requires_grad, c.requires_grad, c.is_leaf, d.requires_grad,
                         x.is_leaf, e.requires_grad])


def retain_grad_nonleaf(x):
    y = x * 2
    y.retain_grad()
    z = (y * y).sum()
    z.backward()
    return y.grad, x.grad


def tutorial_exp(x):
    y = x ** 2 * torch.exp(x)
    y.backward(torch.ones(y.size()))
    return x.grad


def tutorial_mean(x):
    y = x + 2
    z = y * y * 3
    out = z.mean()
    out.backward()
    return out, x.grad


def detach_in_middle(x):
    y = (x * x.detach()).sum()
    y.backward()
    return x.grad


def data_sigmoid(x):
    x.data.sigmoid_()
    return x


def grad_of_view(x):
    x[1:3].sum().backward()
    return x.grad


def shared_input(x):
    y = (x * x * x + x.sin() * x).sum()
    y.backward()
    return x.grad


def leaf_view(b):
    x = b.reshape(2, 3).detach().requires_grad_()
    (x.reshape(6) * torch.arange(6.0)).sum().backward()
    (x.t() @ torch.ones(2, 2)).sum().backward()
    return x.grad


def inplace_nonleaf(x):
    y = x * 2
    y.mul_(3)
    y[0] = y[1] * 5
    y.sum().backward()
    return y, x.grad


def grad_none_before(x):
    return torch.tensor([x.grad is None])


def grad_unused(x, y):
    return torch.autograd.grad((x * 2).sum(), [x, y])


def grad_int_input(x):
    return torch.autograd.grad(x.sum(), x)


OPS = {k: v for k, v in globals().items() if callable(v) and not k.startswith('_') and k not in ('build', 'Catalog', 'I', 'R', 'RP', 'T')}
OPS.update({
    'mse_loss': F.mse_loss,
    'cross_entropy': F.cross_entropy,
    'matmul_tanh': lambda a, b: torch.matmul(a, b).tanh(),
    'where_mul': lambda c, a, b: torch.where(c, a * b, a / b),
    'sigmoid_chain': lambda x: torch.sigmoid(x * x).log(),
    'max_dim_values': lambda x, d: torch.max(x, d).values,
    'div_chain': lambda a, b: (a / b).exp(),
    'norm_dim': lambda x: torch.norm(x, dim=1),
    'prod_dim': lambda x: torch.prod(x, 1),
    'cumsum_sq': lambda x: torch.cumsum(x * x, 1),
    'gelu_tanh': lambda x: F.gelu(x, approximate='tanh'),
})


def build():
    c = Catalog('autograd')
    g = dict(grad=False)  # scenarios differentiate themselves
    c('retain_graph/twice', 'retain_twice', R(3, grad=True), **g)
    c('retain_graph/missing', 'backward_twice', R(3, grad=True), err=('AutogradError', 'Trying to backward through the graph a second time'), **g)
    c('accumulate/two-graphs', 'accumulate_two_graphs', R(2, 2, grad=True), **g)
    c('accumulate/zero-grad', 'zero_then_backward', R(3, grad=True), **g)
    c('create_graph/backward', 'create_graph_backward', R(4, grad=True), **g)
    c('create_graph/grad-of-grad', 'grad_of_grad', R(2, 3, grad=True), **g)
    c('create_graph/third-order', 'third_order', R(3, grad=True), **g)
    c('backward/gradient-arg', 'backward_with_gradient', R(2, 3, grad=True), R(2, 3, grad=False), **g)
    c('backward/non-scalar', 'nonscalar_backward', R(3, grad=True), err=('AutogradError', 'grad can be implicitly created only for scalar outputs'), **g)
    c('inplace/leaf', 'leaf_inplace', R(3, grad=True), err=('AutogradError', 'a leaf Variable that requires grad is being used in an in-place operation'), **g)
    c('flags/propagation', 'flags', R(3, grad=True), R(3, grad=False), **g)
    c('retain_grad/nonleaf', 'retain_grad_nonleaf', R(3, grad=True), **g)
    c('tutorial/exp', 'tutorial_exp', R(3, 4, grad=True), **g)
    c('tutorial/mean', 'tutorial_mean', T([[1.0, 1.0], [1.0, 1.0]], grad=True), **g)
    c('detach/middle', 'detach_in_middle', R(4, grad=True), **g)
    c('data/sigmoid', 'data_sigmoid', R(4, grad=True), **g)
    c('view/slice-backward', 'grad_of_view', R(5, grad=True), **g)
    c('inplace/non-leaf', 'inplace_nonleaf', R(3, grad=True), **g)
    c('view/leaf-is-a-view', 'leaf_view', R(6, grad=False), **g)
    c('fanout/shared-input', 'shared_input', R(4, grad=True), **g)
    c('grad/none-before-backward', 'grad_none_before', R(2, grad=True), **g)
    c('grad/unused-input', 'grad_unused', R(2, grad=True), R(2, grad=True), err=('AutogradError', 'One of the differentiated Tensors appears to not have been used in the graph'), **g)
    c('grad/no-requires-grad', 'grad_int_input', R(2, grad=False), err=('AutogradError', 'does not require grad'), **g)

    # Second derivatives of composites (sum(d/dx sum(f * w) * v) w.r.t. the inputs)
    o2 = dict(order2=True)
    c('order2/mul', 'mul', R(3), R(3), **o2)
    c('order2/div-chain', 'div_chain', R(3), RP(3), **o2)
    c('order2/matmul-tanh', 'matmul_tanh', R(2, 3), R(3, 2), **o2)
    c('order2/where', 'where_mul', T([True, False, True], 'bool'), R(3), RP(3), **o2)
    c('order2/sigmoid-chain', 'sigmoid_chain', R(4), **o2)
    c('order2/logsumexp', 'logsumexp', R(2, 4), 1, **o2)
    c('order2/var', 'var', R(2, 4), 1, **o2)
    c('order2/std', 'std', R(2, 4), **o2)
    c('order2/norm', 'norm_dim', R(2, 4), **o2)
    c('order2/prod', 'prod_dim', R(2, 3), **o2)
    c('order2/cumsum-square', 'cumsum_sq', R(2, 3), **o2)
    c('order2/pow-tensor', 'pow', RP(4), R(4), **o2)
    c('order2/mse', 'mse_loss', R(2, 3), R(2, 3), **o2)
    c('order2/cross-entropy', 'cross_entropy', R(3, 4), I([0, 3, 1]), **o2)
    c('order2/gelu-tanh', 'gelu_tanh', R(5), **o2)
    return c
