/**
 * torch.compile(fn): a training (or inference) step captured once as one program with named slots, then
 * replayed with no graph work.
 *
 * Capture runs `fn` lazily with hooks on (src/tensor/capture-hooks.ts) and records what it reads — its
 * tensor arguments, tensors that existed before the call (parameters, optimizer state, buffers), random
 * seeds — and what it writes: tensors updated in place, `.grad`, its return value. Everything it computes
 * is realized as one program (the same graph eager graft would realize at `opt.step()`), and the program's
 * input slots are bound to where each value comes from.
 *
 * Replay checks the guards in O(slots) — the arguments' structure, shapes, dtypes and devices, values of JS
 * arguments, grad mode, the training flags `fn` read, the optimizers' settings and the identity of their
 * state — then binds the current buffers to the slots, runs the kernels, rebinds the written tensors to the
 * program's outputs and returns the outputs as new tensors. No IR node is built (beyond one buffer node per
 * result) and no graph is walked. A guard that fails captures again (a few variants are kept; GRAFT_DEBUG=1
 * says why).
 *
 * What is not captured, by design: JS-side effects of `fn` (a counter it increments, a tensor it stores in
 * a field rather than updating in place) happen at capture only; reading a value into JS inside `fn` is a
 * CompileError naming the line; outputs are returned without autograd history. `{ check: true }` runs `fn`
 * eagerly after each replay and compares every output and written tensor, bit for bit.
 */
import { build, castScalar, checkDType, setElements, isLiftedConstantValue as liftable, shapeEq, CompileError, ValueError, DeviceError, type DType, type Node, type Shape, type TypedArray } from '../ir/index.js';
import { Buffer, CpuDevice, getDevice, knownBuffer, realizeNodes, type Program } from '../runtime/index.js';
import { debugLevel, logLine } from '../runtime/debug.js';
import { currentSite, resolveSite } from '../inspect/sites.js';
import { capture, type CapturedState, type CaptureHooks } from './capture-hooks.js';
import { realizeAlone, takeImplicit } from './realization.js';
import { nextSeedWords, seedCounter } from './seeds.js';
import { isGradEnabled } from './grad-mode.js';
import { fromNode, realizeTensors, Tensor, tensorIdWatermark } from './tensor.js';
import { bool, custom, defineOptions, describeValue, deviceArg, dtypeArg, int } from './options.js';
import { sizesOf } from './movement.js';
import { checkCreateSize, resolveDevice, zeros } from './creation.js';
import { generalizeNumbers } from './compile-numbers.js';
import { substitute } from '../compiler/autodiff/index.js';
import { GradFn } from './grad-fn.js';

export interface CompileOptions {
  /** After each replay, run `fn` eagerly too and compare every output and written tensor (a debugging aid). */
  check?: boolean;
  /** Captured variants kept (for different argument shapes, grad mode, training flags); default 8. */
  maxVariants?: number;
  /**
   * Arguments to compile for now, before any data exists (define-then-run): `torch.spec(shape, dtype)` where
   * a tensor goes, other values as they will be passed. The step is captured and its kernels built, and
   * nothing is computed or changed.
   */
  example?: unknown[];
}

/** The shape, dtype and device of a tensor argument, for compiling before data exists. */
export class TensorSpec {
  constructor(
    readonly shape: readonly number[],
    readonly dtype: DType,
    readonly device: string,
    readonly requiresGrad: boolean,
  ) {}
  toString(): string {
    return `TensorSpec([${this.shape.join(', ')}], ${this.dtype}, ${this.device})`;
  }
}

const SPEC_OPTIONS = defineOptions('spec', { dtype: dtypeArg.optional(), device: deviceArg.optional(), requiresGrad: bool.optional() });

/** torch.spec(shape, dtype?) or torch.spec(shape, { dtype, device, requiresGrad }): a tensor argument to come. */
export function spec(shape: readonly number[], opts?: DType | { dtype?: DType; device?: string; requiresGrad?: boolean }): TensorSpec {
  const o = typeof opts === 'string' ? { dtype: opts } : opts;
  SPEC_OPTIONS.check(o);
  const size = sizesOf('spec', [shape]);
  for (const d of size) if (d < 0) throw new ValueError(`spec(): Trying to create tensor with negative dimension ${d}: [${size.join(', ')}]`);
  const dtype = o?.dtype !== undefined ? checkDType(o.dtype, 'spec') : 'float32';
  const device = resolveDevice(o?.device);
  checkCreateSize('spec', size, dtype, device);
  return new TensorSpec(size, dtype, device, o?.requiresGrad === true);
}

const COMPILE_OPTIONS = defineOptions('compile', {
  check: bool.optional(),
  maxVariants: int.optional(),
  example: custom<unknown[]>('an array of arguments', (v) => Array.isArray(v)).optional(),
});

/** Example arguments with each spec replaced by a zero tensor of that spec. */
function exampleArgs(example: readonly unknown[]): unknown[] {
  const make = (x: unknown, depth: number): unknown => {
    if (x instanceof TensorSpec) {
      const t = zeros([...x.shape], { dtype: x.dtype, device: x.device }).realize();
      t.requiresGrad = x.requiresGrad;
      return t;
    }
    if (Array.isArray(x) && depth < 8) return x.map((e) => make(e, depth + 1));
    if (isPlainObject(x) && depth < 8) return Object.fromEntries(Object.entries(x).map(([k, e]) => [k, make(e, depth + 1)]));
    return x;
  };
  return example.map((x) => make(x, 1));
}

/** What a compiled function has done (tests and benchmarks read it). */
export interface CompileStats {
  /** Calls that captured (ran `fn` lazily and built a program). */
  captures: number;
  /** Calls that replayed a captured program. */
  replays: number;
  /** Captures whose program was not kept: the step changed state it did not have before (a first step). */
  unsteady: number;
}

export type Compiled<F extends (...args: never[]) => unknown> = F & {
  readonly stats: CompileStats;
  /**
   * Memory of the most recently captured program, in bytes: its inputs (arguments and state), its outputs,
   * its working arena (intermediates and GEMM scratch sharing memory by liveness) and their total, the
   * peak a replay holds; null before the first capture.
   */
  memory(): { inputs: number; outputs: number; arena: number; total: number } | null;
};

/** @internal Where a program's input comes from at each replay. */
export type Source =
  | { readonly kind: 'arg'; readonly index: number }
  | { readonly kind: 'state'; readonly tensor: Tensor; readonly shape: Shape; readonly dtype: string }
  | { readonly kind: 'const'; readonly buffer: Buffer }
  | { readonly kind: 'seed'; readonly draw: number };

/** @internal Where a result comes from: a program output, or (a value the step did not compute) a source. */
export type Ref = { readonly out: number } | { readonly src: Source };

/** @internal A written tensor: an argument (by position) or state. */
export type Target = { readonly arg: number } | { readonly tensor: Tensor };

/** The arguments flattened: tensors and other values, with the structure of arrays and objects as text. */
export interface FlatArgs {
  readonly leaves: unknown[];
  readonly structure: string;
}

function isPlainObject(x: unknown): x is Record<string, unknown> {
  if (typeof x !== 'object' || x === null) return false;
  const proto = Object.getPrototypeOf(x);
  return proto === Object.prototype || proto === null;
}

/** @internal */
export function flattenArgs(args: readonly unknown[]): FlatArgs {
  const leaves: unknown[] = [];
  let structure = '';
  const walk = (x: unknown, depth: number): void => {
    if (x instanceof Tensor) {
      leaves.push(x);
      structure += 'T';
    } else if (Array.isArray(x) && depth < 8) {
      structure += `[${x.length}:`;
      for (const e of x) walk(e, depth + 1);
      structure += ']';
    } else if (isPlainObject(x) && depth < 8) {
      const keys = Object.keys(x);
      structure += `{${JSON.stringify(keys)}:`;
      for (const k of keys) walk(x[k], depth + 1);
      structure += '}';
    } else {
      leaves.push(x);
      structure += 'v';
    }
  };
  walk(args, 0);
  return { leaves, structure };
}

/** @internal The result's structure with each tensor replaced by the place its value comes from. */
export type Template = { readonly t: Ref } | { readonly array: Template[] } | { readonly object: [string, Template][] } | { readonly value: unknown };

function bufferOfNode(n: Node): Buffer {
  const b = knownBuffer(n);
  if (b === null) throw new Error(`internal: node %${n.id} has no buffer`);
  return b;
}

/** A buffer of its own holding `n`'s values (for an owner that must not share memory with another). */
function privateCopy(n: Node, device: string): Node {
  const buf = bufferOfNode(n);
  const dev = getDevice(device);
  return build.buffer(dev.fromHost(buf.dtype, dev.toHost(buf).slice() as TypedArray), n.shape);
}

const isPending = (n: Node): boolean => knownBuffer(n) === null;

/** @internal A tensor argument's guard: what the program was built for. */
export interface TensorGuard {
  readonly shape: Shape;
  readonly dtype: string;
  readonly device: string;
  readonly requiresGrad: boolean;
}


function sameSignature(a: readonly unknown[], b: readonly unknown[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (!Object.is(a[i], b[i])) return false;
  return true;
}

/**
 * @internal A JS number argument that the program takes as a value: the lifted constants at `positions`
 * are that number, rounded to their dtypes (src/tensor/compile-numbers.ts).
 */
export interface NumberSlot {
  readonly leaf: number;
  readonly positions: readonly number[];
}

/** @internal What a leaf of the arguments must be: a tensor like this, this very value, or (a number slot) any number of this kind. */
export type LeafGuard = TensorGuard | { readonly value: unknown } | { readonly number: { readonly integral: boolean } };

/** @internal One captured program and what a call must match to replay it. */
export class Variant {
  constructor(
    readonly structure: string,
    readonly guards: readonly LeafGuard[],
    readonly thisArg: unknown,
    /** null: any grad mode (an ahead-of-time artifact). */
    readonly gradMode: boolean | null,
    readonly training: readonly (readonly [object & { training: boolean }, boolean])[],
    readonly states: readonly (readonly [CapturedState, unknown[]])[],
    readonly program: Program,
    readonly device: string,
    readonly sources: readonly Source[],
    readonly consts: Float64Array | null,
    readonly seedDraws: number,
    readonly rootShapes: readonly Shape[],
    readonly values: readonly (readonly [Target, Ref])[],
    readonly grads: readonly (readonly [Target, Ref | null])[],
    readonly result: Template,
    /** The dtype of each lifted constant (parallel to `consts`). */
    readonly constDtypes: readonly DType[] = [],
    readonly numberSlots: readonly NumberSlot[] = [],
    /** The captured graphs of outputs that stay differentiable, and the program's input and constant nodes. */
    readonly diff: DiffGraph | null = null,
  ) {}

  /** This variant taking the given number arguments as values (their guards accept any number of their kind). */
  withNumberSlots(slots: readonly NumberSlot[]): Variant {
    const guards = this.guards.slice();
    for (const s of slots) guards[s.leaf] = { number: { integral: Number.isInteger((this.guards[s.leaf] as { value: number }).value) } };
    return new Variant(
      this.structure, guards, this.thisArg, this.gradMode, this.training, this.states, this.program, this.device, this.sources,
      this.consts, this.seedDraws, this.rootShapes, this.values, this.grads, this.result, this.constDtypes, slots, this.diff,
    );
  }

  /** Why this variant cannot replay the call, or null when it can. */
  mismatch(flat: FlatArgs, thisArg: unknown): string | null {
    if (flat.structure !== this.structure) return 'the arguments have another structure';
    if (thisArg !== this.thisArg) return "'this' is another object";
    for (let i = 0; i < this.guards.length; i++) {
      const g = this.guards[i]!;
      const a = flat.leaves[i];
      if ('value' in g) {
        if (!Object.is(a, g.value)) return `argument ${i} is ${describeValue(a)}, was ${describeValue(g.value)}`;
        continue;
      }
      if ('number' in g) {
        if (typeof a !== 'number' || Number.isInteger(a) !== g.number.integral) return `argument ${i} is ${describeValue(a)}, was a${g.number.integral ? 'n integer' : ' fractional'} number`;
        continue;
      }
      const t = a as Tensor;
      if (!shapeEq(t._shape, g.shape)) return `argument ${i} has shape [${t.shape.join(', ')}], was [${g.shape.join(', ')}]`;
      if (t.dtype !== g.dtype) return `argument ${i} is ${t.dtype}, was ${g.dtype}`;
      if (t.device !== g.device) return `argument ${i} is on ${t.device}, was on ${g.device}`;
      if (t.requiresGrad !== g.requiresGrad) return `argument ${i} ${t.requiresGrad ? 'requires' : 'does not require'} grad now`;
    }
    if (this.gradMode !== null && isGradEnabled() !== this.gradMode) return `grad mode is ${isGradEnabled() ? 'on' : 'off'}, was ${this.gradMode ? 'on' : 'off'}`;
    for (const [m, flag] of this.training) if (m.training !== flag) return `a module is in ${m.training ? 'training' : 'eval'} mode, was in ${flag ? 'training' : 'eval'} mode`;
    for (const [s, sig] of this.states) if (!sameSignature(s.captureSignature(), sig)) return `the settings or state of ${s.constructor.name} changed`;
    for (const s of this.numberSlots) {
      const a = flat.leaves[s.leaf] as number;
      for (const p of s.positions) if (!liftable(castScalar(a, this.constDtypes[p]!) as number)) return `argument ${s.leaf} is ${a}, a value the program has in its structure`;
    }
    return null;
  }

  /** The lifted constants of a call: the captured ones with the number arguments written in. */
  private constsFor(leaves: readonly unknown[]): Float64Array | null {
    if (this.consts === null || this.numberSlots.length === 0) return this.consts;
    const c = this.program.constsArray(this.consts.length);
    c.set(this.consts);
    for (const s of this.numberSlots) for (const p of s.positions) c[p] = castScalar(leaves[s.leaf] as number, this.constDtypes[p]!) as number;
    return c;
  }

  target(target: Target, flat: FlatArgs): Tensor {
    return 'arg' in target ? (flat.leaves[target.arg] as Tensor) : target.tensor;
  }

  /** The buffer a source holds now; null when state no longer fits its slot (capture again). */
  private bind(src: Source, leaves: readonly unknown[], seeds: readonly Int32Array[]): Buffer | null {
    switch (src.kind) {
      case 'arg':
        return argBuffer(leaves[src.index] as Tensor);
      case 'state': {
        const t = src.tensor;
        if (isPending(t._value!)) realizeTensors([t]);
        const n = t._value!;
        if (n.dtype !== src.dtype || !shapeEq(n.shape, src.shape)) return null;
        return bufferOfNode(n);
      }
      case 'const':
        return src.buffer;
      case 'seed':
        return new Buffer(this.device, 'int32', 2, seeds[src.draw]!);
    }
  }

  /**
   * Written state whose new value the program may compute into its current buffer: [index in `values`,
   * output, input slot]. Only a value that is one output used nowhere else (not returned, not a gradient).
   */
  private get donations(): readonly (readonly [number, number, number])[] {
    if (this.donationList !== null) return this.donationList;
    const uses = new Map<number, number>();
    const use = (r: Ref | null): void => {
      if (r !== null && 'out' in r) uses.set(r.out, (uses.get(r.out) ?? 0) + 1);
    };
    for (const [, r] of this.values) use(r);
    for (const [, r] of this.grads) use(r);
    const walk = (t: Template): void => {
      if ('t' in t) use(t.t);
      else if ('array' in t) t.array.forEach(walk);
      else if ('object' in t) t.object.forEach(([, e]) => walk(e));
    };
    walk(this.result);
    const list: [number, number, number][] = [];
    this.values.forEach(([target, ref], v) => {
      if (!('tensor' in target) || !('out' in ref) || uses.get(ref.out) !== 1) return;
      const slot = this.sources.findIndex((s) => s.kind === 'state' && s.tensor === target.tensor);
      if (slot >= 0 && this.program.canWriteInto(ref.out, slot)) list.push([v, ref.out, slot]);
    });
    return (this.donationList = list);
  }
  private donationList: (readonly [number, number, number])[] | null = null;

  /**
   * Run the program on the current buffers and write its results; null when state changed shape (capture
   * again). With `donate`, state that nothing read since the last replay gets its new value in its old
   * buffer (no fresh memory, and the parameters stay where they are).
   */
  replay(flat: FlatArgs, donate = true): { result: unknown } | null {
    for (const [s] of this.states) s.beforeReplay();
    const seeds: Int32Array[] = [];
    for (let i = 0; i < this.seedDraws; i++) seeds.push(nextSeedWords());
    const inputs: TypedArray[] = [];
    const bound: Buffer[] = [];
    for (const src of this.sources) {
      const b = this.bind(src, flat.leaves, seeds);
      if (b === null) return null;
      inputs.push(b.host!);
      bound.push(b);
    }
    const consts = this.constsFor(flat.leaves);
    if (consts !== null) inputs.push(consts);
    let into: Map<number, number> | undefined;
    if (donate) {
      for (const [v, out, slot] of this.donations) {
        const t = (this.values[v]![0] as { tensor: Tensor }).tensor;
        // Memory shared with JS receives the new values too (as an in-place update outside a step does).
        if (t._private === bound[slot] || (t._shared !== null && t._shared === bound[slot])) (into ??= new Map()).set(out, slot);
      }
    }
    const outs = this.program.run(inputs, undefined, into);
    const device = this.device;
    const resolve = (ref: Ref): Node => {
      if ('src' in ref) {
        const b = this.bind(ref.src, flat.leaves, seeds)!;
        return build.buffer(b, ref.src.kind === 'state' ? ref.src.shape : [b.size]);
      }
      const arr = outs[ref.out]!;
      const shape = this.rootShapes[ref.out]!;
      // The plan's dtype: an array's type does not tell float16 from bfloat16 (Uint16Array) or uint8 from bool.
      const dtype = this.program.plan.slots[this.program.plan.outputs[ref.out]!]!.dtype;
      return build.buffer(new Buffer(device, dtype, arr.length, arr), shape);
    };
    for (const [target, ref] of this.values) {
      const t = this.target(target, flat);
      const shared = t._shared;
      if (shared !== null && t._value!.op === 'buffer' && bufferOfNode(t._value!) === shared) {
        // A tensor whose memory JS holds keeps it: the new values go there (computed there when donated).
        const n = resolve(ref);
        const b = bufferOfNode(n);
        if (b.host !== shared.host) setElements(shared.host!, b.host!);
      } else t._value = resolve(ref);
      t._history = null;
      t._version++;
    }
    // The buffers just made are read by nothing else yet: the next replay may write into them.
    if (donate) {
      for (const [v] of this.donations) {
        const t = (this.values[v]![0] as { tensor: Tensor }).tensor;
        if (t._shared === null) t._private = bufferOfNode(t._value!);
      }
    }
    for (const [target, ref] of this.grads) {
      const t = this.target(target, flat);
      t.grad = ref === null ? null : fromNode(resolve(ref), t.device);
    }
    let k = 0;
    let map: Map<Node, Node> | null = null;
    let leaves: Tensor[] = [];
    return {
      result: rebuild(this.result, (ref) => {
        const graph = this.diff?.outputs[k++] ?? null;
        if (graph === null) return fromNode(resolve(ref), device);
        if (map === null) [map, leaves] = this.rebinding(flat, bound, consts);
        return differentiableOutput(graph, map, leaves, bufferOfNode(resolve(ref)), device);
      }),
    };
  }

  /**
   * The captured graph's inputs and constants mapped to this call's: leaves that require grad to their own
   * nodes (a backward then reaches their .grad), the rest to the buffers bound now.
   */
  private rebinding(flat: FlatArgs, bound: readonly Buffer[], consts: Float64Array | null): [Map<Node, Node>, Tensor[]] {
    const diff = this.diff!;
    const map = new Map<Node, Node>();
    const leaves: Tensor[] = [];
    diff.inputs.forEach((n, i) => {
      const src = this.sources[i]!;
      const t = src.kind === 'arg' ? (flat.leaves[src.index] as Tensor) : src.kind === 'state' ? src.tensor : null;
      if (t !== null && t.requiresGrad) {
        const node = t._trackedNode();
        if (t.gradFn === null) t._accumulateGrad();
        leaves.push(t);
        map.set(n, node);
      } else map.set(n, build.buffer(bound[i]!, n.shape));
    });
    diff.consts.forEach((c, p) => {
      if (consts !== null && !Object.is(consts[p], c.arg)) map.set(c, build.constant(consts[p]!, c.dtype, c.shape));
    });
    return [map, leaves];
  }
}

/** @internal What a variant keeps to give its outputs autograd history (see Variant.diff). */
export interface DiffGraph {
  readonly outputs: readonly (Node | null)[];
  readonly inputs: readonly Node[];
  readonly consts: readonly Node[];
}

/**
 * An output with autograd history: the captured graph over this call's inputs, marked computed with the
 * replay's buffer (a backward differentiates it; nothing recomputes the forward value).
 */
function differentiableOutput(graph: Node, map: ReadonlyMap<Node, Node>, leaves: readonly Tensor[], buf: Buffer, device: string): Tensor {
  const [node] = substitute([graph], map);
  node!.realized = buf;
  const t = fromNode(node!, device);
  t.requiresGrad = true;
  t.gradFn = new GradFn('CompiledFunctionBackward', leaves.map((l) => [l.gradFn ?? l._accumulateGrad(), 0] as const));
  return t;
}

/**
 * The buffer of a tensor argument. A contiguous view of a computed base (x.reshape(...), x[2:5]) is read in
 * place, as a base is: nothing is computed, so a loaded artifact needs no compiler for it.
 */
function argBuffer(t: Tensor): Buffer {
  const base = t._base;
  if (base !== null && base._value!.op === 'buffer' && t.isContiguous()) {
    const b = bufferOfNode(base._value!);
    if (b.host !== null) {
      const n = t.numel();
      return new Buffer(b.device, b.dtype, n, b.host.subarray(t._offset, t._offset + n) as TypedArray);
    }
  }
  return t._contiguousBuffer();
}

function rebuild(t: Template, tensor: (ref: Ref) => Tensor): unknown {
  if ('t' in t) return tensor(t.t);
  if ('array' in t) return t.array.map((e) => rebuild(e, tensor));
  if ('object' in t) return Object.fromEntries(t.object.map(([k, e]) => [k, rebuild(e, tensor)]));
  return t.value;
}

/** The hooks while `fn` runs lazily: what it reads and writes. */
class Capture implements CaptureHooks {
  /** Tensors made from here on were made by `fn`. */
  readonly firstId = tensorIdWatermark();
  /** Which tensor (or argument, by position) each input buffer node belongs to. */
  readonly owners = new Map<Node, Tensor | number>();
  readonly seen = new Set<Tensor>();
  /** Written tensors that existed before, with their value and history before the call. */
  readonly originals = new Map<Tensor, readonly [Node, Node[] | null]>();
  readonly gradOriginals = new Map<Tensor, Tensor | null>();
  readonly seeds = new Map<Node, number>();
  readonly states = new Map<CapturedState, { before: unknown[]; restore: () => void }>();
  readonly flags = new Map<object & { training: boolean }, boolean>();
  /** Tensors `fn` asked to compute (realize(), an optimizer's step). */
  readonly requested: Tensor[] = [];

  realize(ts: readonly Tensor[]): void {
    for (const t of ts) this.requested.push(t);
  }

  /** The tensor arguments, by position (their buffers are owned by the position, not the tensor). */
  readonly args = new Map<Tensor, number>();

  read(t: Tensor): void {
    if (t._id >= this.firstId || this.originals.has(t) || this.args.has(t)) return;
    if (!this.seen.has(t)) {
      this.seen.add(t);
      if (isPending(t._value!)) this.suspended(() => realizeAlone(t));
    }
    this.own(t._value!, t);
  }

  /** Record that `n` (a buffer) is read through `owner`; a buffer two owners share is given a copy. */
  own(n: Node, owner: Tensor | number): void {
    const known = this.owners.get(n);
    if (known === undefined) {
      this.owners.set(n, owner);
      return;
    }
    if (known === owner || typeof owner === 'number') return;
    // Another tensor (or an argument) holds this very buffer now; at a replay they may not: separate slots.
    owner._value = privateCopy(n, owner.device);
    owner._version++;
    this.owners.set(owner._value, owner);
  }

  write(t: Tensor): void {
    if (t._id >= this.firstId || this.originals.has(t)) return;
    this.originals.set(t, [t._value!, t._history]);
  }

  grad(t: Tensor): void {
    if (t._id >= this.firstId || this.gradOriginals.has(t)) return;
    this.gradOriginals.set(t, t.grad);
  }

  seed(n: Node): void {
    this.seeds.set(n, this.seeds.size);
  }

  state(s: CapturedState): void {
    if (!this.states.has(s)) this.states.set(s, { before: s.captureSignature(), restore: s.captureSnapshot() });
  }

  training(module: object, value: boolean): void {
    if (!this.flags.has(module as { training: boolean })) this.flags.set(module as { training: boolean }, value);
  }

  valueRead(what: string): never {
    const raw = currentSite();
    const site = raw ? resolveSite(raw) : null;
    const where = site ? ` at ${site.file}:${site.line}` : '';
    throw new CompileError(
      `torch.compile: the compiled function reads a tensor's values into JS (${what})${where}; a compiled step cannot depend on values it computes. ` +
        'Return the tensor and read it after the call, or keep that part outside the compiled function',
    );
  }

  private suspended<T>(f: () => T): T {
    const hooks = capture.hooks;
    capture.hooks = null;
    try {
      return f();
    } finally {
      capture.hooks = hooks;
    }
  }

  /** Put back everything the call changed (the capture failed). */
  undo(): void {
    for (const [t, [value, history]] of this.originals) {
      t._value = value;
      t._history = history;
      t._version++;
    }
    for (const [t, g] of this.gradOriginals) t.grad = g;
    for (const { restore } of this.states.values()) restore();
    takeImplicit();
  }
}

/** Tensor arguments as the program reads them: views and pending values become buffers of their own. */
function normalizeArgs(flat: FlatArgs): void {
  for (let i = 0; i < flat.leaves.length; i++) {
    const t = flat.leaves[i];
    if (t instanceof Tensor && t._base === null && isPending(t._value!)) t.realize();
  }
}

function capturedArgs(args: readonly unknown[], flat: FlatArgs): unknown[] {
  // Views are passed as contiguous copies (a base tensor: the program reads its buffer directly).
  let k = 0;
  const swap = (x: unknown, depth: number): unknown => {
    if (x instanceof Tensor) {
      const leaf = flat.leaves[k++] as Tensor;
      return leaf;
    }
    if (Array.isArray(x) && depth < 8) return x.map((e) => swap(e, depth + 1));
    if (isPlainObject(x) && depth < 8) return Object.fromEntries(Object.entries(x).map(([key, e]) => [key, swap(e, depth + 1)]));
    k++;
    return x;
  };
  return args.map((a) => swap(a, 1));
}

/** Replace view arguments by contiguous copies (the program reads buffers); returns their positions. */
function materializeViews(flat: FlatArgs): Set<number> {
  const views = new Set<number>();
  for (let i = 0; i < flat.leaves.length; i++) {
    const t = flat.leaves[i];
    if (t instanceof Tensor && t._base !== null) {
      const b = t._contiguousBuffer();
      const copy = fromNode(build.buffer(b, t._shape), t.device);
      copy.requiresGrad = t.requiresGrad && t.isLeaf;
      flat.leaves[i] = copy;
      views.add(i);
    }
  }
  return views;
}

/** Run `fn` lazily with hooks on, realize what it computed as one program, and describe that program. */
function captureCall(
  fn: (...args: unknown[]) => unknown,
  thisArg: unknown,
  args: readonly unknown[],
  flat: FlatArgs,
  stats: CompileStats,
  dry = false,
): { result: unknown; variant: Variant | null; states: CapturedState[] } {
  // Values waiting for the next realization belong to earlier work: computed now, outside the program.
  realizeTensors([]);
  const views = materializeViews(flat);
  normalizeArgs(flat);
  const cap = new Capture();
  flat.leaves.forEach((t, i) => {
    if (t instanceof Tensor) {
      cap.own(t._value!, i);
      if (!cap.args.has(t)) cap.args.set(t, i);
    }
  });
  // Arguments sharing one buffer get separate slots (a replay may pass different tensors).
  flat.leaves.forEach((t, i) => {
    if (t instanceof Tensor && cap.owners.get(t._value!) !== i) {
      t._value = privateCopy(t._value!, t.device);
      cap.owners.set(t._value, i);
    }
  });
  const gradMode = isGradEnabled();
  let result: unknown;
  capture.hooks = cap;
  try {
    result = fn.apply(thisArg, capturedArgs(args, flat));
  } catch (e) {
    capture.hooks = null;
    cap.undo();
    throw e;
  } finally {
    capture.hooks = null;
  }
  stats.captures++;

  // What the program computes: written tensors, gradients, the result.
  const roots: Node[] = [];
  const rootIndex = new Map<Node, number>();
  const pendingRef = (n: Node): Ref | null => {
    if (!isPending(n)) return null;
    let i = rootIndex.get(n);
    if (i === undefined) {
      i = roots.length;
      roots.push(n);
      rootIndex.set(n, i);
    }
    return { out: i };
  };
  const argIndex = new Map<Tensor, number>();
  flat.leaves.forEach((t, i) => {
    if (t instanceof Tensor) argIndex.set(t, i);
  });
  const devices = new Set<string>();
  const written: [Target, Node][] = [];
  for (const t of cap.originals.keys()) {
    const a = argIndex.get(t);
    if (a !== undefined && views.has(a)) {
      cap.undo();
      throw new CompileError('torch.compile: the compiled function writes in place into an argument that is a view of another tensor; pass a contiguous tensor (x.contiguous()) or write outside the compiled function');
    }
    written.push([a !== undefined ? { arg: a } : { tensor: t }, t._value!]);
    devices.add(t.device);
  }
  const grads: [Tensor, Target, Node | null][] = [];
  for (const t of cap.gradOriginals.keys()) {
    const g = t.grad;
    const a = argIndex.get(t);
    grads.push([t, a !== undefined ? { arg: a } : { tensor: t }, g === null ? null : g.node]);
    devices.add(t.device);
  }
  const outTensors: Tensor[] = [];
  const template = templateOf(result, outTensors);
  for (const t of outTensors) devices.add(t.device);
  for (const [, n] of written) pendingRef(n);
  for (const [, , n] of grads) if (n !== null) pendingRef(n);
  const outNodes = new Map<Tensor, Node>(outTensors.map((t) => [t, t.node]));
  for (const n of outNodes.values()) pendingRef(n);
  // Tensors made by `fn` that it asked to compute or left to the next realization (new optimizer state, the
  // loss): computed by this program as eager graft would, though a replay does not make them again.
  const made = new Set<Tensor>();
  for (const t of [...cap.requested, ...takeImplicit()]) {
    const root = t._root;
    if (root._id >= cap.firstId && !made.has(root) && isPending(root._value!)) {
      made.add(root);
      pendingRef(root._value!);
      devices.add(root.device);
    }
  }

  const device = devices.size === 1 ? getDevice([...devices][0]!) : devices.size === 0 ? getDevice('cpu') : null;
  if (device === null) {
    cap.undo();
    throw new DeviceError(`torch.compile: the compiled function uses tensors on several devices (${[...devices].join(', ')}); compile one step per device`);
  }
  let planned: ReturnType<CpuDevice['program']> | null = null;
  let bufs: Buffer[];
  try {
    if (device instanceof CpuDevice && roots.length > 0) planned = device.program(roots);
    if (dry) {
      // Compiled before any data exists: the kernels are built, nothing is computed or changed.
      planned?.program.load();
      bufs = [];
    } else bufs = roots.length > 0 ? realizeNodes(roots, device) : [];
  } catch (e) {
    cap.undo();
    throw e;
  }
  const states = [...cap.states.keys()];
  if (dry) {
    const steady = [...cap.states].every(([s, { before }]) => sameSignature(before, s.captureSignature()));
    cap.undo();
    if (!steady || planned === null) return { result: undefined, variant: null, states };
  }
  const valueOf = (n: Node, i: number | undefined): Node => (i === undefined ? n : build.buffer(bufs[i]!, n.shape));
  for (const [target, n] of dry ? [] : written) {
    const t = 'arg' in target ? (flat.leaves[target.arg] as Tensor) : target.tensor;
    t._value = valueOf(n, rootIndex.get(n));
    t._history = null;
    t._undoCreation = null;
  }
  for (const t of dry ? [] : made) {
    const n = t._value!;
    t._value = valueOf(n, rootIndex.get(n));
    t._history = null;
    t._undoCreation = null;
  }
  for (const [t, , n] of dry ? [] : grads) {
    if (n === null) continue;
    const g = t.grad!;
    if (g._base === null) {
      g._value = valueOf(n, rootIndex.get(n));
      g._history = null;
      g._undoCreation = null;
    } else t.grad = fromNode(valueOf(n, rootIndex.get(n)), t.device);
  }
  // The result: new tensors holding the values (without autograd history, as replays return them).
  // Outputs that stay differentiable (a compiled forward whose loss is differentiated outside): tracked, and
  // no backward inside `fn` released their graph. Arguments that are views are copies here: not then.
  const differentiable =
    gradMode && !dry && planned !== null && views.size === 0
      ? outTensors.map((t) => t.requiresGrad && t.gradFn !== null && !t.gradFn.released && rootIndex.has(outNodes.get(t)!))
      : [];
  const out = dry ? undefined : rebuild(template, (ref) => {
    const t = (ref as unknown as { tensor: Tensor }).tensor;
    const n = outNodes.get(t)!;
    if (differentiable[outTensors.indexOf(t)]) return t;
    const i = rootIndex.get(n);
    return fromNode(i === undefined ? build.buffer(bufferOfNode(n), n.shape) : build.buffer(bufs[i]!, n.shape), device.name);
  });

  // A step that created state (an optimizer's first step) is not what later calls do: capture again next time.
  for (const [s, { before }] of cap.states) {
    if (!sameSignature(before, s.captureSignature())) {
      stats.unsteady++;
      if (debugLevel() >= 1) logLine(`graft compile: ${fn.name || 'function'}: not kept (${s.constructor.name} made new state); captured again at the next call`);
      return { result: out, variant: null, states };
    }
  }
  // Not a cpu program, or nothing computed (a step returning what it was given): nothing to replay.
  if (planned === null) return { result: out, variant: null, states };

  // Each input slot's source.
  const sourceOf = (n: Node): Source => {
    const seed = cap.seeds.get(n);
    if (seed !== undefined) return { kind: 'seed', draw: seed };
    const owner = cap.owners.get(n);
    if (typeof owner === 'number') return { kind: 'arg', index: owner };
    if (owner !== undefined) return { kind: 'state', tensor: owner, shape: n.shape, dtype: n.dtype };
    return { kind: 'const', buffer: bufferOfNode(n) };
  };
  const refOf = (n: Node): Ref => {
    const i = rootIndex.get(n);
    return i !== undefined ? { out: i } : { src: sourceOf(n) };
  };
  const sources = planned.inputs.map(sourceOf);
  const consts = planned.consts.length ? Float64Array.from(planned.consts, (c) => c.arg as number) : null;
  const constDtypes = planned.consts.map((c) => c.dtype);
  const guards = flat.leaves.map((x) =>
    x instanceof Tensor ? { shape: x._shape, dtype: x.dtype, device: x.device, requiresGrad: x.requiresGrad } : { value: x },
  );
  const variant = new Variant(
    flat.structure,
    guards,
    thisArg,
    gradMode,
    [...cap.flags],
    [...cap.states.keys()].map((s) => [s, s.captureSignature()] as const),
    planned.program,
    device.name,
    sources,
    consts,
    cap.seeds.size,
    roots.map((r) => r.shape),
    written.map(([target, n]) => [target, refOf(n)] as const),
    grads.map(([, target, n]) => [target, n === null ? null : refOf(n)] as const),
    mapTemplate(template, (ref) => refOf(outNodes.get((ref as unknown as { tensor: Tensor }).tensor)!)),
    constDtypes,
    [],
    differentiable.some(Boolean)
      ? { outputs: outTensors.map((t, k) => (differentiable[k] ? outNodes.get(t)! : null)), inputs: planned.inputs, consts: planned.consts }
      : null,
  );
  if (debugLevel() >= 1) {
    const count = (k: Source['kind']): number => sources.filter((s) => s.kind === k).length;
    logLine(
      `graft compile: captured ${fn.name || 'function'}: ${sources.length} input slots (${count('arg')} arguments, ${count('state')} state, ${count('const')} constants, ${count('seed')} seeds), ` +
        `${written.length} tensors written, ${grads.length} gradients, ${outTensors.length} outputs; ${variant.program.plan.kernels.length} kernels`,
    );
  }
  return { result: out, variant, states };
}

/** The result's structure; tensors are collected in `out` and stand as `{ tensor }` until they are placed. */
function templateOf(x: unknown, out: Tensor[], depth = 0): Template {
  if (x instanceof Tensor) {
    out.push(x);
    return { t: { tensor: x } as unknown as Ref };
  }
  if (Array.isArray(x) && depth < 8) return { array: x.map((e) => templateOf(e, out, depth + 1)) };
  if (isPlainObject(x) && depth < 8) return { object: Object.entries(x).map(([k, e]) => [k, templateOf(e, out, depth + 1)]) };
  return { value: x };
}

function mapTemplate(t: Template, f: (ref: Ref) => Ref): Template {
  if ('t' in t) return { t: f(t.t) };
  if ('array' in t) return { array: t.array.map((e) => mapTemplate(e, f)) };
  if ('object' in t) return { object: t.object.map(([k, e]) => [k, mapTemplate(e, f)]) };
  return t;
}

/**
 * torch.compile(fn, { check?, maxVariants? }): `fn` captured at its first calls and replayed as one program
 * afterwards (see the top of this file).
 */
export function compile<F extends (...args: never[]) => unknown>(fn: F, opts?: CompileOptions): Compiled<F> {
  if (typeof fn !== 'function') throw new CompileError(`compile(): expected a function to compile, got ${describeValue(fn)}`);
  COMPILE_OPTIONS.check(opts);
  const check = opts?.check === true;
  const maxVariants = Math.max(1, opts?.maxVariants ?? 8);
  const variants: Variant[] = [];
  const stats: CompileStats = { captures: 0, replays: 0, unsteady: 0 };
  const run = fn as unknown as (...args: unknown[]) => unknown;
  const compiled = function (this: unknown, ...args: unknown[]): unknown {
    // Inside another capture, this function is part of that step.
    if (capture.hooks !== null) return run.apply(this, args);
    const flat = flattenArgs(args);
    const reasons: string[] = [];
    for (let i = 0; i < variants.length; i++) {
      const v = variants[i]!;
      const why = v.mismatch(flat, this);
      if (why !== null) {
        reasons.push(why);
        continue;
      }
      const done = check ? checkedReplay(v, run, this, args, flat) : v.replay(flat);
      if (done !== null) {
        stats.replays++;
        return done.result;
      }
      reasons.push('state tensors changed shape or dtype');
      variants.splice(i, 1);
      break;
    }
    if (reasons.length && debugLevel() >= 1) logLine(`graft compile: ${fn.name || 'function'}: capturing again (${reasons.join('; ')})`);
    const { result, variant } = captureCall(run, this, args, flat, stats);
    if (variant !== null) {
      // A capture that differs from a kept one only in the values of number arguments that the program takes
      // as values replaces it by one variant taking any such number.
      const general = generalizeNumbers(variants, variant);
      if (general !== null) {
        variants.splice(variants.indexOf(general.replaces), 1);
        if (debugLevel() >= 1) logLine(`graft compile: ${fn.name || 'function'}: number argument${general.variant.numberSlots.length > 1 ? 's' : ''} ${general.variant.numberSlots.map((s) => s.leaf).join(', ')} taken as values from now on`);
      }
      variants.unshift(general?.variant ?? variant);
      if (variants.length > maxVariants) variants.pop();
    }
    return result;
  };
  if (opts?.example !== undefined) {
    // Define-then-run: captured now on zeros of the given specs. A first capture that makes state (an
    // optimizer's moments) has that state made as its first step would, and is captured again.
    const args = exampleArgs(opts.example);
    let done = captureCall(run, undefined, args, flattenArgs(args), stats, true);
    if (done.variant === null) {
      for (const s of done.states) s.prepareCapture();
      done = captureCall(run, undefined, args, flattenArgs(args), stats, true);
    }
    if (done.variant === null) stats.unsteady++;
    else variants.push(done.variant);
  }
  Object.defineProperty(compiled, 'stats', { value: stats, enumerable: true });
  Object.defineProperty(compiled, 'memory', { value: () => variants[0]?.program.peakBytes ?? null });
  capturedVariants.set(compiled, variants);
  originals.set(compiled, fn);
  Object.defineProperty(compiled, 'name', { value: fn.name });
  return compiled as unknown as Compiled<F>;
}

const capturedVariants = new WeakMap<object, Variant[]>();
const originals = new WeakMap<object, unknown>();

/** @internal The function a compiled function was made from. */
export function originalOf(f: unknown): unknown {
  return typeof f === 'function' ? originals.get(f) : undefined;
}

/** @internal The captured variants of a compiled function, most recently captured first (null: not one). */
export function variantsOf(f: unknown): readonly Variant[] | null {
  return typeof f === 'function' ? (capturedVariants.get(f) ?? null) : null;
}

/** Replay, then run `fn` eagerly from the same state and compare everything, bit for bit. */
function checkedReplay(v: Variant, fn: (...args: unknown[]) => unknown, thisArg: unknown, args: readonly unknown[], flat: FlatArgs): { result: unknown } | null {
  const targets = v.values.map(([target]) => v.target(target, flat));
  const gradOwners = v.grads.map(([target]) => v.target(target, flat));
  const before = targets.map((t) => t._value!);
  const gradsBefore = gradOwners.map((t) => t.grad);
  const counter = seedCounter();
  const replayed = v.replay(flat, false);
  if (replayed === null) return null;
  const afterReplay = targets.map((t) => t._value!);
  const gradsReplay = gradOwners.map((t) => t.grad);
  targets.forEach((t, i) => {
    t._value = before[i]!;
    t._version++;
  });
  gradOwners.forEach((t, i) => (t.grad = gradsBefore[i]!));
  seedCounter(counter);
  const eager = fn.apply(thisArg, args as unknown[]);
  const eagerOut: Tensor[] = [];
  templateOf(eager, eagerOut);
  const replayOut: Tensor[] = [];
  templateOf(replayed.result, replayOut);
  realizeTensors([...targets, ...gradOwners.map((t) => t.grad).filter((g): g is Tensor => g !== null), ...eagerOut]);
  const differ = (what: string, a: Tensor | null, b: Tensor | null): void => {
    if (a === null && b === null) return;
    if (a === null || b === null) throw new CompileError(`torch.compile check: ${what} is ${a === null ? 'null' : 'set'} after the replay but ${b === null ? 'null' : 'set'} when run eagerly`);
    const x = a.dataSync();
    const y = b.dataSync();
    if (x.length !== y.length) throw new CompileError(`torch.compile check: ${what} has ${x.length} elements after the replay, ${y.length} when run eagerly`);
    for (let i = 0; i < x.length; i++) {
      if (!Object.is(x[i], y[i]) && !(x[i] === y[i])) {
        throw new CompileError(
          `torch.compile check: ${what} differs between the replay and an eager run at element ${i} (${String(x[i])} vs ${String(y[i])}): the function does something the capture did not record (a JS-side branch or counter, state stored outside tensors)`,
        );
      }
    }
  };
  if (eagerOut.length !== replayOut.length) throw new CompileError(`torch.compile check: the eager run returned ${eagerOut.length} tensors, the replay ${replayOut.length}`);
  replayOut.forEach((t, i) => differ(`output ${i}`, t, eagerOut[i]!));
  targets.forEach((t, i) => differ(`a tensor the step writes (shape [${t.shape.join(', ')}])`, fromNode(afterReplay[i]!, t.device), t));
  gradOwners.forEach((t, i) => differ(`the gradient of a tensor of shape [${t.shape.join(', ')}]`, gradsReplay[i]!, t.grad));
  return { result: eager };
}

