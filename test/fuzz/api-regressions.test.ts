/**
 * Inputs the API fuzzers and the sweep found that made graft throw something other than a graft error
 * (TypeError, RangeError, an internal IR error), one line each, kept small. Each must now give a graft error
 * and leave its tensor arguments as they were.
 */
import { describe, expect, it } from 'vitest';
import * as torch from '../../src/index.js';

const { nn } = torch;
const f32 = (): torch.Tensor => torch.tensor([1, 2, 3, 4, 5, 6], { dtype: torch.float32 }).reshape([2, 3]);
const idx = (): torch.Tensor => torch.tensor([-1], { dtype: torch.int32 }).reshape([]);

type Case = [string, (x: torch.Tensor) => unknown];

const CASES: Case[] = [
  // Functional forms whose tensor argument was read before it was checked.
  ['torch.flatten()', () => (torch.flatten as () => unknown)()],
  ['torch.take(0, index)', () => torch.take(0 as never, idx())],
  ['torch.gather(null, 0, index)', () => torch.gather(null as never, 0, idx())],
  ['torch.scatter(x, 0, index, "a")', (x) => torch.scatter(x, 0, torch.zeros(2, 3, { dtype: torch.int32 }), 'a' as never)],
  ['torch.zerosLike(undefined)', () => torch.zerosLike(undefined as never)],
  ['torch.pad(undefined, [1, 1])', () => torch.pad(undefined as never, [1, 1])],
  ['torch.index(5)', () => torch.index(5 as never)],
  ['torch.indexPut(null, 0, 1)', () => torch.indexPut(null as never, 0, 1)],
  ['torch.formatTensor({})', () => torch.formatTensor({} as never)],
  ['torch.fromNumpy(null)', () => torch.fromNumpy(null as never)],
  ['torch.fromNumpy({ data, shape: 3 })', () => torch.fromNumpy({ data: Float32Array.of(1), shape: 3 } as never)],
  ['nn.functional.binaryCrossEntropy(x)', (x) => nn.functional.binaryCrossEntropy(x, undefined as never)],
  ['nn.functional.adaptiveAvgPool1d(x, {})', (x) => nn.functional.adaptiveAvgPool1d(x, {} as never)],
  ['func.vjp(5, x)', (x) => torch.func.vjp(5 as never, x)],
  // Methods with missing or mistyped arguments.
  ['x.viewAs()', (x) => (x.viewAs as () => unknown)()],
  ['x.reshape(2n)', (x) => x.reshape(2n as never)],
  ['x.view(x)', (x) => x.view(x as never)],
  ['x.squeeze(2n)', (x) => x.squeeze(2n as never)],
  ['x.movedim("a", 0)', (x) => x.movedim('a' as never, 0)],
  ['x.split("a")', (x) => x.split('a' as never)],
  ['x.roll(0, "a")', (x) => x.roll(0, 'a' as never)],
  ['x.tril(null)', (x) => x.tril(null as never)],
  ['x.nonzero(null)', (x) => x.nonzero(null as never)],
  ['x.flatten(null)', (x) => x.flatten(null as never)],
  ['x.to(undefined)', (x) => x.to(undefined as never)],
  ['x.size(null)', (x) => x.size(null as never)],
  ['x.stride(7)', (x) => x.stride(7)],
  ['x.indexPut_(0, 1, null)', (x) => x.indexPut_(0, 1, null as never)],
  ['x.backward(null, null)', (x) => x.sum().backward(null, null as never)],
  ['0-d x.movedim(0, 0)', () => torch.tensor(1.5, { dtype: torch.float32 }).movedim(0, 0).movedim(0, 1)],
  // Objects of graft's classes built or called with junk.
  ['new torch.Tensor()', () => new (torch.Tensor as unknown as new () => unknown)()],
  ['new torch.NDArray().get()', () => new (torch.NDArray as unknown as new () => { get(): number })().get()],
  ['torch.canCast({}, "int32")', () => torch.canCast({} as never, 'int32')],
  ['torch.setDefaultDevice(null)', () => torch.setDefaultDevice(null as never)],
  ['torch.cuda.synchronize(5)', () => torch.cuda.synchronize(5 as never)],
  ['torch.setPrintOptions(5)', () => torch.setPrintOptions(5 as never)],
  ['torch.ir.kernels(undefined)', () => torch.ir.kernels(undefined as never)],
  ['new torch.Generator().setState(null)', () => new torch.Generator().setState(null as never)],
  ['new nn.ModuleList(0)', () => new nn.ModuleList(0 as never)],
  ['new nn.Sequential().at("a")', () => new nn.Sequential().at('a' as never)],
  ['new nn.Flatten().forward()', () => (new nn.Flatten().forward as () => unknown)()],
  ['new nn.BatchNorm1d(2).forward()', () => (new nn.BatchNorm1d(2).forward as () => unknown)()],
  ['new nn.ModuleList().namedModules([], x)', (x) => new nn.ModuleList().namedModules([] as never, x as never)],
  ['new TensorDataset(x).getBatch()', (x) => (new torch.utils.data.TensorDataset(x).getBatch as () => unknown)()],
  ['new optim.Optimizer([p], {})', () => new (torch.optim.Optimizer as unknown as new (...a: unknown[]) => unknown)([torch.ones(1)], {})],
  ['new optim.Adam([p], {}, 5)', () => new (torch.optim.Adam as unknown as new (...a: unknown[]) => unknown)([torch.ones(1, { requiresGrad: true })], { lr: NaN }, 5)],
  ['new autograd.Variable(x, null)', (x) => new torch.autograd.Variable(x, null as never)],
  ['torch.erfinv(x, { out: [] })', (x) => torch.erfinv(x, { out: [] as never })],
  ['int16 x.numpy().set()', () => (torch.tensor(-1, { dtype: torch.int16 }).numpy().set as () => unknown)()],
  ['torch.chunk(empty, 2^53)', () => torch.chunk(torch.zeros([0]), 2 ** 53)],
];

describe('inputs fuzzing found give graft errors and change nothing', () => {
  it.each(CASES)('%s', (_, call) => {
    const x = f32();
    const before = x.tolist();
    let thrown: unknown;
    try {
      call(x);
    } catch (e) {
      thrown = e;
    }
    expect(thrown, 'expected an error').toBeInstanceOf(torch.GraftError);
    expect(x.tolist()).toEqual(before);
  });
});
