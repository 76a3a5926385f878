/**
 * torch.nn.init: fill tensors in place (under noGrad), with PyTorch's fan computations and gains.
 */
import { z } from 'zod';
import { ArgumentError, numel, ValueError } from '../ir/index.js';
import { noGrad, rand, randn, Tensor } from '../tensor/index.js';
import { checked, defineOptions, describeValue, real } from '../tensor/options.js';

function checkTensor(op: string, t: unknown): asserts t is Tensor {
  if (!(t instanceof Tensor)) throw new ArgumentError(`${op}(): argument 'tensor' must be a Tensor, not ${describeValue(t)}`);
}
function checkNumber(op: string, name: string, v: unknown): asserts v is number {
  if (typeof v !== 'number' || Number.isNaN(v)) throw new ArgumentError(`${op}(): argument '${name}' must be a number, not ${describeValue(v)}`);
}

/** fan_in and fan_out of a weight: [out, in, *kernel]. */
export function calculateFanInAndFanOut(t: Tensor): [number, number] {
  checkTensor('calculateFanInAndFanOut', t);
  const s = t.shape;
  if (s.length < 2) throw new ValueError('Fan in and fan out can not be computed for tensor with fewer than 2 dimensions');
  const receptive = numel(s.slice(2));
  return [s[1]! * receptive, s[0]! * receptive];
}

export type Nonlinearity = 'linear' | 'conv1d' | 'conv2d' | 'sigmoid' | 'tanh' | 'relu' | 'leaky_relu' | 'selu';

export function calculateGain(nonlinearity: Nonlinearity, param?: number): number {
  if (param !== undefined && param !== null) checkNumber('calculateGain', 'param', param);
  switch (nonlinearity) {
    case 'linear':
    case 'conv1d':
    case 'conv2d':
    case 'sigmoid':
      return 1;
    case 'tanh':
      return 5 / 3;
    case 'relu':
      return Math.SQRT2;
    case 'leaky_relu': {
      const slope = param ?? 0.01;
      return Math.sqrt(2 / (1 + slope * slope));
    }
    case 'selu':
      return 3 / 4;
    default:
      throw new ValueError(`calculateGain(): Unsupported nonlinearity ${describeValue(nonlinearity)}`);
  }
}

export function uniform_(t: Tensor, a = 0, b = 1): Tensor {
  checkTensor('uniform_', t);
  checkNumber('uniform_', 'a', a);
  checkNumber('uniform_', 'b', b);
  return noGrad(() => t.copy_(rand(t.shape, { dtype: t.dtype, device: t.device }).mul(b - a).add(a)));
}
export function normal_(t: Tensor, mean = 0, std = 1): Tensor {
  checkTensor('normal_', t);
  checkNumber('normal_', 'mean', mean);
  checkNumber('normal_', 'std', std);
  return noGrad(() => t.copy_(randn(t.shape, { dtype: t.dtype, device: t.device }).mul(std).add(mean)));
}
export function constant_(t: Tensor, value: number): Tensor {
  checkTensor('constant_', t);
  if (typeof value !== 'number' && typeof value !== 'boolean') throw new ArgumentError(`constant_(): argument 'val' must be a number, not ${describeValue(value)}`);
  return noGrad(() => t.fill_(value));
}
export const zeros_ = (t: Tensor): Tensor => constant_(t, 0);
export const ones_ = (t: Tensor): Tensor => constant_(t, 1);

function fan(t: Tensor, mode: 'fan_in' | 'fan_out'): number {
  const [fi, fo] = calculateFanInAndFanOut(t);
  return mode === 'fan_in' ? fi : fo;
}

export interface KaimingOptions {
  a?: number;
  mode?: 'fan_in' | 'fan_out';
  nonlinearity?: Nonlinearity;
}
const kaimingShape = { a: real.optional(), mode: z.enum(['fan_in', 'fan_out']).optional(), nonlinearity: z.string().optional() };
const KAIMING_UNIFORM_OPTIONS = defineOptions('kaimingUniform_', kaimingShape);
const KAIMING_NORMAL_OPTIONS = defineOptions('kaimingNormal_', kaimingShape);

export function kaimingUniform_(t: Tensor, o?: KaimingOptions): Tensor {
  o = checked(KAIMING_UNIFORM_OPTIONS, o);
  const gain = calculateGain(o.nonlinearity ?? 'leaky_relu', o.a ?? 0);
  const bound = gain * Math.sqrt(3 / fan(t, o.mode ?? 'fan_in'));
  return uniform_(t, -bound, bound);
}
export function kaimingNormal_(t: Tensor, o?: KaimingOptions): Tensor {
  o = checked(KAIMING_NORMAL_OPTIONS, o);
  const gain = calculateGain(o.nonlinearity ?? 'leaky_relu', o.a ?? 0);
  return normal_(t, 0, gain / Math.sqrt(fan(t, o.mode ?? 'fan_in')));
}
export function xavierUniform_(t: Tensor, gain = 1): Tensor {
  checkNumber('xavierUniform_', 'gain', gain);
  const [fi, fo] = calculateFanInAndFanOut(t);
  const a = gain * Math.sqrt(6 / (fi + fo));
  return uniform_(t, -a, a);
}
export function xavierNormal_(t: Tensor, gain = 1): Tensor {
  checkNumber('xavierNormal_', 'gain', gain);
  const [fi, fo] = calculateFanInAndFanOut(t);
  return normal_(t, 0, gain * Math.sqrt(2 / (fi + fo)));
}
