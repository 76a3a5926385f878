"""nn.functional: convolution, pooling, normalization, embedding, dropout, activations, one_hot, linear."""
import torch
import torch.nn.functional as F

from casekit import Catalog, I, R, RN, RP, T

NAN, INF = float('nan'), float('inf')

OPS = {
    'max_pool2d_ties': lambda x: F.max_pool2d(x, 2),
}


def build():
    c = Catalog('nn')
    x = RN(2, 2, 5, 5)

    # conv2d: stride, padding (int, tuple, 'same', 'valid'), dilation, groups, no bias
    w = RN(3, 2, 3, 3)
    b = RN(3)
    conv = [
        ('basic', x, w, b, {}),
        ('no-bias', x, w, None, {}),
        ('stride2', x, w, b, {'stride': 2}),
        ('stride-tuple', x, w, b, {'stride': (2, 1)}),
        ('padding1', x, w, b, {'padding': 1}),
        ('padding-tuple', x, w, b, {'padding': (2, 0)}),
        ('padding-same', x, w, b, {'padding': 'same'}),
        ('padding-same-dilation', x, w, b, {'padding': 'same', 'dilation': 2}),
        ('padding-valid', x, w, b, {'padding': 'valid'}),
        ('dilation2', x, w, b, {'dilation': 2}),
        ('dilation-tuple-stride', x, w, b, {'dilation': (1, 2), 'stride': 2, 'padding': 1}),
        ('groups2', x, RN(4, 1, 3, 3), RN(4), {'groups': 2}),
        ('groups-depthwise-stride', x, RN(2, 1, 2, 2), None, {'groups': 2, 'stride': 2, 'padding': 1}),
        ('kernel-1x1', x, RN(3, 2, 1, 1), RN(3), {}),
        ('rect-kernel', x, RN(2, 2, 2, 4), RN(2), {'padding': (1, 2)}),
        ('kernel-equals-input', RN(1, 2, 3, 3), RN(2, 2, 3, 3), None, {}),
    ]
    # atol 1e-5: an output is a sum of up to 27 products of values ~1, so near-zero outputs carry ~1e-6 of
    # absolute rounding whatever the summation order.
    for name, xi, wi, bi, kw in conv:
        c(f'conv2d/{name}', 'F.conv2d', xi, wi, bi, kw=kw, tol=(1e-5, 1e-5), gtol=(1e-5, 1e-5))
    c('conv2d/groups-2-of-4', 'F.conv2d', RN(1, 4, 4, 4), RN(6, 2, 3, 3), RN(6), kw={'groups': 2}, tol=(1e-5, 1e-5), gtol=(1e-5, 1e-5))
    c('conv2d/channel-mismatch', 'F.conv2d', x, RN(4, 3, 3, 3), err=('ShapeError', 'expected input[2, 2, 5, 5] to have 3 channels, but got 2 channels instead'))
    c('conv2d/kernel-too-large', 'F.conv2d', RN(1, 1, 2, 2), RN(1, 1, 3, 3), err=('ShapeError', "Kernel size can't be greater than actual input size"))
    c('conv2d/same-stride', 'F.conv2d', x, w, kw={'padding': 'same', 'stride': 2}, err=('ValueError', "padding='same' is not supported for strided convolutions"))
    c('conv2d/unbatched', 'F.conv2d', RN(2, 5, 5), RN(3, 2, 3, 3), RN(3), kw={'padding': 1}, tol=(1e-5, 1e-5), gtol=(1e-5, 1e-5))
    c('conv1d/basic', 'F.conv1d', RN(2, 3, 9), RN(4, 3, 3), RN(4), kw={'stride': 2, 'padding': 1}, tol=(1e-5, 1e-5), gtol=(1e-5, 1e-5))
    c('conv1d/dilation-groups', 'F.conv1d', RN(1, 4, 10), RN(2, 2, 3), None, kw={'dilation': 3, 'groups': 2}, tol=(1e-5, 1e-5), gtol=(1e-5, 1e-5))

    # pooling
    p = RN(1, 2, 6, 5)
    for name, kw in [('k2', {}), ('k3-s2', {'stride': 2}), ('pad1', {'padding': 1}), ('ceil', {'stride': 2, 'ceil_mode': True}),
                     ('ceil-pad', {'stride': 2, 'padding': 1, 'ceil_mode': True}), ('tuple', {'stride': (2, 1)})]:
        k = 2 if name == 'k2' else 3
        c(f'max_pool2d/{name}', 'F.max_pool2d', p, k, kw=kw)
        c(f'avg_pool2d/{name}', 'F.avg_pool2d', p, k, kw=kw)
    c('max_pool2d/dilation', 'F.max_pool2d', p, 2, kw={'dilation': 2})
    c('max_pool2d/dilation-ceil', 'F.max_pool2d', p, 2, kw={'dilation': 2, 'stride': 2, 'ceil_mode': True, 'padding': 1})
    c('max_pool2d/ties', 'F.max_pool2d', T([[[[1.0, 1.0, 2.0, 0.0], [1.0, 0.5, 2.0, 2.0]]]]), 2)
    c('max_pool2d/overlapping-ties', 'F.max_pool2d', T([[[[3.0, 1.0, 3.0], [0.0, 3.0, 1.0], [1.0, 2.0, 0.0]]]]), 2, kw={'stride': 1})
    c('max_pool2d/nan', 'F.max_pool2d', T([[[[1.0, NAN, 2.0, 0.0], [1.0, 0.5, 2.0, -1.0]]]], grad=False), 2)
    c('max_pool2d/neg-inf-pad', 'F.max_pool2d', T([[[[-5.0, -6.0], [-7.0, -8.0]]]]), 2, kw={'padding': 1, 'stride': 1})
    c('max_pool2d/3d-input', 'F.max_pool2d', RN(2, 5, 4), 2)
    c('max_pool2d/pad-too-large', 'F.max_pool2d', p, 2, kw={'padding': 2}, err=('ValueError', 'pad should be at most half of'))
    c('avg_pool2d/exclude-pad', 'F.avg_pool2d', p, 3, kw={'stride': 2, 'padding': 1, 'count_include_pad': False})
    c('avg_pool2d/exclude-pad-ceil', 'F.avg_pool2d', p, 3, kw={'stride': 2, 'padding': 1, 'ceil_mode': True, 'count_include_pad': False})
    c('avg_pool2d/ceil-include-pad', 'F.avg_pool2d', RN(1, 1, 5, 5), 2, kw={'stride': 2, 'padding': 1, 'ceil_mode': True})
    c('avg_pool2d/divisor-override', 'F.avg_pool2d', p, 2, kw={'divisor_override': 3})
    c('max_pool1d/basic', 'F.max_pool1d', RN(2, 3, 9), 3, kw={'stride': 2, 'padding': 1})
    c('max_pool1d/ceil', 'F.max_pool1d', RN(2, 3, 8), 3, kw={'stride': 2, 'ceil_mode': True})
    c('avg_pool1d/basic', 'F.avg_pool1d', RN(2, 3, 9), 3, kw={'stride': 2, 'padding': 1})
    c('avg_pool1d/ceil-exclude', 'F.avg_pool1d', RN(2, 3, 8), 3, kw={'stride': 2, 'padding': 1, 'ceil_mode': True, 'count_include_pad': False})
    for size in ((1, 1), (2, 3), (3, 3), (7, 6), (4, 4), (5, 2)):
        c(f'adaptive_avg_pool2d/{size[0]}x{size[1]}', 'F.adaptive_avg_pool2d', p, list(size))
    c('adaptive_avg_pool2d/int', 'F.adaptive_avg_pool2d', p, 3)
    c('adaptive_avg_pool2d/none', 'F.adaptive_avg_pool2d', p, [None, 2])
    c('adaptive_avg_pool2d/larger', 'F.adaptive_avg_pool2d', RN(1, 1, 2, 3), [5, 4])
    c('adaptive_avg_pool1d/basic', 'F.adaptive_avg_pool1d', RN(2, 3, 10), 4)

    # batch norm: train (running stats updated in place), eval, affine, 2-D and 4-D input. Gradients in training
    # mode subtract the mean of per-element terms (cancellation): rtol 1e-4.
    for name, xs in (('2d', (5, 3)), ('4d', (2, 3, 4, 2)), ('3d', (2, 3, 5))):
        xb = RN(*xs)
        c(f'batch_norm/train-{name}', 'F.batch_norm', xb, RN(3, grad=False), RP(3, grad=False),
          kw={'weight': RN(3), 'bias': RN(3), 'training': True}, mutates=True, tol=(1e-5, 1e-5), gtol=(1e-4, 1e-5))
        c(f'batch_norm/eval-{name}', 'F.batch_norm', xb, RN(3, grad=False), RP(3, grad=False),
          kw={'weight': RN(3), 'bias': RN(3), 'training': False}, mutates=True, tol=(1e-5, 1e-5), gtol=(1e-5, 1e-5))
    c('batch_norm/train-momentum-eps', 'F.batch_norm', RN(4, 2), RN(2, grad=False), RP(2, grad=False),
      kw={'training': True, 'momentum': 0.3, 'eps': 1e-3}, mutates=True, tol=(1e-5, 1e-5), gtol=(1e-4, 1e-5))
    c('batch_norm/train-no-running', 'F.batch_norm', RN(4, 2), None, None, kw={'training': True}, tol=(1e-5, 1e-5), gtol=(1e-4, 1e-5))
    c('batch_norm/eval-no-affine', 'F.batch_norm', RN(4, 2), RN(2, grad=False), RP(2, grad=False), tol=(1e-5, 1e-5))
    c('batch_norm/running-size', 'F.batch_norm', RN(4, 3), RN(2, grad=False), RP(2, grad=False), err=('ShapeError', 'running_mean should contain 3 elements not 2'))
    c('batch_norm/single-value', 'F.batch_norm', RN(1, 2), None, None, kw={'training': True},
      err=('ValueError', 'Expected more than 1 value per channel when training, got input size torch.Size([1, 2])'))

    # layer norm
    c('layer_norm/last', 'F.layer_norm', RN(3, 5), [5], tol=(1e-5, 1e-5), gtol=(1e-4, 1e-5))
    c('layer_norm/affine', 'F.layer_norm', RN(2, 3, 4), [4], kw={'weight': RN(4), 'bias': RN(4)}, tol=(1e-5, 1e-5), gtol=(1e-4, 1e-5))
    c('layer_norm/two-dims', 'F.layer_norm', RN(2, 3, 4), [3, 4], kw={'weight': RN(3, 4), 'bias': RN(3, 4), 'eps': 1e-3}, tol=(1e-5, 1e-5), gtol=(1e-4, 1e-5))
    c('layer_norm/constant-row', 'F.layer_norm', T([[1.0, 1.0, 1.0], [1.0, 2.0, 4.0]]), [3], tol=(1e-5, 1e-5), gtol=(1e-4, 1e-5))
    c('layer_norm/bad-shape', 'F.layer_norm', RN(2, 3), [4], err=('ShapeError', 'Given normalized_shape=[4], expected input with shape [*, 4], but got input of size[2, 3]'))

    # embedding, one_hot
    c('embedding/basic', 'F.embedding', I([[1, 3], [0, 3]]), RN(5, 3))
    c('embedding/padding-idx', 'F.embedding', I([[1, 3, 0], [0, 3, 3]]), RN(5, 3), kw={'padding_idx': 3})
    c('embedding/negative-padding-idx', 'F.embedding', I([4, 2, 4]), RN(5, 2), kw={'padding_idx': -1})
    c('embedding/float-indices', 'F.embedding', T([0.0, 1.0]), RN(3, 2), err=('DTypeError', "Expected tensor for argument #1 'indices' to have one of the following scalar types"))
    c('embedding/out-of-range', 'F.embedding', I([5]), RN(5, 3), err=('IndexError', 'index out of range in self'))
    c('one_hot/infer', 'F.one_hot', I([0, 3, 1, 3]))
    c('one_hot/classes', 'F.one_hot', I([[0, 2], [1, 1]]), 4)
    c('one_hot/too-small', 'F.one_hot', I([0, 3]), 3, err=('ValueError', 'Class values must be smaller than num_classes.'))
    c('one_hot/negative', 'F.one_hot', I([0, -1]), err=('ValueError', 'Class values must be non-negative.'))
    c('one_hot/float', 'F.one_hot', T([0.0, 1.0]), err=('DTypeError', 'one_hot is only applicable to index tensor'))

    # dropout with p = 0 and p = 1, and outside training
    d = RN(3, 4)
    c('dropout/p0', 'F.dropout', d, 0.0)
    c('dropout/p1', 'F.dropout', d, 1.0)
    c('dropout/eval', 'F.dropout', d, 0.5, kw={'training': False})
    c('dropout/bad-p', 'F.dropout', d, 1.5, err=('ValueError', 'dropout probability has to be between 0 and 1, but got 1.5'))

    # activations, incl. extremes
    a = R(3, 5, lo=-4, hi=4)
    ext = T([-100.0, -30.0, -10.0, -1e-3, 0.0, 1e-3, 10.0, 30.0, 100.0])
    for op, kw, args in [
        ('relu', {}, []), ('sigmoid', {}, []), ('tanh', {}, []), ('silu', {}, []),
        ('gelu', {}, []), ('gelu', {'approximate': 'tanh'}, []),
        ('leaky_relu', {}, []), ('leaky_relu', {}, [0.2]),
        ('elu', {}, []), ('elu', {}, [0.5]),
        ('softplus', {}, []), ('softplus', {'beta': 2, 'threshold': 5}, []),
        ('softmax', {'dim': 1}, []), ('log_softmax', {'dim': 1}, []),
    ]:
        suffix = '-'.join(f'{k}={v}' for k, v in kw.items()) + '-'.join(str(x) for x in args)
        name = f'{op}/{suffix}' if suffix else f'{op}/default'
        c(name, f'F.{op}', a, *args, kw=kw)
        if op not in ('softmax', 'log_softmax'):
            c(name + '-extreme', f'F.{op}', ext, *args, kw=kw)
    c('gelu/order2', 'F.gelu', R(5), order2=True)
    c('silu/order2', 'F.silu', R(5), order2=True)
    c('softplus/order2', 'F.softplus', R(5), order2=True)
    c('elu/order2', 'F.elu', R(5), order2=True)

    # linear
    c('linear/basic', 'F.linear', RN(4, 3), RN(5, 3), RN(5))
    c('linear/no-bias', 'F.linear', RN(2, 4, 3), RN(5, 3))
    c('linear/1d', 'F.linear', RN(3), RN(2, 3), RN(2))
    c('linear/int-input', 'F.linear', I([[1, 2]]), RN(3, 2), err=('DTypeError', 'expected scalar type'))
    c('linear/mismatch', 'F.linear', RN(4, 3), RN(5, 4), err=('ShapeError', 'mat1 and mat2 shapes cannot be multiplied (4x3 and 4x5)'))
    return c
