/**
 * Gradients of the nn layers of issue 14 (transposed and 3-D convolution, group and instance norm,
 * interpolate, pixel (un)shuffle) against central finite differences of the forward, in float64 on interp.
 */
import { describe, it } from 'vitest';
import * as torch from '../../src/index.js';
import { checkGrads, make } from './fd.js';

const F = torch.nn.functional;

describe('gradients vs finite differences (float64, interp): issue 14 layers', () => {
  it('convTranspose2d: stride, padding, outputPadding, dilation, groups, bias', () => {
    checkGrads((x, w, b) => F.convTranspose2d(x, w, b, { stride: [2, 1], padding: [1, 0], outputPadding: [1, 0], groups: 2 }), [
      { shape: [1, 4, 3, 3] },
      { shape: [4, 1, 3, 2] },
      { shape: [2] },
    ]);
    checkGrads((x, w) => F.convTranspose2d(x, w, null, { dilation: 2, padding: 2 }), [{ shape: [2, 2, 3, 3] }, { shape: [2, 3, 2, 2] }]);
  });

  it('convTranspose1d and convTranspose3d; conv3d', () => {
    checkGrads((x, w, b) => F.convTranspose1d(x, w, b, { stride: 3, padding: 1, outputPadding: 2 }), [{ shape: [2, 2, 4] }, { shape: [2, 3, 3] }, { shape: [3] }]);
    checkGrads((x, w) => F.convTranspose3d(x, w, null, { stride: [1, 2, 1] }), [{ shape: [1, 2, 2, 2, 2] }, { shape: [2, 1, 2, 2, 2] }]);
    checkGrads((x, w, b) => F.conv3d(x, w, b, { stride: [1, 2, 1], padding: 1, groups: 2 }), [{ shape: [1, 4, 3, 4, 3] }, { shape: [2, 2, 2, 2, 2] }, { shape: [2] }]);
  });

  it('groupNorm (x, weight, bias) and instanceNorm (input statistics; running statistics)', () => {
    checkGrads((x, w, b) => F.groupNorm(x, 2, { weight: w, bias: b }), [{ shape: [2, 4, 3] }, { shape: [4] }, { shape: [4] }], { rtol: 1e-4 });
    checkGrads((x, w, b) => F.instanceNorm(x, { weight: w, bias: b }), [{ shape: [2, 3, 2, 2] }, { shape: [3] }, { shape: [3] }], { rtol: 1e-4 });
    const rm = make([0.3, -0.2], [2]);
    const rv = make([1.5, 0.7], [2]);
    checkGrads((x, w) => F.instanceNorm(x, rm, rv, { weight: w, useInputStats: false }), [{ shape: [2, 2, 3] }, { shape: [2] }]);
  });

  it('interpolate: nearest, nearest-exact, bilinear (alignCorners both ways), linear, trilinear, bicubic', () => {
    checkGrads((x) => F.interpolate(x, { size: [5, 3] }), [{ shape: [1, 2, 3, 4] }]);
    checkGrads((x) => F.interpolate(x, { scaleFactor: 1.7, mode: 'nearest-exact' }), [{ shape: [1, 1, 3, 3] }]);
    checkGrads((x) => F.interpolate(x, { size: [5, 2], mode: 'bilinear' }), [{ shape: [1, 2, 3, 4] }]);
    checkGrads((x) => F.interpolate(x, { scaleFactor: [1.5, 2], mode: 'bilinear', alignCorners: true }), [{ shape: [1, 1, 3, 3] }]);
    checkGrads((x) => F.interpolate(x, { size: 7, mode: 'linear' }), [{ shape: [2, 1, 4] }]);
    checkGrads((x) => F.interpolate(x, { size: [3, 2, 3], mode: 'trilinear' }), [{ shape: [1, 1, 2, 3, 2] }]);
    checkGrads((x) => F.interpolate(x, { size: [5, 2], mode: 'bicubic' }), [{ shape: [1, 2, 3, 4] }]);
    checkGrads((x) => F.interpolate(x, { scaleFactor: 1.5, mode: 'bicubic', alignCorners: true }), [{ shape: [1, 1, 3, 3] }]);
  });

  it('pixelShuffle and pixelUnshuffle', () => {
    checkGrads((x) => F.pixelShuffle(x, 2), [{ shape: [1, 8, 2, 3] }]);
    checkGrads((x) => F.pixelUnshuffle(x, 2), [{ shape: [2, 1, 4, 2] }]);
  });
});
