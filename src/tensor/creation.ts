/**
 * Creating tensors: from data (torch.tensor), constant fills, ranges, random numbers.
 * Fills and ranges are lazy IR nodes (no memory until realized); data is copied into a buffer at once.
 */
import {
  allocArray,
  build,
  checkDType,
  checkedScalar,
  DEFAULT_FLOAT,
  DEFAULT_INT,
  DTYPE_INFO,
  dtypeOfArray,
  isFloat,
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
import { defaultGenerator, type Generator } from './generator.js';
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

/** @internal Resolve the device option ('cuda' means 'cuda:0'); checks it exists. */
export function resolveDevice(d?: string): string {
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
  for (const d of dims) {
    if (typeof d !== 'number' || !Number.isInteger(d) || d < 0) {
      throw new ShapeError(`${op}: sizes must be non-negative integers, got ${JSON.stringify(dims)}`);
    }
  }
  return [dims as number[], opts];
}

function inferNested(data: NestedArray, op: string): { shape: number[]; flat: (number | bigint | boolean)[] } {
  const shape: number[] = [];
  let probe: NestedArray = data;
  while (Array.isArray(probe)) {
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
export function inferDType(values: readonly (number | bigint | boolean)[]): DType {
  if (values.length === 0) return DEFAULT_FLOAT;
  if (values.every((x) => typeof x === 'boolean')) return 'bool';
  if (values.some((x) => typeof x === 'number')) return DEFAULT_FLOAT;
  return DEFAULT_INT;
}

/** @internal Values converted to `dtype`'s storage; a value that does not fit an integer dtype is a ValueError. */
export function convertValues(values: ArrayLike<number | bigint | boolean>, dtype: DType, op: string): TypedArray {
  if (dtype !== 'bool' && values instanceof DTYPE_INFO[dtype].array) return (values as TypedArray).slice();
  const arr = allocArray(dtype, values.length);
  const out = arr as unknown as { [i: number]: Scalar };
  for (let i = 0; i < values.length; i++) out[i] = checkedScalar(values[i]!, dtype, op);
  return arr;
}

/** A constant-filled tensor (lazy: a const node); the value must fit the dtype (checked). */
export function constTensor(value: Scalar | boolean, shape: readonly number[], dtype: DType, device: string, op = 'full'): Tensor {
  return fromNode(build.constant(checkedScalar(value, dtype, op), dtype, shape), device);
}

function fillCreate(op: string, value: Scalar | boolean, args: readonly unknown[], dtypeOf?: DType): Tensor {
  const [shape, opts] = parseSizeArgs<CreateOptions>(op, args);
  const dtype = opts?.dtype !== undefined ? checkDType(opts.dtype, op) : (dtypeOf ?? DEFAULT_FLOAT);
  return finish(constTensor(value, shape, dtype, resolveDevice(opts?.device), op), opts, op);
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
  const dtype = opts?.dtype ?? inferDType([value]);
  return fillCreate('full', value, [size, { ...opts, dtype }]);
}

function likeOpts(t: Tensor, opts?: CreateOptions): CreateOptions {
  return { dtype: opts?.dtype ?? t.dtype, device: opts?.device ?? t.device, requiresGrad: opts?.requiresGrad };
}
export const zerosLike = (t: Tensor, opts?: CreateOptions): Tensor => zeros(t.shape, likeOpts(t, opts));
export const onesLike = (t: Tensor, opts?: CreateOptions): Tensor => ones(t.shape, likeOpts(t, opts));
export const emptyLike = (t: Tensor, opts?: CreateOptions): Tensor => empty(t.shape, likeOpts(t, opts));
export const fullLike = (t: Tensor, value: Scalar | boolean, opts?: CreateOptions): Tensor =>
  full(t.shape, value, likeOpts(t, opts));

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
  const nums = args.filter((a): a is Scalar => typeof a === 'number' || typeof a === 'bigint');
  const opts = args.find((a): a is CreateOptions => typeof a === 'object' && a !== null);
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
  if (!Number.isInteger(steps) || steps < 0) throw new ValueError(`linspace: number of steps must be non-negative, got ${steps}`);
  const dtype = opts?.dtype !== undefined ? checkDType(opts.dtype, 'linspace') : DEFAULT_FLOAT;
  const device = resolveDevice(opts?.device);
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
  if (typeof m === 'object') {
    opts = m;
    m = undefined;
  }
  const cols = m ?? n;
  const r = build.expand(build.reshape(build.iota(n), [n, 1]), [n, cols]);
  const c = build.expand(build.reshape(build.iota(cols), [1, cols]), [n, cols]);
  const node = build.cast(build.binary('eq', r, c), opts?.dtype !== undefined ? checkDType(opts.dtype, 'eye') : DEFAULT_FLOAT);
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
  if (!(hi > lo)) throw new ValueError(`randint: random_ expects 'from' to be less than 'to', but got from=${lo} >= to=${hi}`);
  const dtype = opts?.dtype !== undefined ? checkDType(opts.dtype, 'randint') : DEFAULT_INT;
  if (dtype !== 'bool') {
    checkedScalar(lo, dtype, 'randint');
    checkedScalar(hi - 1, dtype, 'randint');
  }
  const device = resolveDevice(opts?.device);
  const n = [...shape];
  const u = uniformNode(n, 'float64', device);
  const v = build.binary('add', build.unary('floor', build.binary('mul', u, build.constant(hi - lo, 'float64', n))), build.constant(lo, 'float64', n));
  return finish(fromNode(build.cast(v, dtype), device), opts, 'randint');
}
export const randLike = (t: Tensor, opts?: CreateOptions): Tensor => rand(t.shape, likeOpts(t, opts));
export const randnLike = (t: Tensor, opts?: CreateOptions): Tensor => randn(t.shape, likeOpts(t, opts));

export interface RandpermOptions extends CreateOptions {
  /** The generator to draw from (default: torch.defaultGenerator, seeded by torch.manualSeed). */
  generator?: Generator;
}

/** torch.randperm(n): a random permutation of 0..n-1 (int64 unless a dtype is given), drawn on the host. */
export function randperm(n: number, opts?: RandpermOptions): Tensor {
  if (!Number.isInteger(n) || n < 0) throw new ValueError(`randperm: n must be non-negative, got ${n}`);
  const dtype = opts?.dtype !== undefined ? checkDType(opts.dtype, 'randperm') : DEFAULT_INT;
  if (dtype === 'bool') throw new DTypeError('randperm: "randperm" not implemented for \'Bool\'');
  const device = resolveDevice(opts?.device);
  const perm = (opts?.generator ?? defaultGenerator).permutation(n);
  const values = dtype === 'int32' ? perm : convertValues(perm, dtype, 'randperm');
  return finish(fromValues(values, [n], dtype, device), opts, 'randperm');
}
