/**
 * Printing tensors. Every expected string is what PyTorch 1.13 prints for the same values (the cases were run
 * through `repr()` of torch tensors built alike: float32, int64 for graft's int32, bool, float64).
 */
import { inspect } from 'node:util';
import { afterEach, describe, expect, it } from 'vitest';
import * as torch from '../../src/index.js';
import { makeView } from '../../src/tensor/tensor.js';

const F32 = { dtype: 'float32' } as const;
const lines = (...ls: string[]): string => ls.join('\n');

/** A tensor of n values f(0..n-1) with a shape (values rounded to the dtype, as torch.tensor does). */
function values(n: number, f: (i: number) => number, shape: number[] = [n], dtype: torch.DType = 'float32'): torch.Tensor {
  const flat = Array.from({ length: n }, (_, i) => f(i));
  const nest = (off: number, d: number): unknown =>
    d === shape.length ? flat[off] : Array.from({ length: shape[d]! }, (_, i) => nest(off + i * shape.slice(d + 1).reduce((a, b) => a * b, 1), d + 1));
  return torch.tensor(nest(0, 0) as torch.NestedArray, { dtype });
}

afterEach(() => torch.setPrintOptions({ profile: 'default' }));

describe('printing tensors as PyTorch does', () => {
  const cases: [string, () => torch.Tensor, string][] = [
    ['matrix', () => torch.tensor([[0.1234, 0.5678], [1, 2]]), lines(
        'tensor([[0.1234, 0.5678],',
        '        [1.0000, 2.0000]])',
      )],
    ['intvalued', () => torch.tensor([1, 2], F32), 'tensor([1., 2.])'],
    ['sci', () => torch.tensor([1e-5, 1e3]), 'tensor([1.0000e-05, 1.0000e+03])'],
    ['width', () => torch.tensor([1.5, -20.25, 300.125]), 'tensor([  1.5000, -20.2500, 300.1250])'],
    ['negsmall', () => torch.tensor([-1.5, 0.25]), 'tensor([-1.5000,  0.2500])'],
    ['ints', () => torch.tensor([1n, -20n, 300n]), 'tensor([  1, -20, 300])'],
    ['int32', () => torch.tensor([1, 2], { dtype: 'int32' }), 'tensor([1, 2], dtype=torch.int32)'],
    ['int32matrix', () => values(12, (i) => i, [3, 4], 'int32'), lines(
        'tensor([[ 0,  1,  2,  3],',
        '        [ 4,  5,  6,  7],',
        '        [ 8,  9, 10, 11]], dtype=torch.int32)',
      )],
    ['int64big', () => torch.tensor([2n ** 62n + 1n, -3n]), 'tensor([4611686018427387905,                  -3])'],
    ['int64extremes', () => torch.tensor([-(2n ** 63n), 2n ** 63n - 1n]), 'tensor([-9223372036854775808,  9223372036854775807])'],
    ['emptylong', () => torch.zeros(0, { dtype: 'int64' }), 'tensor([], dtype=torch.int64)'],
    ['bools', () => torch.tensor([true, false]), 'tensor([ True, False])'],
    ['boolmatrix', () => torch.tensor([[true, false, true], [false, false, true]]), lines(
        'tensor([[ True, False,  True],',
        '        [False, False,  True]])',
      )],
    ['scalar3', () => torch.tensor(3, F32), 'tensor(3.)'],
    ['scalarhalf', () => torch.tensor(0.5), 'tensor(0.5000)'],
    ['scalarint', () => torch.tensor(7n), 'tensor(7)'],
    ['scalarbool', () => torch.tensor(true), 'tensor(True)'],
    ['scalarnan', () => torch.tensor(NaN), 'tensor(nan)'],
    ['empty', () => torch.tensor([]), 'tensor([])'],
    ['empty03', () => torch.zeros(0, 3), 'tensor([], size=(0, 3))'],
    ['emptyint', () => torch.zeros(0, { dtype: 'int32' }), 'tensor([], dtype=torch.int32)'],
    ['emptybool', () => torch.zeros(2, 0, { dtype: 'bool' }), 'tensor([], size=(2, 0), dtype=torch.bool)'],
    ['emptyf64', () => torch.zeros(0, { dtype: 'float64' }), 'tensor([], dtype=torch.float64)'],
    ['naninf', () => torch.tensor([NaN, Infinity, -Infinity, 1.5]), 'tensor([   nan,    inf,   -inf, 1.5000])'],
    ['nanint', () => torch.tensor([NaN, 1, -2]), 'tensor([nan,  1., -2.])'],
    ['zeros', () => torch.tensor([0, 0], F32), 'tensor([0., 0.])'],
    ['nonfinite', () => torch.tensor([NaN, Infinity]), 'tensor([nan, inf])'],
    ['negzero', () => torch.tensor([-0, 1.5]), 'tensor([-0.0000, 1.5000])'],
    ['intsci_big', () => torch.tensor([1, 1e9], F32), 'tensor([1.0000e+00, 1.0000e+09])'],
    ['intsci_ratio', () => torch.tensor([1, 2000], F32), 'tensor([1.0000e+00, 2.0000e+03])'],
    ['tie', () => torch.tensor([1.03125, 1.09375]), 'tensor([1.0312, 1.0938])'],
    ['tiesci', () => torch.tensor([103125, 1.5]), 'tensor([1.0312e+05, 1.5000e+00])'],
    ['f64', () => torch.tensor([1.5, 2], { dtype: 'float64' }), 'tensor([1.5000, 2.0000], dtype=torch.float64)'],
    ['reqgrad', () => torch.tensor([1, 2], { dtype: 'float32', requiresGrad: true }), 'tensor([1., 2.], requires_grad=True)'],
    ['gradfn', () => torch.tensor([1, 2], { dtype: 'float32', requiresGrad: true }).mul(2), 'tensor([2., 4.], grad_fn=<MulBackward0>)'],
    ['wrap1d', () => values(30, (i) => i / 7), lines(
        'tensor([0.0000, 0.1429, 0.2857, 0.4286, 0.5714, 0.7143, 0.8571, 1.0000, 1.1429,',
        '        1.2857, 1.4286, 1.5714, 1.7143, 1.8571, 2.0000, 2.1429, 2.2857, 2.4286,',
        '        2.5714, 2.7143, 2.8571, 3.0000, 3.1429, 3.2857, 3.4286, 3.5714, 3.7143,',
        '        3.8571, 4.0000, 4.1429])',
      )],
    ['wrap2d', () => values(40, (i) => ((i * 37) % 101) / 8, [2, 20]), lines(
        'tensor([[ 0.0000,  4.6250,  9.2500,  1.2500,  5.8750, 10.5000,  2.5000,  7.1250,',
        '         11.7500,  3.7500,  8.3750,  0.3750,  5.0000,  9.6250,  1.6250,  6.2500,',
        '         10.8750,  2.8750,  7.5000, 12.1250],',
        '        [ 4.1250,  8.7500,  0.7500,  5.3750, 10.0000,  2.0000,  6.6250, 11.2500,',
        '          3.2500,  7.8750, 12.5000,  4.5000,  9.1250,  1.1250,  5.7500, 10.3750,',
        '          2.3750,  7.0000, 11.6250,  3.6250]])',
      )],
    ['suffixwrap', () => values(10, (i) => i / 3, [10], 'float64'), lines(
        'tensor([0.0000, 0.3333, 0.6667, 1.0000, 1.3333, 1.6667, 2.0000, 2.3333, 2.6667,',
        '        3.0000], dtype=torch.float64)',
      )],
    ['suffixwrap2d', () => values(24, (i) => i / 3, [2, 12], 'float64'), lines(
        'tensor([[0.0000, 0.3333, 0.6667, 1.0000, 1.3333, 1.6667, 2.0000, 2.3333, 2.6667,',
        '         3.0000, 3.3333, 3.6667],',
        '        [4.0000, 4.3333, 4.6667, 5.0000, 5.3333, 5.6667, 6.0000, 6.3333, 6.6667,',
        '         7.0000, 7.3333, 7.6667]], dtype=torch.float64)',
      )],
    ['3d', () => values(24, (i) => i, [2, 3, 4], 'float32'), lines(
        'tensor([[[ 0.,  1.,  2.,  3.],',
        '         [ 4.,  5.,  6.,  7.],',
        '         [ 8.,  9., 10., 11.]],',
        '',
        '        [[12., 13., 14., 15.],',
        '         [16., 17., 18., 19.],',
        '         [20., 21., 22., 23.]]])',
      )],
    ['4d', () => values(16, (i) => i, [2, 2, 2, 2], 'int64'), lines(
        'tensor([[[[ 0,  1],',
        '          [ 2,  3]],',
        '',
        '         [[ 4,  5],',
        '          [ 6,  7]]],',
        '',
        '',
        '        [[[ 8,  9],',
        '          [10, 11]],',
        '',
        '         [[12, 13],',
        '          [14, 15]]]])',
      )],
    ['longint', () => values(40, (i) => i * 1000, [40], 'int64'), lines(
        'tensor([    0,  1000,  2000,  3000,  4000,  5000,  6000,  7000,  8000,  9000,',
        '        10000, 11000, 12000, 13000, 14000, 15000, 16000, 17000, 18000, 19000,',
        '        20000, 21000, 22000, 23000, 24000, 25000, 26000, 27000, 28000, 29000,',
        '        30000, 31000, 32000, 33000, 34000, 35000, 36000, 37000, 38000, 39000])',
      )],
    ['summ1d', () => values(1001, (i) => i, [1001], 'int64'), 'tensor([   0,    1,    2,  ...,  998,  999, 1000])'],
    ['summ1df', () => values(2000, (i) => ((i * 37) % 101) / 8), 'tensor([ 0.0000,  4.6250,  9.2500,  ...,  7.2500, 11.8750,  3.8750])'],
    ['summ2d', () => values(2000, (i) => i * 0.5, [50, 40], 'float32'), lines(
        'tensor([[0.0000e+00, 5.0000e-01, 1.0000e+00,  ..., 1.8500e+01, 1.9000e+01,',
        '         1.9500e+01],',
        '        [2.0000e+01, 2.0500e+01, 2.1000e+01,  ..., 3.8500e+01, 3.9000e+01,',
        '         3.9500e+01],',
        '        [4.0000e+01, 4.0500e+01, 4.1000e+01,  ..., 5.8500e+01, 5.9000e+01,',
        '         5.9500e+01],',
        '        ...,',
        '        [9.4000e+02, 9.4050e+02, 9.4100e+02,  ..., 9.5850e+02, 9.5900e+02,',
        '         9.5950e+02],',
        '        [9.6000e+02, 9.6050e+02, 9.6100e+02,  ..., 9.7850e+02, 9.7900e+02,',
        '         9.7950e+02],',
        '        [9.8000e+02, 9.8050e+02, 9.8100e+02,  ..., 9.9850e+02, 9.9900e+02,',
        '         9.9950e+02]])',
      )],
    ['summ3d', () => values(1331, (i) => (i % 17) - 8, [11, 11, 11], 'float32'), lines(
        'tensor([[[-8., -7., -6.,  ...,  0.,  1.,  2.],',
        '         [ 3.,  4.,  5.,  ..., -6., -5., -4.],',
        '         [-3., -2., -1.,  ...,  5.,  6.,  7.],',
        '         ...,',
        '         [-5., -4., -3.,  ...,  3.,  4.,  5.],',
        '         [ 6.,  7.,  8.,  ..., -3., -2., -1.],',
        '         [ 0.,  1.,  2.,  ...,  8., -8., -7.]],',
        '',
        '        [[-6., -5., -4.,  ...,  2.,  3.,  4.],',
        '         [ 5.,  6.,  7.,  ..., -4., -3., -2.],',
        '         [-1.,  0.,  1.,  ...,  7.,  8., -8.],',
        '         ...,',
        '         [-3., -2., -1.,  ...,  5.,  6.,  7.],',
        '         [ 8., -8., -7.,  ..., -1.,  0.,  1.],',
        '         [ 2.,  3.,  4.,  ..., -7., -6., -5.]],',
        '',
        '        [[-4., -3., -2.,  ...,  4.,  5.,  6.],',
        '         [ 7.,  8., -8.,  ..., -2., -1.,  0.],',
        '         [ 1.,  2.,  3.,  ..., -8., -7., -6.],',
        '         ...,',
        '         [-1.,  0.,  1.,  ...,  7.,  8., -8.],',
        '         [-7., -6., -5.,  ...,  1.,  2.,  3.],',
        '         [ 4.,  5.,  6.,  ..., -5., -4., -3.]],',
        '',
        '        ...,',
        '',
        '        [[ 8., -8., -7.,  ..., -1.,  0.,  1.],',
        '         [ 2.,  3.,  4.,  ..., -7., -6., -5.],',
        '         [-4., -3., -2.,  ...,  4.,  5.,  6.],',
        '         ...,',
        '         [-6., -5., -4.,  ...,  2.,  3.,  4.],',
        '         [ 5.,  6.,  7.,  ..., -4., -3., -2.],',
        '         [-1.,  0.,  1.,  ...,  7.,  8., -8.]],',
        '',
        '        [[-7., -6., -5.,  ...,  1.,  2.,  3.],',
        '         [ 4.,  5.,  6.,  ..., -5., -4., -3.],',
        '         [-2., -1.,  0.,  ...,  6.,  7.,  8.],',
        '         ...,',
        '         [-4., -3., -2.,  ...,  4.,  5.,  6.],',
        '         [ 7.,  8., -8.,  ..., -2., -1.,  0.],',
        '         [ 1.,  2.,  3.,  ..., -8., -7., -6.]],',
        '',
        '        [[-5., -4., -3.,  ...,  3.,  4.,  5.],',
        '         [ 6.,  7.,  8.,  ..., -3., -2., -1.],',
        '         [ 0.,  1.,  2.,  ...,  8., -8., -7.],',
        '         ...,',
        '         [-2., -1.,  0.,  ...,  6.,  7.,  8.],',
        '         [-8., -7., -6.,  ...,  0.,  1.,  2.],',
        '         [ 3.,  4.,  5.,  ..., -6., -5., -4.]]])',
      )],
    ['summsci', () => values(1200, (i) => (i + 1) / 1e5, [40, 30]), lines(
        'tensor([[1.0000e-05, 2.0000e-05, 3.0000e-05,  ..., 2.8000e-04, 2.9000e-04,',
        '         3.0000e-04],',
        '        [3.1000e-04, 3.2000e-04, 3.3000e-04,  ..., 5.8000e-04, 5.9000e-04,',
        '         6.0000e-04],',
        '        [6.1000e-04, 6.2000e-04, 6.3000e-04,  ..., 8.8000e-04, 8.9000e-04,',
        '         9.0000e-04],',
        '        ...,',
        '        [1.1110e-02, 1.1120e-02, 1.1130e-02,  ..., 1.1380e-02, 1.1390e-02,',
        '         1.1400e-02],',
        '        [1.1410e-02, 1.1420e-02, 1.1430e-02,  ..., 1.1680e-02, 1.1690e-02,',
        '         1.1700e-02],',
        '        [1.1710e-02, 1.1720e-02, 1.1730e-02,  ..., 1.1980e-02, 1.1990e-02,',
        '         1.2000e-02]])',
      )],
  ];
  it.each(cases)('%s', (_name, make, expected) => {
    expect(make().toString()).toBe(expected);
  });

  it('prints the same through console.log (util.inspect) and String()', () => {
    const t = torch.tensor([[1.5, 2], [3, 4]]);
    expect(inspect(t)).toBe(lines('tensor([[1.5000, 2.0000],', '        [3.0000, 4.0000]])'));
    expect(String(t)).toBe(inspect(t));
    expect(inspect({ w: torch.tensor([1n, 2n]) })).toBe('{ w: tensor([1, 2]) }');
  });

  it('prints a view with its own values and a lazy result after computing it', () => {
    const x = torch.tensor([[1n, 2n, 3n], [4n, 5n, 6n]]);
    const xt = makeView('permute', x, [{ kind: 'permute', perm: [1, 0] }]);
    expect(xt.toString()).toBe(lines('tensor([[1, 4],', '        [2, 5],', '        [3, 6]])'));
    expect(x.add(0.5).toString()).toBe(lines('tensor([[1.5000, 2.5000, 3.5000],', '        [4.5000, 5.5000, 6.5000]])'));
  });

  it('names a device other than the default one', () => {
    const t = torch.tensor([1n, 2n], { device: 'interp' });
    expect(t.toString()).toBe("tensor([1, 2], device='interp')");
    expect(torch.tensor([1.5], { device: 'interp', dtype: 'float64' }).toString()).toBe("tensor([1.5000], device='interp', dtype=torch.float64)");
  });
});

describe('setPrintOptions', () => {
  it('sets the precision', () => {
    torch.setPrintOptions({ precision: 2 });
    expect(torch.tensor([1.12345, 2.5]).toString()).toBe('tensor([1.12, 2.50])');
  });
  it('forces scientific notation on and off (each call resets what it does not name, as PyTorch)', () => {
    torch.setPrintOptions({ precision: 2 });
    torch.setPrintOptions({ sciMode: true });
    expect(torch.getPrintOptions().precision).toBe(2);
    expect(torch.tensor([1.5, 2]).toString()).toBe('tensor([1.50e+00, 2.00e+00])');
    expect(torch.tensor([0, 0], F32).toString()).toBe('tensor([0., 0.])');
    torch.setPrintOptions({ sciMode: false });
    expect(torch.tensor([1e-5, 1e3]).toString()).toBe('tensor([    0.00,  1000.00])');
    torch.setPrintOptions({});
    expect(torch.getPrintOptions().sciMode).toBe(null);
  });
  it('summarizes above the threshold with edgeitems', () => {
    torch.setPrintOptions({ threshold: 5 });
    expect(values(10, (i) => i, [10], 'int64').toString()).toBe('tensor([0, 1, 2,  ..., 7, 8, 9])');
    torch.setPrintOptions({ threshold: 5, edgeitems: 1 });
    expect(values(12, (i) => i, [3, 4]).toString()).toBe(lines(
      'tensor([[ 0.,  ...,  3.],',
      '        ...,',
      '        [ 8.,  ..., 11.]])',
    ));
  });
  it('wraps at linewidth', () => {
    torch.setPrintOptions({ profile: 'default', linewidth: 40 });
    expect(values(12, (i) => i / 3).toString()).toBe(lines(
      'tensor([0.0000, 0.3333, 0.6667, 1.0000,',
      '        1.3333, 1.6667, 2.0000, 2.3333,',
      '        2.6667, 3.0000, 3.3333, 3.6667])',
    ));
  });
  it('has the short and full profiles', () => {
    torch.setPrintOptions({ profile: 'short' });
    expect(values(1200, (i) => i / 3).toString()).toBe('tensor([0.00e+00, 3.33e-01,  ..., 3.99e+02, 4.00e+02])');
    torch.setPrintOptions({ profile: 'full' });
    // PyTorch prints all 1200 elements of arange(1200) in 8000 characters.
    expect(values(1200, (i) => i, [1200], 'int64').toString().length).toBe(8000);
  });
  it('rejects bad options and leaves the options unchanged', () => {
    expect(() => torch.setPrintOptions({ precision: -1 })).toThrow(torch.ValueError);
    expect(() => torch.setPrintOptions({ profile: 'long' as 'full' })).toThrow(/unknown profile 'long'/);
    expect(() => torch.setPrintOptions({ profile: 'toString' as 'full' })).toThrow(torch.ValueError);
    expect(torch.getPrintOptions()).toEqual({ precision: 4, threshold: 1000, edgeitems: 3, linewidth: 80, sciMode: null });
  });
});
