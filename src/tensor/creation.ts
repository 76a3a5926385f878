/**
 * Creating tensors: from data (torch.tensor), constant fills, ranges, random numbers.
 * Fills and ranges are lazy IR nodes (no memory until realized); data is copied into a buffer at once.
 */
import {
  allocArray,
  ArgumentError,
  build,
  checkBufferSize,
  castScalar,
  checkDType,
  DEFAULT_FLOAT,
  dtypeOfArray,
  isFloat,
  ShapeError,
  ValueError,
  DTypeError,
  type DType,
  type Node,
  type TypedArray,
} from '../ir/index.js';
import { getDevice } from '../runtime/index.js';
import { defaultGenerator, Generator } from './generator.js';
import { bool, custom, defineOptions, describeValue, deviceArg, dtypeArg, type OptionsChecker } from './options.js';
import { fromNode, getDefaultDevice, Tensor } from './tensor.js';

export interface CreateOptions {
  dtype?: DType;
  device?: string;
  requiresGrad?: boolean;
}

/** A nested array of numbers/booleans, or a typed array. */
export type NestedArray = number | boolean | readonly NestedArray[];
export type TensorData = NestedArray | TypedArray;

const createShape = { dtype: dtypeArg.optional(), device: deviceArg.optional(), requiresGrad: bool.optional() };
const CREATE_OPTIONS = new Map<string, OptionsChecker>();
for (const op of ['tensor', 'zeros', 'ones', 'empty', 'full', 'zerosLike', 'onesLike', 'emptyLike', 'fullLike', 'arange', 'linspace', 'eye', 'rand', 'randn', 'randint', 'randLike', 'randnLike']) {
  CREATE_OPTIONS.set(op, defineOptions(op, createShape));
}
const RANDPERM_OPTIONS = defineOptions('randperm', { ...createShape, generator: custom<Generator>('a torch.Generator', (v) => v instanceof Generator).optional() });

/** @internal Check the options of a creation op (dtype, device, requiresGrad). */
export function checkCreateOptions(op: string, opts: unknown): void {
  CREATE_OPTIONS.get(op)!.check(opts);
}

/** @internal Refuse a tensor too large for one buffer now, as PyTorch would fail to allocate it. */
export function checkCreateSize(op: string, shape: readonly number[], dtype: DType, device: string): void {
  let n = 1;
  for (const d of shape) n *= d;
  checkBufferSize(dtype, n, `${op}(): a ${dtype} tensor of shape [${shape.join(', ')}] on ${device}`);
}

/** @internal A number argument of a creation op (start, end, steps, ...). */
function checkNumber(op: string, name: string, v: unknown, kind: 'number' | 'int' | 'count' = 'number'): asserts v is number {
  const ok = kind === 'number' ? typeof v === 'number' && !Number.isNaN(v) : Number.isSafeInteger(v) && (kind === 'int' || (v as number) >= 0);
  if (!ok) {
    const expected = kind === 'number' ? 'a number' : kind === 'int' ? 'an integer' : 'a non-negative integer';
    throw new ArgumentError(`${op}(): argument '${name}' must be ${expected}, not ${describeValue(v)}`);
  }
}

/** @internal Resolve the device option ('cuda' means 'cuda:0'); checks it exists. */
export function resolveDevice(d?: string): string {
  if (d !== undefined && typeof d !== 'string') throw new ArgumentError(`device must be a device name ('cpu', 'cuda', ...), not ${describeValue(d)}`);
  const name = d ?? getDefaultDevice();
  getDevice(name);
  return name === 'cuda' ? 'cuda:0' : name;
}

/** @internal Finish a freshly created leaf: requiresGrad option (floats only, as in PyTorch). */
export function finish(t: Tensor, opts: CreateOptions | undefined, op: string): Tensor {
  if (opts?.requiresGrad) {
    if (!isFloat(t.dtype)) throw new DTypeError(`${op}: Only Tensors of floating point dtype can require gradients (got ${t.dtype})`);
    t.requiresGrad = true;
  }
  return t;
}

/** Parse `(5, 3)`, `([5, 3])`, `(5, 3, opts)` or `([5, 3], opts)` into a shape and options. */
export function parseSizeArgs<O extends object>(op: string, args: readonly unknown[]): [number[], O | undefined] {
  let opts: O | undefined;
  let rest = [...args];
  const last = rest[rest.length - 1];
  if (last !== undefined && typeof last === 'object' && last !== null && !Array.isArray(last)) {
    opts = last as O;
    rest = rest.slice(0, -1);
  }
  const dims = rest.length === 1 && Array.isArray(rest[0]) ? (rest[0] as unknown[]) : rest;
  dims.forEach((d, i) => {
    if (!Number.isSafeInteger(d)) throw new ArgumentError(`${op}(): argument 'size' must be a list of integers, but found ${describeValue(d)} at position ${i}`);
  });
  if (dims.some((d) => (d as number) < 0)) {
    throw new ShapeError(`${op}(): Trying to create tensor with negative dimension ${dims.find((d) => (d as number) < 0)}: [${dims.join(', ')}]`);
  }
  if (CREATE_OPTIONS.has(op)) checkCreateOptions(op, opts);
  return [dims as number[], opts];
}

/** The deepest nesting torch.tensor reads: far more dims than any tensor has, far fewer than the JS stack holds. */
const MAX_DIMS = 1000;

function inferNested(data: NestedArray, op: string): { shape: number[]; flat: (number | boolean)[] } {
  const shape: number[] = [];
  let probe: NestedArray = data;
  while (Array.isArray(probe)) {
    if (shape.length === MAX_DIMS) throw new ShapeError(`${op}: too many dimensions (data nested more than ${MAX_DIMS} levels deep)`);
    shape.push(probe.length);
    if (probe.length === 0) break;
    probe = probe[0] as NestedArray;
  }
  const flat: (number | boolean)[] = [];
  const walk = (x: NestedArray, dim: number): void => {
    if (dim === shape.length) {
      if (Array.isArray(x)) throw new ShapeError(`${op}: too many dimensions at dim ${dim}: expected a number, got a sequence`);
      if (typeof x !== 'number' && typeof x !== 'boolean') {
        throw new ValueError(`${op}: could not convert ${typeof x} to a number at dim ${dim}`);
      }
      flat.push(x);
      return;
    }
    if (!Array.isArray(x)) throw new ShapeError(`${op}: expected sequence of length ${shape[dim]} at dim ${dim} (got a number)`);
    if (x.length !== shape[dim]) throw new ShapeError(`${op}: expected sequence of length ${shape[dim]} at dim ${dim} (got ${x.length})`);
    for (const e of x as readonly NestedArray[]) walk(e, dim + 1);
  };
  walk(data, 0);
  return { shape, flat };
}

/** @internal A base tensor holding a copy of `values` (already of the dtype's storage type). */
export function fromValues(values: TypedArray, shape: readonly number[], dtype: DType, device: string): Tensor {
  const dev = getDevice(device);
  const buf = dev.fromHost(dtype, values);
  return fromNode(build.buffer(buf, shape), device);
}

/** torch.tensor: a new tensor holding a copy of `data` (nested arrays or a typed array). */
export function tensor(data: TensorData | Tensor, opts?: CreateOptions): Tensor {
  checkCreateOptions('tensor', opts);
  const device = resolveDevice(opts?.device);
  if (data instanceof Tensor) {
    const t = data.detach().to(device, { dtype: opts?.dtype, copy: true });
    return finish(t, opts, 'tensor');
  }
  if (ArrayBuffer.isView(data)) {
    const src = data as TypedArray;
    const natural = dtypeOfArray(src);
    const dtype = opts?.dtype ? checkDType(opts.dtype, 'tensor') : natural;
    const arr = allocArray(dtype, src.length);
    for (let i = 0; i < src.length; i++) arr[i] = castScalar(src[i]!, dtype);
    return finish(fromValues(arr, [src.length], dtype, device), opts, 'tensor');
  }
  const { shape, flat } = inferNested(data as NestedArray, 'tensor');
  let dtype: DType;
  if (opts?.dtype) dtype = checkDType(opts.dtype, 'tensor');
  else if (flat.length > 0 && flat.every((x) => typeof x === 'boolean')) dtype = 'bool';
  else if (flat.length > 0 && flat.every((x) => typeof x === 'boolean' || Number.isInteger(x))) dtype = 'int32';
  else dtype = DEFAULT_FLOAT;
  const arr = allocArray(dtype, flat.length);
  for (let i = 0; i < flat.length; i++) arr[i] = castScalar(Number(flat[i]), dtype);
  return finish(fromValues(arr, shape, dtype, device), opts, 'tensor');
}

/** A constant-filled tensor (lazy: a const node). */
export function constTensor(value: number | boolean, shape: readonly number[], dtype: DType, device: string): Tensor {
  return fromNode(build.constant(Number(value), dtype, shape), device);
}

function fillCreate(op: string, value: number | boolean, args: readonly unknown[], dtypeOf?: DType): Tensor {
  const [shape, opts] = parseSizeArgs<CreateOptions>(op, args);
  const dtype = opts?.dtype ? checkDType(opts.dtype, op) : (dtypeOf ?? DEFAULT_FLOAT);
  const device = resolveDevice(opts?.device);
  checkCreateSize(op, shape, dtype, device);
  return finish(constTensor(value, shape, dtype, device), opts, op);
}

export function zeros(...args: (number | readonly number[] | CreateOptions)[]): Tensor {
  return fillCreate('zeros', 0, args);
}
export function ones(...args: (number | readonly number[] | CreateOptions)[]): Tensor {
  return fillCreate('ones', 1, args);
}
/** Uninitialized in PyTorch; here zeros (a lazy constant, so it costs nothing until written). */
export function empty(...args: (number | readonly number[] | CreateOptions)[]): Tensor {
  return fillCreate('empty', 0, args);
}
export function full(size: readonly number[], value: number | boolean, opts?: CreateOptions): Tensor {
  if (!Array.isArray(size)) throw new ArgumentError(`full(): argument 'size' must be a list of integers, not ${describeValue(size)}`);
  if (typeof value !== 'number' && typeof value !== 'boolean') throw new ArgumentError(`full(): argument 'fill_value' must be a number or a boolean, not ${describeValue(value)}`);
  checkCreateOptions('full', opts);
  const dtype = opts?.dtype ?? (typeof value === 'boolean' ? 'bool' : Number.isInteger(value) ? 'int32' : DEFAULT_FLOAT);
  return fillCreate('full', value, [size, { ...opts, dtype }]);
}

function likeOpts(op: string, t: Tensor, opts?: CreateOptions): CreateOptions {
  if (!(t instanceof Tensor)) throw new ArgumentError(`${op}(): argument 'input' must be a Tensor, not ${describeValue(t)}`);
  checkCreateOptions(op, opts);
  return { dtype: opts?.dtype ?? t.dtype, device: opts?.device ?? t.device, requiresGrad: opts?.requiresGrad };
}
export function zerosLike(t: Tensor, opts?: CreateOptions): Tensor {
  const o = likeOpts('zerosLike', t, opts); // checks t before reading its shape
  return zeros(t.shape, o);
}
export function onesLike(t: Tensor, opts?: CreateOptions): Tensor {
  const o = likeOpts('onesLike', t, opts); // checks t before reading its shape
  return ones(t.shape, o);
}
export function emptyLike(t: Tensor, opts?: CreateOptions): Tensor {
  const o = likeOpts('emptyLike', t, opts); // checks t before reading its shape
  return empty(t.shape, o);
}
export function fullLike(t: Tensor, value: number | boolean, opts?: CreateOptions): Tensor {
  const o = likeOpts('fullLike', t, opts);
  return full(t.shape, value, o);
}

// ---------------------------------------------------------------------------------------------------------
// Ranges

/** torch.arange(end) / arange(start, end, step?). Integer dtype when all arguments are integers. */
export function arange(end: number, opts?: CreateOptions): Tensor;
export function arange(start: number, end: number, opts?: CreateOptions): Tensor;
export function arange(start: number, end: number, step: number, opts?: CreateOptions): Tensor;
export function arange(...args: (number | CreateOptions | undefined)[]): Tensor {
  const last = args[args.length - 1];
  const opts = typeof last === 'object' && last !== null ? (last as CreateOptions) : undefined;
  const nums = (opts ? args.slice(0, -1) : args).filter((a, i, all) => a !== undefined || i < all.length - 1);
  if (nums.length === 0 || nums.length > 3) throw new ArgumentError(`arange(): expected (end), (start, end) or (start, end, step), got ${nums.length} numbers`);
  nums.forEach((a, i) => checkNumber('arange', ['start', 'end', 'step'][nums.length === 1 ? 1 : i]!, a));
  checkCreateOptions('arange', opts);
  const [start, end, step] = (nums.length === 1 ? [0, nums[0], 1] : [nums[0], nums[1], nums[2] ?? 1]) as [number, number, number];
  if (![start, end, step].every(Number.isFinite)) throw new ValueError(`arange: unsupported range: ${start} -> ${end} (step ${step})`);
  if (step === 0) throw new ValueError('arange: step must be nonzero');
  if ((end - start) * step < 0 && end !== start) {
    throw new ValueError(`arange: upper bound and larger bound inconsistent with step sign (start=${start}, end=${end}, step=${step})`);
  }
  const n = Math.max(0, Math.ceil((end - start) / step));
  const dtype = opts?.dtype ? checkDType(opts.dtype, 'arange') : [start, end, step].every(Number.isInteger) ? 'int32' : DEFAULT_FLOAT;
  checkCreateSize('arange', [n], dtype, resolveDevice(opts?.device));
  // PyTorch computes start + i*step in double, then converts.
  let node: Node = build.iota(n, 'float64');
  node = build.binary('add', build.binary('mul', node, build.constant(step, 'float64', [n])), build.constant(start, 'float64', [n]));
  return finish(fromNode(build.cast(node, dtype), resolveDevice(opts?.device)), opts, 'arange');
}

/** torch.linspace(start, end, steps): evenly spaced, symmetric from both ends as PyTorch computes it. */
export function linspace(start: number, end: number, steps: number, opts?: CreateOptions): Tensor {
  checkNumber('linspace', 'start', start);
  checkNumber('linspace', 'end', end);
  checkNumber('linspace', 'steps', steps, 'int');
  if (steps < 0) throw new ValueError(`linspace: number of steps must be non-negative, got ${steps}`);
  checkCreateOptions('linspace', opts);
  const dtype = opts?.dtype ? checkDType(opts.dtype, 'linspace') : DEFAULT_FLOAT;
  const device = resolveDevice(opts?.device);
  checkCreateSize('linspace', [steps], dtype, device);
  if (steps <= 1) return finish(constTensor(steps === 1 ? start : 0, [steps], dtype, device), opts, 'linspace');
  const step = (end - start) / (steps - 1);
  const i = build.iota(steps, 'float64');
  const c = (v: number): Node => build.constant(v, 'float64', [steps]);
  const lo = build.binary('add', c(start), build.binary('mul', i, c(step)));
  const hi = build.binary('sub', c(end), build.binary('mul', build.binary('sub', c(steps - 1), i), c(step)));
  const node = build.where(build.binary('lt', i, c(Math.floor(steps / 2))), lo, hi);
  return finish(fromNode(build.cast(node, dtype), device), opts, 'linspace');
}

/** torch.eye(n, m?): ones on the diagonal. */
export function eye(n: number, m?: number | CreateOptions, opts?: CreateOptions): Tensor {
  if (typeof m === 'object' && m !== null) {
    if (opts !== undefined) throw new ArgumentError('eye(): options given twice');
    opts = m;
    m = undefined;
  }
  checkNumber('eye', 'n', n, 'count');
  if (m !== undefined && m !== null) checkNumber('eye', 'm', m, 'count');
  checkCreateOptions('eye', opts);
  const cols = m ?? n;
  const dtype = opts?.dtype ? checkDType(opts.dtype, 'eye') : DEFAULT_FLOAT;
  checkCreateSize('eye', [n, cols], dtype, resolveDevice(opts?.device));
  const r = build.expand(build.reshape(build.iota(n), [n, 1]), [n, cols]);
  const c = build.expand(build.reshape(build.iota(cols), [1, cols]), [n, cols]);
  const node = build.cast(build.binary('eq', r, c), dtype);
  return finish(fromNode(node, resolveDevice(opts?.device)), opts, 'eye');
}

// ---------------------------------------------------------------------------------------------------------
// Random numbers: a counter-based generator (see ir/random.ts). Each call draws a fresh (seed, counter)
// pair from the global generator and passes it to the kernel as a tiny int32 buffer, so a training loop's
// program does not change from step to step.

let seed = (Date.now() ^ (Math.random() * 0x7fffffff)) | 0;
let counter = 0;

/**
 * torch.manual_seed: make rand/randn/randint/dropout reproducible, and the host generator behind randperm
 * and DataLoader shuffling (torch.defaultGenerator).
 */
export function manualSeed(s: number): void {
  if (!Number.isFinite(s)) throw new ValueError(`manualSeed: seed must be a finite number, got ${s}`);
  seed = Number(BigInt.asIntN(32, BigInt(Math.trunc(s))));
  counter = 0;
  defaultGenerator.manualSeed(Math.trunc(s));
}

/** torch.initial_seed */
export function initialSeed(): number {
  return seed;
}

/** @internal A fresh seed node for a random op on `device`. */
export function nextSeedNode(device: string): Node {
  const buf = getDevice(device).fromHost('int32', Int32Array.of(seed, counter++));
  return build.buffer(buf, [2]);
}

/** @internal Uniform [0, 1) node. */
export function uniformNode(shape: readonly number[], dtype: DType, device: string, salt = 0, seedNode?: Node): Node {
  return build.rand(seedNode ?? nextSeedNode(device), salt, dtype, shape);
}

/** @internal Standard normal node (Box-Muller on two uniform streams of one seed). */
export function normalNode(shape: readonly number[], dtype: DType, device: string): Node {
  const s = nextSeedNode(device);
  const u1 = build.rand(s, 0, dtype, shape);
  const u2 = build.rand(s, 1, dtype, shape);
  const c = (v: number): Node => build.constant(v, dtype, shape);
  const r = build.unary('sqrt', build.binary('mul', c(-2), build.unary('log', build.binary('sub', c(1), u1))));
  return build.binary('mul', r, build.unary('cos', build.binary('mul', c(2 * Math.PI), u2)));
}

function randomCreate(op: string, args: readonly unknown[], make: (shape: number[], dtype: DType, device: string) => Node): Tensor {
  const [shape, opts] = parseSizeArgs<CreateOptions>(op, args);
  const dtype = opts?.dtype ? checkDType(opts.dtype, op) : DEFAULT_FLOAT;
  if (!isFloat(dtype)) throw new DTypeError(`${op}: expected a floating point dtype, got ${dtype}`);
  const device = resolveDevice(opts?.device);
  checkCreateSize(op, shape, dtype, device);
  return finish(fromNode(make(shape, dtype, device), device), opts, op);
}

/** Uniform numbers in [0, 1). */
export function rand(...args: (number | readonly number[] | CreateOptions)[]): Tensor {
  return randomCreate('rand', args, (s, d, dev) => uniformNode(s, d, dev));
}
/** Standard normal numbers. */
export function randn(...args: (number | readonly number[] | CreateOptions)[]): Tensor {
  return randomCreate('randn', args, normalNode);
}
/** Integers uniform in [low, high). randint(high, size) or randint(low, high, size). */
export function randint(low: number, high: number | readonly number[], size?: readonly number[] | CreateOptions, opts?: CreateOptions): Tensor {
  let lo = 0;
  let hi: number;
  let shape: readonly number[];
  if (Array.isArray(high)) {
    hi = low;
    shape = high;
    opts = size as CreateOptions | undefined;
  } else {
    lo = low;
    hi = high as number;
    shape = size as readonly number[];
  }
  checkNumber('randint', 'low', lo, 'int');
  checkNumber('randint', 'high', hi, 'int');
  if (!Array.isArray(shape)) throw new ArgumentError(`randint(): argument 'size' must be a list of integers, not ${describeValue(shape)}`);
  const [n] = parseSizeArgs<CreateOptions>('randint', [shape]);
  checkCreateOptions('randint', opts);
  if (!(hi > lo)) throw new ValueError(`randint: random_ expects 'from' to be less than 'to', but got from=${lo} >= to=${hi}`);
  const dtype = opts?.dtype ? checkDType(opts.dtype, 'randint') : 'int32';
  const device = resolveDevice(opts?.device);
  checkCreateSize('randint', n, dtype, device);
  const u = uniformNode(n, 'float64', device);
  const v = build.binary('add', build.unary('floor', build.binary('mul', u, build.constant(hi - lo, 'float64', n))), build.constant(lo, 'float64', n));
  return finish(fromNode(build.cast(v, dtype), device), opts, 'randint');
}
export function randLike(t: Tensor, opts?: CreateOptions): Tensor {
  const o = likeOpts('randLike', t, opts); // checks t before reading its shape
  return rand(t.shape, o);
}
export function randnLike(t: Tensor, opts?: CreateOptions): Tensor {
  const o = likeOpts('randnLike', t, opts); // checks t before reading its shape
  return randn(t.shape, o);
}

export interface RandpermOptions extends CreateOptions {
  /** The generator to draw from (default: torch.defaultGenerator, seeded by torch.manualSeed). */
  generator?: Generator;
}

/** torch.randperm(n): a random permutation of 0..n-1 (int32 unless a dtype is given), drawn on the host. */
export function randperm(n: number, opts?: RandpermOptions): Tensor {
  checkNumber('randperm', 'n', n, 'int');
  if (n < 0) throw new ValueError(`randperm: n must be non-negative, got ${n}`);
  RANDPERM_OPTIONS.check(opts);
  const dtype = opts?.dtype ? checkDType(opts.dtype, 'randperm') : 'int32';
  if (dtype === 'bool') throw new DTypeError('randperm: "randperm" not implemented for \'Bool\'');
  const device = resolveDevice(opts?.device);
  checkCreateSize('randperm', [n], 'int32', device);
  const perm = (opts?.generator ?? defaultGenerator).permutation(n);
  const values = dtype === 'int32' ? perm : allocArray(dtype, n);
  if (values !== perm) for (let i = 0; i < n; i++) values[i] = perm[i]!;
  return finish(fromValues(values, [n], dtype, device), opts, 'randperm');
}
