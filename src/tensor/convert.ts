/**
 * Conversions: dtype and device moves (`to`, `cpu`, `cuda`, `float()`, ...), detaching and cloning, and
 * reading values out (`item`, `tolist`).
 */
import { capture } from './capture-hooks.js';
import { ArgumentError, build, checkDType, isDType, scalarToJS, UNSUPPORTED_DTYPES, ValueError, type DType, type TypedArray } from '../ir/index.js';
import { bool, checked, defineOptions, describeValue, deviceArg, dtypeArg } from './options.js';
import { getDevice, realizeNodes } from '../runtime/index.js';
import { fromValues, resolveDevice } from './creation.js';
import { isGradEnabled } from './grad-mode.js';
import { applyOp, fromNode, makeView, Tensor } from './tensor.js';

export interface ToOptions {
  dtype?: DType;
  device?: string;
  /** Return a new tensor even when nothing changes. */
  copy?: boolean;
}

declare module './tensor.js' {
  interface Tensor {
    /** Move to a device and/or convert to a dtype: `to('cuda')`, `to('float64')`, `to({ dtype, device })`. */
    to(target: string | ToOptions | Tensor, opts?: ToOptions): Tensor;
    cpu(): Tensor;
    cuda(): Tensor;
    float(): Tensor;
    double(): Tensor;
    int(): Tensor;
    long(): Tensor;
    bool(): Tensor;
    /** float16 (`torch.half`). */
    half(): Tensor;
    bfloat16(): Tensor;
    /** uint8. */
    byte(): Tensor;
    /** int8. */
    char(): Tensor;
    /** int16. */
    short(): Tensor;
    type(dtype: DType): Tensor;
    /** A tensor sharing storage, not tracked by autograd. */
    detach(): Tensor;
    /** Stop tracking this tensor in place (it becomes a leaf). */
    detach_(): this;
    /** A copy with its own storage (gradients flow through it). */
    clone(): Tensor;
    /**
     * The value of a one-element tensor as a JS number (boolean for bool tensors). An int64 value beyond
     * ±(2^53 - 1), which no number holds exactly, is a ValueError: read it with `tolist()` (a bigint).
     */
    item(): number;
    /**
     * The values as nested arrays (the value itself for a 0-d tensor): numbers, booleans for bool, and for
     * int64 numbers where exact (|v| < 2^53), bigints beyond.
     */
    tolist(): unknown;
    /** Whether the tensor is on a CUDA device. */
    readonly isCuda: boolean;
  }
}

const P = Tensor.prototype as unknown as Record<string, unknown>;

function moveDevice(t: Tensor, device: string): Tensor {
  const src = t.detach();
  const buf = src._contiguousBuffer();
  const host = src._device.toHost(buf);
  // Host devices share nothing across device names: the copy is the new tensor's own memory.
  const copy = (getDevice(src.device).host ? host.slice() : host) as TypedArray;
  return fromValues(copy, t.shape, t.dtype, device);
}

const TO_OPTIONS = defineOptions('to', { dtype: dtypeArg.optional(), device: deviceArg.optional(), copy: bool.optional() });

P.to = function (this: Tensor, target: string | ToOptions | Tensor, opts?: ToOptions) {
  let o: ToOptions;
  // A dtype name (also one graft does not store yet, which checkDType then refuses) or else a device name.
  const isDTypeName = (x: string): boolean => isDType(x) || (UNSUPPORTED_DTYPES as readonly string[]).includes(x);
  if (typeof target === 'string') {
    TO_OPTIONS.check(opts);
    o = isDTypeName(target) ? { ...opts, dtype: target as DType } : { ...opts, device: target };
  } else if (target instanceof Tensor) {
    // x.to(other): other's dtype and device, as PyTorch.
    TO_OPTIONS.check(opts);
    o = { ...opts, dtype: target.dtype, device: target.device };
  } else if (typeof target === 'object' && target !== null && !Array.isArray(target) && opts === undefined) {
    o = checked(TO_OPTIONS, target);
  } else {
    throw new ArgumentError(`to(): expected a device or dtype name, or options { dtype, device, copy }, got ${describeValue(target)}`);
  }
  const dtype = o.dtype !== undefined ? checkDType(o.dtype, 'to') : this.dtype;
  const device = o.device !== undefined ? resolveDevice(o.device) : this.device;
  if (dtype === this.dtype && device === this.device && !o.copy) return this;
  let out: Tensor = this;
  if (device !== this.device) {
    out = moveDevice(out, device);
    if (this.requiresGrad && isGradEnabled()) out.requiresGrad = true;
  }
  if (dtype !== out.dtype || (o.copy && out === this)) {
    out = applyOp('ToCopyBackward0', [out], ([n]) => (dtype === n!.dtype ? build.contiguous(n!) : build.cast(n!, dtype)));
  }
  return out;
};
P.cpu = function (this: Tensor) {
  return this.to('cpu');
};
P.cuda = function (this: Tensor) {
  return this.to('cuda');
};
P.float = function (this: Tensor) {
  return this.to('float32');
};
P.double = function (this: Tensor) {
  return this.to('float64');
};
P.int = function (this: Tensor) {
  return this.to('int32');
};
P.long = function (this: Tensor) {
  return this.to('int64');
};
P.bool = function (this: Tensor) {
  return this.to('bool');
};
P.half = function (this: Tensor) {
  return this.to('float16');
};
P.bfloat16 = function (this: Tensor) {
  return this.to('bfloat16');
};
P.byte = function (this: Tensor) {
  return this.to('uint8');
};
P.char = function (this: Tensor) {
  return this.to('int8');
};
P.short = function (this: Tensor) {
  return this.to('int16');
};
P.type = function (this: Tensor, dtype: DType) {
  return this.to(dtype);
};
Object.defineProperty(P, 'isCuda', {
  get(this: Tensor) {
    return this.device.startsWith('cuda');
  },
});

P.detach = function (this: Tensor) {
  // A view sharing storage whose node stops gradients.
  return makeView('Detach', this, [], { untracked: true });
};
P.detach_ = function (this: Tensor) {
  if (this._base !== null) throw new ValueError("detach_: Can't detach views in-place. Use detach() instead.");
  this._value = build.detach(this._value!);
  this.requiresGrad = false;
  this.gradFn = null;
  return this;
};
P.clone = function (this: Tensor) {
  return applyOp('CloneBackward0', [this], ([n]) => build.contiguous(n!));
};

P.item = function (this: Tensor) {
  const n = this.numel();
  if (n !== 1) throw new ValueError(`item: a Tensor with ${n} elements cannot be converted to Scalar`);
  const v = this.dataSync()[0]!;
  if (this.dtype === 'bool') return (v !== 0) as unknown as number;
  const js = scalarToJS(v);
  if (typeof js === 'bigint') {
    throw new ValueError(`item: the int64 value ${js} is not exactly representable as a JS number; read it with tolist() (a bigint)`);
  }
  return js;
};

P.tolist = function (this: Tensor) {
  const data = this.dataSync();
  const shape = this.shape;
  const conv = this.dtype === 'bool' ? (x: number | bigint): unknown => x !== 0 : scalarToJS;
  if (shape.length === 0) return conv(data[0]!);
  let pos = 0;
  const build_ = (d: number): unknown[] => {
    const out: unknown[] = [];
    for (let i = 0; i < shape[d]!; i++) out.push(d === shape.length - 1 ? conv(data[pos++]!) : build_(d + 1));
    return out;
  };
  return build_(0);
};

/** @internal Realized values on the host, in row-major order (no copy when already contiguous on a host device). */
export function hostValues(t: Tensor): TypedArray {
  if (capture.hooks !== null) capture.hooks.valueRead('reading its values');
  const [buf] = realizeNodes([t.realize().node], t._device);
  return t._device.toHost(buf!);
}

export { fromNode };
