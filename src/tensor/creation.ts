/**
 * Creating tensors: from data (torch.tensor), constant fills, ranges, random numbers.
 * Fills and ranges are lazy IR nodes (no memory until realized); data is copied into a buffer at once.
 */
import { capture } from './capture-hooks.js';
import { nextSeedWords, seeds } from './seeds.js';
import {
  allocArray,
  ArgumentError,
  build,
  checkBufferSize,
  checkDType,
  checkedScalar,
  DEFAULT_FLOAT,
  DEFAULT_INT,
  DTYPE_INFO,
  dtypeOfArray,
  isFloat,
  isHalf,
  float16Bits,
  bfloat16Bits,
  isInt,
  ShapeError,
  ValueError,
  DTypeError,
  type DType,
  type Node,
  type Scalar,
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

/**
 * A nested array of numbers, bigints and booleans, or a typed array. The rule for JS values (docs/design.md):
 * a number is a float, as a Python float is (JS cannot tell `1.0` from `1` once parsed); a bigint is an
 * integer, as a Python int is; so `[1, 2]` is float32 and `[1n, 2n]` is int64.
 */
export type NestedArray = number | bigint | boolean | readonly NestedArray[];
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
    if (!isFloat(t.dtype)) throw new DTypeError(`${op}: Only Tensors of floating point and complex dtype can require gradients (got ${t.dtype})`);
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

function inferNested(data: NestedArray, op: string): { shape: number[]; flat: (number | bigint | boolean)[] } {
  const shape: number[] = [];
  let probe: NestedArray = data;
  while (Array.isArray(probe)) {
    if (shape.length === MAX_DIMS) throw new ShapeError(`${op}: too many dimensions (data nested more than ${MAX_DIMS} levels deep)`);
    shape.push(probe.length);
    if (probe.length === 0) break;
    probe = probe[0] as NestedArray;
  }
  const flat: (number | bigint | boolean)[] = [];
  const walk = (x: NestedArray, dim: number): void => {
    if (dim === shape.length) {
      if (Array.isArray(x)) throw new ShapeError(`${op}: too many dimensions at dim ${dim}: expected a number, got a sequence`);
      if (typeof x !== 'number' && typeof x !== 'bigint' && typeof x !== 'boolean') {
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
    const dtype = opts?.dtype !== undefined ? checkDType(opts.dtype, 'tensor') : natural;
    return finish(fromValues(convertValues(src, dtype, 'tensor'), [src.length], dtype, device), opts, 'tensor');
  }
  const { shape, flat } = inferNested(data as NestedArray, 'tensor');
  const dtype = opts?.dtype !== undefined ? checkDType(opts.dtype, 'tensor') : inferDType(flat);
  return finish(fromValues(convertValues(flat, dtype, 'tensor'), shape, dtype, device), opts, 'tensor');
}

/** The dtype of JS values: bool if all are booleans, float32 if any is a number, int64 if the rest are bigints. */
function inferDType(values: readonly (number | bigint | boolean)[]): DType {
  if (values.length === 0) return DEFAULT_FLOAT;
  if (values.every((x) => typeof x === 'boolean')) return 'bool';
  if (values.some((x) => typeof x === 'number')) return DEFAULT_FLOAT;
  return DEFAULT_INT;
}

/** @internal Values converted to `dtype`'s storage; a value that does not fit an integer dtype is a ValueError. */
function convertValues(values: ArrayLike<number | bigint | boolean>, dtype: DType, op: string): TypedArray {
  checkDType(dtype, op);
  if (typeof values !== 'object' || values === null || !Number.isSafeInteger(values.length)) {
    throw new ArgumentError(`${op}: expected an array of values, not ${describeValue(values)}`);
  }
  if (dtype !== 'bool' && dtype !== 'uint8' && !isHalf(dtype) && values instanceof DTYPE_INFO[dtype].array) return (values as TypedArray).slice();
  const arr = allocArray(dtype, values.length);
  const out = arr as unknown as { [i: number]: Scalar };
  // float16/bfloat16 are stored as their bits (values round as a cast does, overflowing to ±inf).
  const bits = dtype === 'float16' ? float16Bits : dtype === 'bfloat16' ? bfloat16Bits : null;
  for (let i = 0; i < values.length; i++) {
    const v = checkedScalar(values[i]!, dtype, op);
    out[i] = bits ? bits(v as number) : v;
  }
  return arr;
}

/** A constant-filled tensor (lazy: a const node); the value must fit the dtype (checked). */
export function constTensor(value: Scalar | boolean, shape: readonly number[], dtype: DType, device: string, op = 'full'): Tensor {
  return fromNode(build.constant(checkedScalar(value, dtype, op), dtype, shape), device);
}

function fillCreate(op: string, value: Scalar | boolean, args: readonly unknown[], dtypeOf?: DType): Tensor {
  const [shape, opts] = parseSizeArgs<CreateOptions>(op, args);
  const dtype = opts?.dtype !== undefined ? checkDType(opts.dtype, op) : (dtypeOf ?? DEFAULT_FLOAT);
  const device = resolveDevice(opts?.device);
  checkCreateSize(op, shape, dtype, device);
  return finish(constTensor(value, shape, dtype, device, op), opts, op);
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
/** torch.full: the fill value's dtype follows the rule for JS values (a number is a float, a bigint an int64). */
export function full(size: readonly number[], value: Scalar | boolean, opts?: CreateOptions): Tensor {
  if (!Array.isArray(size)) throw new ArgumentError(`full(): argument 'size' must be a list of integers, not ${describeValue(size)}`);
  if (typeof value !== 'number' && typeof value !== 'bigint' && typeof value !== 'boolean') {
    throw new ArgumentError(`full(): argument 'fill_value' must be a number, a bigint or a boolean, not ${describeValue(value)}`);
  }
  checkCreateOptions('full', opts);
  const dtype = opts?.dtype ?? inferDType([value]);
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
export function fullLike(t: Tensor, value: Scalar | boolean, opts?: CreateOptions): Tensor {
  const o = likeOpts('fullLike', t, opts);
  return full(t.shape, value, o);
}

// ---------------------------------------------------------------------------------------------------------
// Ranges

/**
 * torch.arange(end) / arange(start, end, step?). Integral bounds (integral numbers or bigints) give int64,
 * computed exactly in int64; otherwise float32, computed as PyTorch does (start + i*step in double).
 */
export function arange(end: Scalar, opts?: CreateOptions): Tensor;
export function arange(start: Scalar, end: Scalar, opts?: CreateOptions): Tensor;
export function arange(start: Scalar, end: Scalar, step: Scalar, opts?: CreateOptions): Tensor;
export function arange(...args: (Scalar | CreateOptions | undefined)[]): Tensor {
  const last = args[args.length - 1];
  const opts = typeof last === 'object' && last !== null ? (last as CreateOptions) : undefined;
  const given = (opts ? args.slice(0, -1) : args).filter((a, i, all) => a !== undefined || i < all.length - 1);
  if (given.length === 0 || given.length > 3) throw new ArgumentError(`arange(): expected (end), (start, end) or (start, end, step), got ${given.length} numbers`);
  given.forEach((a, i) => {
    if (typeof a !== 'bigint') checkNumber('arange', ['start', 'end', 'step'][given.length === 1 ? 1 : i]!, a);
  });
  checkCreateOptions('arange', opts);
  const nums = given as Scalar[];
  const [start, end, step] = nums.length === 1 ? [0, nums[0]!, 1] : [nums[0]!, nums[1]!, nums[2] ?? 1];
  const integral = [start, end, step].every((v) => typeof v === 'bigint' || Number.isInteger(v));
  const dtype = opts?.dtype !== undefined ? checkDType(opts.dtype, 'arange') : integral ? DEFAULT_INT : DEFAULT_FLOAT;
  const device = resolveDevice(opts?.device);
  if (Number(step) === 0) throw new ValueError('arange: step must be nonzero');
  const [s0, e0, st0] = [Number(start), Number(end), Number(step)];
  if (![s0, e0, st0].every(Number.isFinite)) throw new ValueError(`arange: unsupported range: ${start} -> ${end} (step ${step})`);
  if ((e0 - s0) * st0 < 0 && end !== start) {
    throw new ValueError(`arange: upper bound and larger bound inconsistent with step sign (start=${start}, end=${end}, step=${step})`);
  }
  if (integral && !isFloat(dtype)) {
    const [a, b, c] = [BigInt(start), BigInt(end), BigInt(step)];
    const span = b - a;
    const n = Number(span === 0n || span < 0n !== c < 0n ? 0n : (span + c - (c > 0n ? 1n : -1n)) / c);
    checkCreateSize('arange', [n], dtype, device);
    if (isInt(dtype) && n > 0) {
      // Every value must fit the dtype: the first and the last are the extremes.
      checkedScalar(a, dtype, 'arange');
      checkedScalar(a + BigInt(n - 1) * c, dtype, 'arange');
    }
    const k = (v: bigint): Node => build.constant(v, 'int64', [n]);
    const node = build.binary('add', build.binary('mul', build.iota(n, 'int64'), k(c)), k(a));
    return finish(fromNode(build.cast(node, dtype), device), opts, 'arange');
  }
  const n = Math.max(0, Math.ceil((e0 - s0) / st0));
  checkCreateSize('arange', [n], dtype, device);
  // PyTorch computes start + i*step in double, then converts.
  let node: Node = build.iota(n, 'float64');
  node = build.binary('add', build.binary('mul', node, build.constant(st0, 'float64', [n])), build.constant(s0, 'float64', [n]));
  if (isInt(dtype) && n > 0) {
    checkedScalar(s0, dtype, 'arange');
    checkedScalar(s0 + (n - 1) * st0, dtype, 'arange');
  }
  return finish(fromNode(build.cast(node, dtype), device), opts, 'arange');
}

/** torch.linspace(start, end, steps): evenly spaced, symmetric from both ends as PyTorch computes it. */
export function linspace(start: number, end: number, steps: number, opts?: CreateOptions): Tensor {
  checkNumber('linspace', 'start', start);
  checkNumber('linspace', 'end', end);
  checkNumber('linspace', 'steps', steps, 'int');
  if (steps < 0) throw new ValueError(`linspace: number of steps must be non-negative, got ${steps}`);
  checkCreateOptions('linspace', opts);
  const dtype = opts?.dtype !== undefined ? checkDType(opts.dtype, 'linspace') : DEFAULT_FLOAT;
  const device = resolveDevice(opts?.device);
  checkCreateSize('linspace', [steps], dtype, device);
  if (steps <= 1) return finish(constTensor(steps === 1 ? start : 0, [steps], dtype, device, 'linspace'), opts, 'linspace');
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
  const dtype = opts?.dtype !== undefined ? checkDType(opts.dtype, 'eye') : DEFAULT_FLOAT;
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


/**
 * torch.manual_seed: make rand/randn/randint/dropout reproducible, and the host generator behind randperm
 * and DataLoader shuffling (torch.defaultGenerator).
 */
export function manualSeed(s: number): void {
  if (!Number.isFinite(s)) throw new ValueError(`manualSeed: seed must be a finite number, got ${s}`);
  seeds.seed = Number(BigInt.asIntN(32, BigInt(Math.trunc(s))));
  seeds.counter = 0;
  defaultGenerator.manualSeed(Math.trunc(s));
}

/** torch.initial_seed */
export function initialSeed(): number {
  return seeds.seed;
}

/** @internal A fresh seed node for a random op on `device`. */
export function nextSeedNode(device: string): Node {
  const buf = getDevice(device).fromHost('int32', nextSeedWords());
  const n = build.buffer(buf, [2]);
  if (capture.hooks !== null) capture.hooks.seed(n);
  return n;
}

/** @internal Uniform [0, 1) node. */
export function uniformNode(shape: readonly number[], dtype: DType, device: string, salt = 0, seedNode?: Node): Node {
  return build.rand(seedNode ?? nextSeedNode(device), salt, dtype, shape);
}

/** @internal Standard normal node (Box-Muller on two uniform streams of one seed). */
export function normalNode(shape: readonly number[], dtype: DType, device: string): Node {
  // float16/bfloat16: drawn in float32 and rounded once (Box-Muller rounded op by op in half loses the tails:
  // 1 - u rounds to 0 and log gives inf).
  if (isHalf(dtype)) return build.cast(normalNode(shape, 'float32', device), dtype);
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
  const dtype = opts?.dtype !== undefined ? checkDType(opts.dtype, 'randint') : DEFAULT_INT;
  if (dtype !== 'bool') {
    checkedScalar(lo, dtype, 'randint');
    checkedScalar(hi - 1, dtype, 'randint');
  }
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

/** torch.randperm(n): a random permutation of 0..n-1 (int64 unless a dtype is given), drawn on the host. */
export function randperm(n: number, opts?: RandpermOptions): Tensor {
  checkNumber('randperm', 'n', n, 'int');
  if (n < 0) throw new ValueError(`randperm: n must be non-negative, got ${n}`);
  RANDPERM_OPTIONS.check(opts);
  const dtype = opts?.dtype !== undefined ? checkDType(opts.dtype, 'randperm') : DEFAULT_INT;
  if (dtype === 'bool') throw new DTypeError('randperm: "randperm" not implemented for \'Bool\'');
  const device = resolveDevice(opts?.device);
  checkCreateSize('randperm', [n], 'int32', device);
  const perm = (opts?.generator ?? defaultGenerator).permutation(n);
  const values = dtype === 'int32' ? perm : convertValues(perm, dtype, 'randperm');
  return finish(fromValues(values, [n], dtype, device), opts, 'randperm');
}
