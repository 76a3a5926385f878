"""nn (part 2): transposed and 3-D convolution, group/instance norm, interpolate, pixel (un)shuffle, embedding
max_norm, and modules run with given weights (GroupNorm, InstanceNorm2d, ConvTranspose2d, Conv3d, Upsample, ...)."""
import torch
import torch.nn as nn
import torch.nn.functional as F
from torch.nn.utils import stateless

from casekit import I, R, RN, RP, T, Catalog


def module_op(name):
    """'nn.Name': (ctor args, ctor kwargs, {param name: tensor}, *inputs) -> the module's output with those
    tensors as its parameters (so gradients reach them); the state dict must have the same names."""
    def run(args, kwargs, params, *inputs):
        m = getattr(nn, name)(*args, **kwargs)
        sd = m.state_dict()
        for k, v in params.items():
            assert k in sd and tuple(sd[k].shape) == tuple(v.shape), (name, k)
        return stateless.functional_call(m, params, inputs)
    return run


MODULES = ['GroupNorm', 'InstanceNorm1d', 'InstanceNorm2d', 'InstanceNorm3d', 'ConvTranspose1d', 'ConvTranspose2d', 'ConvTranspose3d', 'Conv3d',
           'Upsample', 'UpsamplingNearest2d', 'UpsamplingBilinear2d', 'PixelShuffle', 'PixelUnshuffle', 'Embedding', 'Unflatten', 'LayerNorm']
OPS = {f'nn.{n}': module_op(n) for n in MODULES}


def instance_norm_eval(x, rm, rv, **kw):
    return F.instance_norm(x, rm, rv, use_input_stats=False, **kw)


OPS['instance_norm_eval'] = instance_norm_eval


def build():
    c = Catalog('nn2')
    tol = dict(tol=(1e-5, 1e-5), gtol=(1e-5, 1e-5))

    # conv3d
    c('conv3d/basic', 'F.conv3d', RN(2, 2, 4, 5, 4), RN(3, 2, 2, 3, 2), RN(3), **tol)
    c('conv3d/stride-pad-dil-groups', 'F.conv3d', RN(1, 4, 5, 6, 5), RN(4, 2, 2, 2, 3), None,
      kw={'stride': (2, 1, 2), 'padding': (1, 0, 1), 'dilation': (1, 2, 1), 'groups': 2}, **tol)
    c('conv3d/unbatched-same', 'F.conv3d', RN(2, 3, 4, 3), RN(2, 2, 3, 2, 3), RN(2), kw={'padding': 'same'}, **tol)
    c('conv3d/channels', 'F.conv3d', RN(1, 3, 4, 4, 4), RN(2, 2, 2, 2, 2), err=('ShapeError', 'expected input[1, 3, 4, 4, 4] to have 2 channels, but got 3 channels instead'))
    c('conv3d/rank', 'F.conv3d', RN(3, 4), RN(2, 3, 2, 2, 2), err=('ShapeError', 'Expected 4D (unbatched) or 5D (batched) input to conv3d, but got input of size: [3, 4]'))

    # conv_transpose1d/2d/3d
    ct = [
        ('basic', RN(2, 3, 4, 5), RN(3, 2, 3, 3), RN(2), {}),
        ('stride2', RN(1, 3, 4, 4), RN(3, 2, 3, 3), RN(2), {'stride': 2}),
        ('stride-pad-outpad', RN(2, 2, 3, 4), RN(2, 3, 3, 2), RN(3), {'stride': (2, 3), 'padding': (1, 0), 'output_padding': (1, 2)}),
        ('big-padding', RN(1, 2, 5, 5), RN(2, 2, 3, 3), None, {'padding': 2}),
        ('dilation', RN(1, 2, 4, 3), RN(2, 1, 2, 3), RN(1), {'dilation': (2, 1), 'padding': 1}),
        ('dilation-outpad', RN(1, 2, 3, 3), RN(2, 2, 2, 2), None, {'dilation': 3, 'output_padding': 1}),
        ('groups', RN(2, 4, 3, 3), RN(4, 3, 2, 2), RN(6), {'groups': 2, 'stride': 2}),
        ('groups-depthwise', RN(1, 3, 4, 4), RN(3, 1, 3, 3), RN(3), {'groups': 3, 'padding': 1}),
        ('kernel-1', RN(1, 2, 3, 3), RN(2, 3, 1, 1), RN(3), {'stride': 2}),
        ('unbatched', RN(2, 3, 3), RN(2, 2, 2, 2), RN(2), {'stride': 2, 'padding': 1}),
    ]
    for name, x, w, b, kw in ct:
        c(f'conv_transpose2d/{name}', 'F.conv_transpose2d', x, w, b, kw=kw, **tol)
    c('conv_transpose1d/basic', 'F.conv_transpose1d', RN(2, 3, 5), RN(3, 2, 4), RN(2), kw={'stride': 3, 'padding': 1, 'output_padding': 2}, **tol)
    c('conv_transpose1d/groups-dilation', 'F.conv_transpose1d', RN(1, 4, 6), RN(4, 1, 3), None, kw={'groups': 2, 'dilation': 2}, **tol)
    c('conv_transpose3d/basic', 'F.conv_transpose3d', RN(1, 2, 2, 3, 2), RN(2, 2, 2, 2, 3), RN(2), kw={'stride': (1, 2, 2), 'padding': (0, 1, 1)}, **tol)
    c('conv_transpose2d/channels', 'F.conv_transpose2d', RN(1, 4, 3, 3), RN(3, 2, 2, 2),
      err=('ShapeError', 'Given transposed=1, weight of size [3, 2, 2, 2], expected input[1, 4, 3, 3] to have 3 channels, but got 4 channels instead'))
    c('conv_transpose2d/output-padding', 'F.conv_transpose2d', RN(1, 4, 3, 3), RN(4, 2, 2, 2), kw={'output_padding': 2},
      err=('ValueError', 'output padding must be smaller than either stride or dilation, but got output_padding_height: 2 output_padding_width: 2 stride_height: 1 stride_width: 1 dilation_height: 1 dilation_width: 1'))
    c('conv_transpose2d/groups-not-dividing', 'F.conv_transpose2d', RN(1, 4, 3, 3), RN(4, 2, 2, 2), kw={'groups': 3},
      err=('ShapeError', 'Given groups=3, expected weight to be divisible by 3 at dimension 0'))
    c('conv_transpose2d/too-small', 'F.conv_transpose2d', RN(1, 4, 3, 3), RN(4, 2, 2, 2), kw={'padding': 3},
      err=('ShapeError', 'Given input size per channel: (3 x 3). Calculated output size per channel: (-2 x -2). Output size is too small'))

    # group norm
    gn = dict(tol=(1e-5, 1e-5), gtol=(1e-4, 1e-5))
    c('group_norm/basic', 'F.group_norm', RN(2, 6, 4), 3, **gn)
    c('group_norm/affine-4d', 'F.group_norm', RN(2, 4, 3, 3), 2, kw={'weight': RN(4), 'bias': RN(4), 'eps': 1e-3}, **gn)
    c('group_norm/one-group', 'F.group_norm', RN(3, 4, 5), 1, kw={'weight': RN(4)}, **gn)
    c('group_norm/per-channel', 'F.group_norm', RN(2, 3, 2), 3, kw={'weight': RN(3), 'bias': RN(3)}, **gn)
    c('group_norm/not-divisible', 'F.group_norm', RN(2, 6, 4), 4,
      err=('ShapeError', 'Expected number of channels in input to be divisible by num_groups, but got input of shape [2, 6, 4] and num_groups=4'))
    c('group_norm/weight-size', 'F.group_norm', RN(2, 6, 4), 3, kw={'weight': RN(5)},
      err=('ShapeError', 'Expected weight to be a vector of size equal to the number of channels in input, but got weight of shape [5] and input of shape [2, 6, 4]'))

    # instance norm: input statistics (running stats updated), running statistics (eval)
    c('instance_norm/basic', 'F.instance_norm', RN(2, 3, 5), **gn)
    c('instance_norm/affine-running', 'F.instance_norm', RN(2, 3, 4, 3), RN(3, grad=False), RP(3, grad=False),
      kw={'weight': RN(3), 'bias': RN(3), 'momentum': 0.3}, mutates=True, **gn)
    c('instance_norm/eval', 'instance_norm_eval', RN(2, 3, 4), RN(3, grad=False), RP(3, grad=False), kw={'weight': RN(3), 'bias': RN(3)}, **tol)
    c('instance_norm/one-element', 'F.instance_norm', RN(2, 3, 1), err=('ValueError', 'Expected more than 1 spatial element when training, got input size torch.Size([2, 3, 1])'))
    c('instance_norm/running-size', 'F.instance_norm', RN(2, 6, 4), RN(5, grad=False), RP(5, grad=False), err=('ShapeError', 'running_mean should contain 12 elements not 10'))

    # interpolate
    x3, x4, x5 = RN(2, 2, 5), RN(1, 2, 3, 4), RN(1, 1, 2, 3, 3)
    for name, x, kw in [
        ('nearest-scale2', x4, {'scale_factor': 2}),
        ('nearest-size', x4, {'size': (5, 7)}),
        ('nearest-down', x4, {'size': (2, 3)}),
        ('nearest-scale-frac', x4, {'scale_factor': 1.7}),
        ('nearest-scale-tuple', x4, {'scale_factor': (2.5, 0.5)}),
        ('nearest-recompute', x4, {'scale_factor': 1.7, 'recompute_scale_factor': True}),
        ('nearest-1d', x3, {'size': 8}),
        ('nearest-3d', x5, {'scale_factor': (2, 1, 1.5)}),
        ('nearest-exact', x4, {'size': (5, 7), 'mode': 'nearest-exact'}),
        ('nearest-exact-down', x4, {'scale_factor': 0.6, 'mode': 'nearest-exact'}),
        ('bilinear-size', x4, {'size': (5, 7), 'mode': 'bilinear'}),
        ('bilinear-align', x4, {'size': (5, 7), 'mode': 'bilinear', 'align_corners': True}),
        ('bilinear-scale2', x4, {'scale_factor': 2, 'mode': 'bilinear'}),
        ('bilinear-scale2-align', x4, {'scale_factor': 2, 'mode': 'bilinear', 'align_corners': True}),
        ('bilinear-down', x4, {'size': (2, 3), 'mode': 'bilinear'}),
        ('bilinear-frac', x4, {'scale_factor': (1.3, 2.6), 'mode': 'bilinear', 'align_corners': False}),
        ('bilinear-to-1', x4, {'size': (1, 1), 'mode': 'bilinear', 'align_corners': True}),
        ('linear', x3, {'size': 9, 'mode': 'linear'}),
        ('linear-align', x3, {'scale_factor': 1.5, 'mode': 'linear', 'align_corners': True}),
        ('trilinear', x5, {'size': (3, 4, 5), 'mode': 'trilinear'}),
        ('bicubic-size', x4, {'size': (5, 7), 'mode': 'bicubic'}),
        ('bicubic-align', x4, {'size': (5, 7), 'mode': 'bicubic', 'align_corners': True}),
        ('bicubic-scale', x4, {'scale_factor': 2.5, 'mode': 'bicubic'}),
        ('bicubic-down', RN(1, 2, 6, 7), {'size': (3, 2), 'mode': 'bicubic'}),
        ('bicubic-same-size', x4, {'scale_factor': (1.3, 2), 'mode': 'bicubic'}),
        ('bicubic-same-sizes', x4, {'scale_factor': (1.3, 1.1), 'mode': 'bicubic'}),
        ('area', x4, {'size': (2, 2), 'mode': 'area'}),
        ('nearest-1d-same-size', x3, {'scale_factor': 1.3}),
        ('nearest-exact-same-size', x4, {'scale_factor': (1.3, 1.1), 'mode': 'nearest-exact'}),
        ('linear-same-size', x3, {'scale_factor': 1.1, 'mode': 'linear'}),
        ('trilinear-same-size', x5, {'scale_factor': (1.3, 1.0, 2.0), 'mode': 'trilinear'}),
    ]:
        c(f'interpolate/{name}', 'F.interpolate', x, kw=kw, **tol)
    # PyTorch's nearest backward special-cases out = 2 in (dst >> 1) and out = in where its forward does not:
    # graft's gradient differs there (test/conformance/documented.ts)
    c('interpolate/nearest-1d-double', 'F.interpolate', RN(1, 2, 3), kw={'scale_factor': 2.1})
    c('interpolate/nearest-2d-same-size', 'F.interpolate', x4, kw={'scale_factor': (1.3, 2.1)})
    c('interpolate/none', 'F.interpolate', x4, err=('ValueError', 'either size or scale_factor should be defined'))
    c('interpolate/both', 'F.interpolate', x4, kw={'size': 2, 'scale_factor': 2}, err=('ValueError', 'only one of size or scale_factor should be defined'))
    c('interpolate/align-nearest', 'F.interpolate', x4, kw={'size': 2, 'align_corners': True},
      err=('ValueError', 'align_corners option can only be set with the interpolating modes: linear | bilinear | bicubic | trilinear'))
    c('interpolate/linear-4d', 'F.interpolate', x4, kw={'size': 2, 'mode': 'linear'}, err=('ValueError', 'Got 4D input, but linear mode needs 3D input'))
    c('interpolate/size-rank', 'F.interpolate', x4, kw={'size': [2, 2, 2]}, err=('ValueError', 'Input and output must have the same number of spatial dimensions'))
    c('interpolate/2d-input', 'F.interpolate', RN(3, 4), kw={'size': 2}, err=('ValueError', 'Only 3D, 4D and 5D input Tensors supported (got 2D)'))
    c('interpolate/bad-mode', 'F.interpolate', x4, kw={'size': 2, 'mode': 'foo'}, err=('ValueError', 'Only 3D, 4D and 5D input Tensors supported (got 4D)'))
    c('interpolate/zero-size', 'F.interpolate', x4, kw={'scale_factor': 0.1},
      err=('ShapeError', 'Input and output sizes should be greater than 0, but got input (H: 3, W: 4) output (H: 0, W: 0)'))

    # pixel shuffle / unshuffle
    c('pixel_shuffle/basic', 'F.pixel_shuffle', RN(2, 8, 2, 3), 2)
    c('pixel_shuffle/batch-dims', 'F.pixel_shuffle', RN(2, 1, 9, 2, 2), 3)
    c('pixel_shuffle/unbatched', 'F.pixel_shuffle', RN(4, 2, 2), 2)
    c('pixel_unshuffle/basic', 'F.pixel_unshuffle', RN(2, 2, 4, 6), 2)
    c('pixel_unshuffle/unbatched', 'F.pixel_unshuffle', RN(1, 3, 6), 3)
    c('pixel_shuffle/channels', 'F.pixel_shuffle', RN(5, 2, 2), 2,
      err=('ShapeError', "pixel_shuffle expects its input's 'channel' dimension to be divisible by the square of upscale_factor, but input.size(-3)=5 is not divisible by 4"))
    c('pixel_shuffle/rank', 'F.pixel_shuffle', RN(5, 2), 2, err=('ShapeError', 'pixel_shuffle expects input to have at least 3 dimensions, but got input with 2 dimension(s)'))
    c('pixel_shuffle/factor', 'F.pixel_shuffle', RN(5, 2, 2), 0, err=('ValueError', 'pixel_shuffle expects a positive upscale_factor, but got 0'))
    c('pixel_unshuffle/height', 'F.pixel_unshuffle', RN(1, 5, 2), 2,
      err=('ShapeError', 'pixel_unshuffle expects height to be divisible by downscale_factor, but input.size(-2)=5 is not divisible by 2'))

    # embedding max_norm: the weight is renormalized in place (rows looked up only), then read
    emb = T([[3.0, 4.0], [0.3, 0.4], [1.0, -2.0], [6.0, 8.0]], grad=False)
    c('embedding/max-norm', 'F.embedding', I([[0, 1], [0, 2]]), emb, kw={'max_norm': 1.0}, mutates=True)
    c('embedding/max-norm-p1', 'F.embedding', I([3, 1]), T([[3.0, 4.0], [0.3, 0.4], [1.0, -2.0], [6.0, 8.0]], grad=False), kw={'max_norm': 2.5, 'norm_type': 1.0}, mutates=True)
    c('embedding/max-norm-inf', 'F.embedding', I([2, 3, 3]), T([[3.0, 4.0], [0.3, 0.4], [1.0, -2.0], [6.0, 8.0]], grad=False), kw={'max_norm': 1.5, 'norm_type': float('inf')}, mutates=True)
    c('embedding/max-norm-grad', 'F.embedding', I([[1, 3], [0, 1]]), R(4, 3), kw={'max_norm': 1.2, 'padding_idx': 0})

    # modules with given weights: ('nn.Name', ctor args, ctor kwargs, params, *inputs)
    def mod(id, name, args, kwargs, params, *inputs, **kw):
        c(f'module/{id}', f'nn.{name}', list(args), kwargs, params, *inputs, **kw)
    mod('group-norm', 'GroupNorm', [2, 4], {}, {'weight': RN(4), 'bias': RN(4)}, RN(2, 4, 3), **gn)
    mod('group-norm-no-affine', 'GroupNorm', [3, 6], {'affine': False, 'eps': 1e-3}, {}, RN(2, 6, 2, 2), **gn)
    mod('instance-norm2d', 'InstanceNorm2d', [3], {}, {}, RN(2, 3, 3, 4), **gn)
    mod('instance-norm2d-affine', 'InstanceNorm2d', [3], {'affine': True}, {'weight': RN(3), 'bias': RN(3)}, RN(2, 3, 3, 4), **gn)
    mod('instance-norm2d-unbatched', 'InstanceNorm2d', [2], {'affine': True}, {'weight': RN(2), 'bias': RN(2)}, RN(2, 3, 3), **gn)
    mod('instance-norm1d', 'InstanceNorm1d', [3], {}, {}, RN(2, 3, 5), **gn)
    mod('instance-norm3d', 'InstanceNorm3d', [2], {}, {}, RN(1, 2, 2, 2, 3), **gn)
    mod('instance-norm2d-rank', 'InstanceNorm2d', [3], {}, {}, RN(3, 3), err=('ValueError', 'expected 3D or 4D input (got 2D input)'))
    mod('layer-norm-no-affine', 'LayerNorm', [[3, 4]], {'elementwise_affine': False}, {}, RN(2, 3, 4), **gn)
    mod('conv-transpose2d', 'ConvTranspose2d', [4, 6, 3], {'stride': 2, 'padding': 1, 'output_padding': 1, 'groups': 2},
        {'weight': RN(4, 3, 3, 3), 'bias': RN(6)}, RN(2, 4, 3, 3), **tol)
    mod('conv-transpose2d-no-bias', 'ConvTranspose2d', [2, 3, (2, 3)], {'bias': False, 'dilation': 2}, {'weight': RN(2, 3, 2, 3)}, RN(1, 2, 3, 3), **tol)
    mod('conv-transpose1d', 'ConvTranspose1d', [2, 3, 3], {'stride': 2}, {'weight': RN(2, 3, 3), 'bias': RN(3)}, RN(2, 2, 4), **tol)
    mod('conv-transpose3d', 'ConvTranspose3d', [2, 2, 2], {'stride': 2}, {'weight': RN(2, 2, 2, 2, 2), 'bias': RN(2)}, RN(1, 2, 2, 2, 2), **tol)
    mod('conv3d', 'Conv3d', [2, 3, (2, 3, 2)], {'padding': 1, 'stride': (1, 2, 1)}, {'weight': RN(3, 2, 2, 3, 2), 'bias': RN(3)}, RN(2, 2, 3, 4, 3), **tol)
    for pm in ('reflect', 'replicate', 'circular'):
        mod(f'conv3d-{pm}', 'Conv3d', [2, 2, 3], {'padding': 1, 'padding_mode': pm}, {'weight': RN(2, 2, 3, 3, 3), 'bias': RN(2)}, RN(1, 2, 3, 4, 3), **tol)
    mod('upsample-nearest', 'Upsample', [], {'scale_factor': 2}, {}, RN(1, 2, 2, 3))
    mod('upsample-bilinear', 'Upsample', [], {'size': (3, 5), 'mode': 'bilinear', 'align_corners': True}, {}, RN(1, 2, 2, 3), **tol)
    mod('upsampling-nearest2d', 'UpsamplingNearest2d', [], {'scale_factor': 3}, {}, RN(1, 1, 2, 2))
    mod('upsampling-bilinear2d', 'UpsamplingBilinear2d', [], {'size': (3, 4)}, {}, RN(1, 1, 2, 2), **tol)
    mod('pixel-shuffle', 'PixelShuffle', [2], {}, {}, RN(1, 8, 2, 2))
    mod('pixel-unshuffle', 'PixelUnshuffle', [2], {}, {}, RN(1, 2, 4, 2))
    mod('embedding-padding-max-norm', 'Embedding', [5, 3], {'padding_idx': 1, 'max_norm': 1.0}, {'weight': R(5, 3)}, I([[0, 1], [4, 0]]))
    mod('unflatten', 'Unflatten', [1, (2, 3)], {}, {}, RN(2, 6, 2))
    mod('unflatten-infer', 'Unflatten', [-1, (2, -1)], {}, {}, RN(3, 8))
    return c
