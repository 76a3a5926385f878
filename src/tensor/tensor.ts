/**
 * The Tensor: a handle on a lazy IR node plus a device, with PyTorch's storage semantics on top.
 *
 * - A *base* tensor owns its value: `_value`, an IR node (a buffer once realized).
 * - A *view* tensor (result of view, slicing, permute, ...) has no value of its own: its node is its chain
 *   of view ops applied to the base's current node, so a write to the base shows through the view.
 * - An in-place op (`add_`, `fill_`, a write through a view) computes the new value as a node and rebinds the
 *   base to it; writing through a view scatters the new values into the base (the inverse of the view chain
 *   plus a mask). Nothing is computed until a value is needed.
 * - Memory handed to JS (`numpy()`, `fromNumpy`) is shared: a mutation of such a base is carried out at
 *   once, into the same memory, so the JS view sees it.
 *
 * Methods are installed by the files of this folder (elementwise.ts, reduce.ts, ...), each next to its
 * functional form, through module augmentation of this class.
 */
import {
  AutogradError,
  build,
  IndexError,
  fmtShape,
  shapeEq,
  DTypeError,
  ShapeError,
  contiguousStrides,
  DeviceError,
  isFloat,
  isHalf,
  decodeHalf,
  numel,
  ValueError,
  type DType,
  type Node,
  type Shape,
  type TypedArray,
} from '../ir/index.js';
import { getDevice, realizeNodes, type Buffer, type Device } from '../runtime/index.js';
import { AccumulateGrad, GradFn } from './grad-fn.js';
import { keepsGraph, noteNewValue, realizeTensors, realizeWithNext } from './realization.js';
export { keepsGraph, realizeTensors, realizeWithNext } from './realization.js';
import { isGradEnabled } from './grad-mode.js';
import { siteHook } from '../inspect/sites.js';
import { capture } from './capture-hooks.js';

export type ViewOp =
  | { readonly kind: 'reshape'; readonly shape: readonly number[] }
  | { readonly kind: 'permute'; readonly perm: readonly number[] }
  | { readonly kind: 'expand'; readonly shape: readonly number[] }
  | { readonly kind: 'slice'; readonly start: readonly number[]; readonly size: readonly number[]; readonly step: readonly number[] }
  | { readonly kind: 'detach' };

let defaultDeviceName = 'cpu';
let nextTensorId = 1;
/** @internal The number the next tensor made gets (tensors made before have smaller ones). */
export function tensorIdWatermark(): number {
  return nextTensorId;
}
const EMPTY_VIEW_OPS: readonly ViewOp[] = Object.freeze([]);

/** The device new tensors go to when none is named (torch.set_default_device). */
export function setDefaultDevice(name: string): void {
  if (typeof name !== 'string') throw new DeviceError(`setDefaultDevice: expected a device name ('cpu', 'cuda', ...), got ${name === null ? 'null' : typeof name}`);
  getDevice(name);
  defaultDeviceName = name === 'cuda' ? 'cuda:0' : name;
}
export function getDefaultDevice(): string {
  return defaultDeviceName;
}

/** Apply one view op to a node. */
export function applyViewOp(n: Node, op: ViewOp): Node {
  switch (op.kind) {
    case 'reshape':
      return build.reshape(n, op.shape);
    case 'permute':
      return build.permute(n, op.perm);
    case 'expand':
      return build.expand(n, op.shape);
    case 'slice':
      return build.slice(n, op.start, op.size, op.step);
    case 'detach':
      return build.detach(n);
  }
}

/**
 * The inverse of one view op for writing: given the new values `v` of the view and a bool `mask` of where
 * they apply (both shaped like the view), return both shaped like the view's input.
 */
function unviewOp(v: Node, mask: Node, op: ViewOp, inShape: Shape): [Node, Node] {
  switch (op.kind) {
    case 'reshape':
      return [build.reshape(v, inShape), build.reshape(mask, inShape)];
    case 'permute': {
      const inv = new Array<number>(op.perm.length);
      op.perm.forEach((p, i) => (inv[p] = i));
      return [build.permute(v, inv), build.permute(mask, inv)];
    }
    case 'detach':
      return [v, mask];
    case 'expand':
      throw new ValueError(
        'unsupported operation: more than one element of the written-to tensor refers to a single memory location. Please clone() the tensor before performing the operation.',
      );
    case 'slice': {
      // Undo a strided slice axis by axis: spread the elements `step` apart (reshape [m,1], pad to [m,step],
      // reshape [m*step]) then pad/shrink to the input's size.
      let a = v;
      let m = mask;
      for (let ax = 0; ax < inShape.length; ax++) {
        const start = op.start[ax]!;
        const size = op.size[ax]!;
        const step = op.step[ax]!;
        const n = inShape[ax]!;
        if (start === 0 && size === n && step === 1) continue;
        [a, m] = [unsliceAxis(a, ax, start, size, step, n, 0), unsliceAxis(m, ax, start, size, step, n, 0)];
      }
      return [a, m];
    }
  }
}

function unsliceAxis(x: Node, ax: number, start: number, size: number, step: number, n: number, value: number): Node {
  const shp = x.shape;
  let y = x;
  let len = size;
  if (step > 1 && size > 0) {
    const split = [...shp.slice(0, ax), size, 1, ...shp.slice(ax + 1)];
    y = build.reshape(y, split);
    const pads = split.map((_, i) => (i === ax + 1 ? ([0, step - 1] as const) : ([0, 0] as const)));
    y = build.pad(y, pads, value);
    len = size * step;
    y = build.reshape(y, [...shp.slice(0, ax), len, ...shp.slice(ax + 1)]);
  }
  const after = n - start - len;
  if (after < 0) {
    const startArr = y.shape.map(() => 0);
    const sizeArr = [...y.shape];
    sizeArr[ax] = len + after;
    y = build.slice(y, startArr, sizeArr);
  }
  const pads = y.shape.map((_, i) => (i === ax ? ([start, Math.max(after, 0)] as const) : ([0, 0] as const)));
  return build.pad(y, pads, value);
}

/** Strides (in elements) a view op gives, following PyTorch; null where a reshape cannot be a view. */
export function viewStrides(shape: Shape, strides: readonly number[], offset: number, op: ViewOp): { strides: number[]; offset: number } | null {
  switch (op.kind) {
    case 'detach':
      return { strides: [...strides], offset };
    case 'permute':
      return { strides: op.perm.map((p) => strides[p]!), offset };
    case 'expand':
      return { strides: op.shape.map((d, i) => (shape[i] === d ? strides[i]! : 0)), offset };
    case 'slice':
      return {
        strides: strides.map((s, i) => s * op.step[i]!),
        offset: offset + op.start.reduce((acc, st, i) => acc + st * strides[i]!, 0),
      };
    case 'reshape': {
      const st = reshapeStrides(shape, strides, op.shape);
      return st ? { strides: st, offset } : null;
    }
  }
}

/** PyTorch's computeStride: strides of a reshape without copying, or null when a copy is needed. */
export function reshapeStrides(oldShape: Shape, oldStrides: readonly number[], newShape: Shape): number[] | null {
  if (numel(oldShape) === 0) return contiguousStrides(newShape);
  // A 0-d tensor has no strides to follow: any shape of one element is a view of it (as PyTorch).
  if (oldShape.length === 0) return newShape.map(() => 1);
  const newStrides = new Array<number>(newShape.length).fill(0);
  let viewD = newShape.length - 1;
  let chunkBaseStride = oldStrides.length ? oldStrides[oldStrides.length - 1]! : 1;
  let tensorNumel = 1;
  let viewNumel = 1;
  for (let d = oldShape.length - 1; d >= 0; d--) {
    tensorNumel *= oldShape[d]!;
    if (d === 0 || (oldShape[d - 1] !== 1 && oldStrides[d - 1] !== tensorNumel * chunkBaseStride)) {
      while (viewD >= 0 && (viewNumel < tensorNumel || newShape[viewD] === 1)) {
        newStrides[viewD] = viewNumel * chunkBaseStride;
        viewNumel *= newShape[viewD]!;
        viewD--;
      }
      if (viewNumel !== tensorNumel) return null;
      if (d > 0) {
        chunkBaseStride = oldStrides[d - 1]!;
        tensorNumel = 1;
        viewNumel = 1;
      }
    }
  }
  if (viewD !== -1) return null;
  return newStrides;
}

export interface TensorInit {
  value?: Node;
  base?: Tensor;
  viewOps?: readonly ViewOp[];
  strides?: readonly number[];
  offset?: number;
  device: string;
}

export class Tensor {
  /** @internal Base tensors: the current value. Views: null. */
  _value: Node | null;
  /** @internal The base of a view (never itself a view); null for a base. */
  readonly _base: Tensor | null;
  /** @internal View ops from the base's value to this view's. */
  _viewOps: readonly ViewOp[];
  /** @internal Base tensors: bumped by every mutation. */
  _version = 0;
  /** @internal A number of its own (tables that must not keep the tensor alive refer to it by number). */
  readonly _id = nextTensorId++;
  /**
   * @internal Strides and offset in elements of the base's storage, as PyTorch would have them (a base's
   * are contiguous: made when first asked for, since most tensors never are).
   */
  get _strides(): readonly number[] {
    return (this._stridesKept ??= contiguousStrides(this.node.shape));
  }
  set _strides(s: readonly number[]) {
    this._stridesKept = s;
  }
  private _stridesKept: readonly number[] | null = null;
  _offset: number;
  /** @internal Base tensors: the buffer whose memory JS holds (numpy(), fromNumpy), else null. */
  _shared: Buffer | null = null;
  private _viewNode: Node | null = null;
  private _viewVersion = -1;
  private _viewBaseNode: Node | null = null;
  /** @internal The AccumulateGrad of a leaf, per node it was used as. */
  _accumulate: AccumulateGrad | null = null;
  /**
   * @internal Base tensors: the values before in-place updates not yet computed, oldest first (cleared when
   * the value is computed): a failed computation puts back the newest one it can (src/tensor/realization.ts).
   */
  _history: Node[] | null = null;
  /**
   * @internal The buffer a compiled step's replay made this tensor's value, while nothing else has read it
   * (the node getter clears it): the next replay may write the tensor's new value into it (src/tensor/compile.ts).
   */
  _private: Buffer | null = null;
  /** @internal Undoes the creation of this tensor where a failed computation leaves it without a value (a new .grad). */
  _undoCreation: (() => void) | null = null;

  /** The device name: 'cpu', 'interp', 'cuda:0'. (Changed only by Module.to moving a parameter.) */
  device: string;
  /** Whether operations on this tensor record gradients. */
  requiresGrad = false;
  private _grad: Tensor | null = null;
  /** The gradient accumulated by backward() (null until then). */
  get grad(): Tensor | null {
    return this._grad;
  }
  set grad(g: Tensor | null) {
    if (capture.hooks !== null) capture.hooks.grad(this);
    this._grad = g;
  }
  /** The function that created this tensor (null for leaves). */
  gradFn: GradFn | null = null;
  /** @internal retainGrad() was called on this non-leaf. */
  _retainsGrad = false;

  /** @internal Use torch.tensor(), torch.zeros(), ... to make tensors. */
  constructor(init: TensorInit) {
    if (typeof init !== 'object' || init === null || typeof init.device !== 'string' || (init.base === undefined && init.value === undefined)) {
      throw new ValueError('Tensor: use torch.tensor(data), torch.zeros(...) and the like to make tensors (the constructor is internal)');
    }
    this.device = init.device;
    if (init.base) {
      this._base = init.base;
      this._value = null;
      this._viewOps = init.viewOps ?? [];
      if (init.strides) this._stridesKept = init.strides;
      this._offset = init.offset ?? 0;
    } else {
      if (!init.value) throw new Error('internal: a base tensor needs a value');
      this._base = null;
      this._value = init.value;
      if (siteHook.note !== null) siteHook.note(init.value);
      this._viewOps = EMPTY_VIEW_OPS;
      this._offset = 0;
    }
  }

  /** @internal The IR node for this tensor's current value. */
  get node(): Node {
    if (this._base === null) {
      if (capture.hooks !== null) capture.hooks.read(this);
      // Read: a graph may now hold this buffer, so a compiled step must not write its next value into it.
      this._private = null;
      return this._value!;
    }
    const base = this._base;
    const baseNode = base.node;
    if (this._viewNode === null || this._viewVersion !== base._version || this._viewBaseNode !== baseNode) {
      let n = baseNode;
      for (const op of this._viewOps) n = applyViewOp(n, op);
      this._viewNode = n;
      this._viewVersion = base._version;
      this._viewBaseNode = baseNode;
    }
    return this._viewNode;
  }

  /** @internal The tensor that owns the storage (itself for a base). */
  get _root(): Tensor {
    return this._base ?? this;
  }

  get shape(): number[] {
    return this._base === null ? [...this._value!.shape] : [...this.node.shape];
  }
  /** @internal The shape without a copy (read only). */
  get _shape(): Shape {
    return this._base === null ? this._value!.shape : this.node.shape;
  }
  get dtype(): DType {
    return this._base === null ? this._value!.dtype : this._base.dtype;
  }
  /** Number of dimensions. */
  dim(): number {
    return this.node.shape.length;
  }
  get ndim(): number {
    return this.dim();
  }
  numel(): number {
    return numel(this.node.shape);
  }
  /** The shape, or the size of one dimension (negative allowed). */
  size(): number[];
  size(dim: number): number;
  size(dim?: number): number[] | number {
    const s = this.shape;
    if (dim === undefined) return s;
    const r = s.length;
    if (!Number.isInteger(dim) || dim < -Math.max(r, 1) || dim >= Math.max(r, 1)) {
      throw new IndexError(`size: Dimension out of range (expected to be in range of [${-Math.max(r, 1)}, ${Math.max(r, 1) - 1}], but got ${String(dim)})`);
    }
    return r === 0 ? 1 : s[dim < 0 ? dim + r : dim]!;
  }
  /** Strides in elements, as PyTorch reports them. */
  stride(): number[];
  stride(dim: number): number;
  stride(dim?: number): number[] | number {
    if (dim === undefined) return [...this._strides];
    const r = this._strides.length;
    if (!Number.isInteger(dim) || dim < -Math.max(r, 1) || dim >= Math.max(r, 1)) {
      throw new IndexError(`stride: Dimension out of range (expected to be in range of [${-Math.max(r, 1)}, ${Math.max(r, 1) - 1}], but got ${String(dim)})`);
    }
    return r === 0 ? 1 : this._strides[dim < 0 ? dim + r : dim]!;
  }
  /** Offset of the first element in the base's storage. */
  storageOffset(): number {
    return this._offset;
  }
  isContiguous(): boolean {
    const shape = this.node.shape;
    let expected = 1;
    for (let i = shape.length - 1; i >= 0; i--) {
      if (shape[i] !== 1 && this._strides[i] !== expected) return false;
      expected *= shape[i]!;
    }
    return true;
  }
  /** Whether this tensor has no gradient function (created by the user, not by an op on tracked tensors). */
  get isLeaf(): boolean {
    return this.gradFn === null;
  }
  /** Whether this tensor is a view of another tensor's storage. */
  get isView(): boolean {
    return this._base !== null;
  }
  /** @internal The device object. */
  get _device(): Device {
    return getDevice(this.device);
  }

  /** Compute this tensor now (its base, for a view) and keep the result. Returns this. */
  realize(): this {
    realizeTensors([this]);
    return this;
  }

  /** @internal A buffer holding this tensor's values in row-major order (computing it if needed). */
  _contiguousBuffer(): Buffer {
    if (capture.hooks !== null) capture.hooks.valueRead('reading its values');
    this.realize();
    const [buf] = realizeNodes([this.node], this._device);
    return buf!;
  }

  /**
   * A copy of the values as a typed array in row-major order (Float32Array, Float64Array, Int32Array,
   * BigInt64Array, Uint8Array, Int8Array, Int16Array). float16 and bfloat16 values come as a Float32Array
   * (exact: JS has no 16-bit float array); `numpy()` shares their storage, the 16 bits of each value.
   */
  dataSync(): TypedArray {
    const buf = this._contiguousBuffer();
    const host = this._device.toHost(buf);
    if (isHalf(this.dtype)) return decodeHalf(host as Uint16Array, this.dtype as 'float16' | 'bfloat16') as Float32Array;
    return host.slice() as TypedArray;
  }

  /**
   * @internal Make `value` (shaped and typed like this tensor) the new content of this tensor, in place:
   * a base is rebound; a view's base is rebound to itself with the view's elements replaced.
   */
  _setValue(value: Node): void {
    if (value.dtype !== this.dtype) value = build.cast(value, this.dtype);
    const root = this._root;
    let newBase: Node;
    if (this._base === null) newBase = value;
    else {
      const base = this._base;
      const shapes: Shape[] = [base.node.shape];
      let n = base.node;
      for (const op of this._viewOps) {
        n = applyViewOp(n, op);
        shapes.push(n.shape);
      }
      let v = value;
      let mask = build.constant(1, 'bool', value.shape);
      for (let i = this._viewOps.length - 1; i >= 0; i--) [v, mask] = unviewOp(v, mask, this._viewOps[i]!, shapes[i]!);
      newBase = mask.op === 'const' && mask.arg === 1 ? v : build.where(mask, v, base.node);
    }
    root._rebind(newBase);
  }

  /** @internal Rebind a base to a new value; memory shared with JS is updated at once. */
  _rebind(value: Node): void {
    if (this._base !== null) throw new Error('internal: rebind of a view');
    if (capture.hooks !== null) capture.hooks.write(this);
    const shared = this._shared;
    if (shared === null) {
      const old = this._value!;
      // A computed old value makes older history useless: it is what a failure goes back to.
      if (old.op === 'buffer' || old.realized !== null) this._history = [old];
      else (this._history ??= []).push(old);
      this._value = value;
      if (siteHook.note !== null) siteHook.note(value);
      this._version++;
      realizeWithNext(this);
      return;
    }
    // Copy-on-write: graphs still pending read the old values through the old buffer object, whose memory
    // becomes a private copy; the memory JS holds receives the new values.
    const device = this._device;
    const jsMemory = shared.host!;
    shared.host = jsMemory.slice() as TypedArray;
    shared.jsShared = false;
    const target = device.fromHost(shared.dtype, jsMemory);
    target.jsShared = true;
    const targetNode = build.buffer(target, value.shape);
    try {
      realizeNodes([build.assign(targetNode, value)], device);
    } catch (e) {
      // Nothing was written (failing kernels run before any write): JS memory stays this tensor's.
      shared.host = jsMemory;
      throw e;
    }
    this._shared = target;
    this._value = targetNode;
    this._version++;
  }

  /**
   * @internal Hand this tensor's storage (its base's) to JS: returns the buffer whose host memory JS may now
   * read and write. The first time, the values move into memory of their own (one copy): a computed buffer
   * may also be the cached value of equal lazy nodes, or the value of another tensor, which must not see
   * JS writes.
   */
  _share(): Buffer {
    if (capture.hooks !== null) capture.hooks.valueRead('sharing its memory with JS (numpy())');
    const root = this._root;
    const current = root._value!;
    if (root._shared !== null && current.op === 'buffer' && (current.arg as { ref: Buffer }).ref === root._shared) return root._shared;
    const device = root._device;
    if (!device.host) throw new DeviceError(`internal: memory on ${root.device} cannot be shared with JS`);
    const [buf] = realizeNodes([current], device);
    const own = device.fromHost(buf!.dtype, device.toHost(buf!).slice() as TypedArray);
    own.jsShared = true;
    // A tracked result keeps its graph (backward walks it): JS gets a snapshot of its values.
    if (keepsGraph(root)) return own;
    root._value = build.buffer(own, current.shape);
    root._shared = own;
    return own;
  }

  /**
   * @internal Make this view a leaf's own node: its chain ends in a `detach`, so the views and ops applied to
   * it later build on that node instead of folding through it into the base (a reshape of a reshaped leaf
   * would otherwise be the base itself, and the leaf would not be in the graph it was used in).
   */
  _asLeafView(): void {
    const ops = this._viewOps;
    if (this._base === null || ops.length === 0 || ops[ops.length - 1]!.kind === 'detach') return;
    this._viewOps = [...ops, { kind: 'detach' }];
    this._viewNode = null;
  }

  /** @internal The node to use when this tensor is an input of a tracked op (leaves are realized). */
  _trackedNode(): Node {
    if (this.requiresGrad && this.gradFn === null) {
      const root = this._root;
      if (root._value!.op !== 'buffer') root.realize();
      // A leaf must be a node of its own: two leaves realized from equal lazy values (two zeros(3)) would
      // otherwise share one cached buffer, and gradients could not tell them apart.
      const buf = (root._value!.arg as { ref: Buffer }).ref;
      const owner = buf.leafOwner;
      if (owner !== 0 && owner !== root._id) {
        const dev = root._device;
        const copy = dev.fromHost(buf.dtype, dev.toHost(buf).slice() as TypedArray);
        root._value = build.buffer(copy, root._value!.shape);
        root._version++;
        copy.leafOwner = root._id;
      } else if (owner === 0) buf.leafOwner = root._id;
    }
    return this.node;
  }

  /** @internal The AccumulateGrad of a leaf that requires grad, for the node it currently stands for. */
  _accumulateGrad(): AccumulateGrad {
    const n = this.node;
    if (this._accumulate === null || this._accumulate.node !== n) {
      this._accumulate = new AccumulateGrad(this, n);
      leafOfNode.set(n, this._accumulate);
    }
    return this._accumulate;
  }
}

/**
 * The nodes that stand for leaves requiring grad, with their AccumulateGrad: backward finds the leaves of a
 * loss by walking its IR (the gradFn objects are the PyTorch-shaped surface, not the source of truth).
 */
export const leafOfNode = new WeakMap<Node, AccumulateGrad>();


/** A tensor, a JS number or boolean: what elementwise operations accept. */
export type TensorLike = Tensor | number | bigint | boolean;

/** @internal Make a base tensor from a node. */
export function fromNode(node: Node, device: string): Tensor {
  return new Tensor({ value: node, device });
}

/** @internal Check that all tensors are on one device; return it. */
export function sameDevice(op: string, ts: readonly Tensor[]): string {
  let dev: string | null = null;
  for (const t of ts) {
    if (dev === null) dev = t.device;
    else if (t.device !== dev) {
      throw new DeviceError(
        `${op}: Expected all tensors to be on the same device, but found at least two devices, ${dev} and ${t.device}!`,
      );
    }
  }
  return dev ?? defaultDeviceName;
}

/**
 * @internal Apply an operation to tensors: the single place where results get their autograd metadata.
 * `build` receives the input nodes (detached where the result is not tracked, so gradients never flow
 * through untracked paths) and returns the result node.
 */
export function applyOp(name: string, inputs: readonly Tensor[], buildFn: (nodes: Node[]) => Node, device?: string): Tensor {
  const dev = device ?? sameDevice(name, inputs);
  let track = false;
  if (isGradEnabled()) for (let i = 0; i < inputs.length; i++) if (inputs[i]!.requiresGrad) track = true;
  const untracked = (): Node[] => {
    const nodes = new Array<Node>(inputs.length);
    for (let i = 0; i < inputs.length; i++) nodes[i] = inputs[i]!.requiresGrad ? build.detach(inputs[i]!.node) : inputs[i]!.node;
    return nodes;
  };
  let node = buildFn(track ? inputs.map((t) => t._trackedNode()) : untracked());
  if (track && !isFloat(node.dtype)) {
    // Integer and bool results (comparisons, logical ops, casts to int) carry no gradient: untracked, as in
    // PyTorch (`(x > 0).requires_grad` is False), and built again from detached inputs.
    track = false;
    node = buildFn(untracked());
  }
  if (!track && node.op === 'buffer' && (node.arg as { ref: Buffer }).ref.jsShared) {
    // An identity of memory shared with JS (clone, a copying `to`): a new tensor gets values of its own.
    const d = getDevice(dev);
    node = build.buffer(d.fromHost(node.dtype, d.toHost((node.arg as { ref: Buffer }).ref).slice() as TypedArray), node.shape);
  }
  const out = fromNode(node, dev);
  if (track) {
    out.requiresGrad = true;
    out.gradFn = new GradFn(name, inputs.map(gradEdge));
  }
  noteNewValue(out);
  return out;
}

/** @internal The edge to an input in the autograd graph. */
export function gradEdge(t: Tensor): readonly [GradFn | AccumulateGrad | null, number] {
  if (t.gradFn) return [t.gradFn, 0];
  if (t.requiresGrad) return [t._accumulateGrad(), 0];
  return [null, 0];
}

/** @internal Make a view of `src` by appending view ops (PyTorch strides tracked alongside). */
export function makeView(name: string, src: Tensor, ops: readonly ViewOp[], opts: { untracked?: boolean } = {}): Tensor {
  const base = src._root;
  const track = !opts.untracked && isGradEnabled() && src.requiresGrad;
  // A view made while not tracking a tensor that requires grad must not carry gradients.
  const allOps = !track && src.requiresGrad ? [...ops, { kind: 'detach' } as const] : ops;
  if (track) src._trackedNode();
  let shape: Shape = src.shape;
  let strides: readonly number[] = src._strides;
  let offset = src._offset;
  let n = src.node;
  for (const op of allOps) {
    const st = viewStrides(shape, strides, offset, op);
    if (st === null) throw new Error(`internal: ${name} is not a view here`);
    n = applyViewOp(n, op);
    shape = n.shape;
    strides = st.strides;
    offset = st.offset;
  }
  const out = new Tensor({ base, viewOps: [...src._viewOps, ...allOps], strides, offset, device: src.device });
  if (track) {
    out.requiresGrad = true;
    out.gradFn = new GradFn(name, [gradEdge(src)]);
  }
  return out;
}

/** Whether a value of dtype `from` may be written into a tensor of dtype `to` (torch.can_cast). */
export function canCast(from: DType, to: DType): boolean {
  const rank = { bool: 0, int32: 1, int64: 1, float32: 2, float64: 2, float16: 2, bfloat16: 2, uint8: 1, int8: 1, int16: 1 } as const;
  for (const d of [from, to]) if (typeof d !== 'string' || !Object.hasOwn(rank, d)) throw new DTypeError(`canCast: unknown dtype ${typeof d === 'string' ? d : typeof d}`);
  return rank[from] <= rank[to];
}

/**
 * @internal Write the result of an op into `target` in place (`x.add_(y)`, `torch.add(x, y, {out})`):
 * checks that the result fits (shape, dtype) and that autograd allows it, then rebinds the target's storage
 * and moves the autograd metadata. On error nothing has changed.
 */
export function commitInPlace(op: string, target: Tensor, result: Tensor, opts: { out?: boolean } = {}): Tensor {
  if (!shapeEq(result.shape, target.shape)) {
    throw new ShapeError(
      opts.out
        ? `${op}: output with shape ${fmtShape(target.shape)} doesn't match the result shape ${fmtShape(result.shape)}`
        : `${op}: output with shape ${fmtShape(target.shape)} doesn't match the broadcast shape ${fmtShape(result.shape)}`,
    );
  }
  if (!canCast(result.dtype, target.dtype)) {
    throw new DTypeError(`${op}: result type ${result.dtype} can't be cast to the desired output type ${target.dtype}`);
  }
  if (isGradEnabled()) {
    if (opts.out && (result.requiresGrad || target.requiresGrad)) {
      throw new AutogradError(`${op}: functions with out=... arguments don't support automatic differentiation, but one of the arguments requires grad.`);
    }
    const root = target._root;
    // A leaf that requires grad may itself be a view (a Variable sharing another tensor's storage).
    const leafRequiringGrad = (t: Tensor): boolean => t.requiresGrad && t.isLeaf;
    if (leafRequiringGrad(target) || (leafRequiringGrad(root) && !target._viewOps.some((v) => v.kind === 'detach'))) {
      throw new AutogradError(
        target._base === null || leafRequiringGrad(target)
          ? `${op}: a leaf Variable that requires grad is being used in an in-place operation.`
          : `${op}: a view of a leaf Variable that requires grad is being used in an in-place operation.`,
      );
    }
  }
  const root = target._root;
  target._setValue(result.node);
  // A write through a view of a tensor that autograd tracks is recorded on the base as CopySlices, also when
  // the written value is untracked (x[1] = 2.5 on a non-leaf x), as PyTorch does.
  const detached = target._viewOps.some((v) => v.kind === 'detach');
  if (target._base !== null && isGradEnabled() && (result.requiresGrad || (root.requiresGrad && !detached))) {
    root.requiresGrad = true;
    root.gradFn = new GradFn('CopySlices', [gradEdge(root), gradEdge(result)]);
  }
  if (result.requiresGrad) {
    target.requiresGrad = true;
    target.gradFn = result.gradFn;
  }
  noteNewValue(root);
  return target;
}
