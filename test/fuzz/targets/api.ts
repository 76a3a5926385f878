/**
 * Fuzz targets for the public API's argument handling: a random public function, method or constructor called
 * with random arguments — tensors of every dtype and odd shapes (0-d, empty, views), numbers (NaN, ±Infinity,
 * -0, huge, fractional), strings, null/undefined, arrays, option objects whose keys are the function's own
 * options (from its declared spec), PyTorch's snake_case spellings and junk — then, when it returns, a random
 * method of what it returned (a module's forward, an optimizer's step, ...). Results are computed (small ones,
 * on the `interp` device) and printed, so errors found late count too.
 *
 * Rule (harness.ts): a value or a graft error. And a call that fails leaves its tensor arguments as they were.
 */
import fc from 'fast-check';
import * as torch from '../../../src/index.js';
import { optionSpecs } from '../../../src/tensor/options.js';
import { RuleBroken, type FuzzTarget } from '../harness.js';

// ---------------------------------------------------------------------------------------------------------
// Argument descriptions: plain data (so fast-check can shrink them and a failure prints as code).

export type Arg =
  | { t: 'num'; v: number }
  | { t: 'bool'; v: boolean }
  | { t: 'str'; v: string }
  | { t: 'null' }
  | { t: 'undef' }
  | { t: 'big' }
  | { t: 'tensor'; shape: number[]; dtype: torch.DType; grad: boolean; view: 'none' | 'T' | 'slice' | 'expand'; fill: 'seq' | 'special' | 'index' }
  | { t: 'arr'; items: Arg[] }
  | { t: 'opts'; entries: [string, Arg][] }
  | { t: 'typed'; kind: 'f32' | 'f64' | 'i32' | 'u8' }
  | { t: 'fn'; kind: 'identity' | 'tensor' | 'throws' | 'async' | 'sum' }
  | { t: 'module' }
  | { t: 'generator' }
  | { t: 'map' };

const NUMBERS = [0, 1, 2, 3, -1, -2, 0.5, -0.5, 1.5, NaN, Infinity, -Infinity, -0, 2 ** 31, 2 ** 32 + 1, 1e20, 2 ** 53, 1e-300];
const STRINGS = ['', 'a', 'interp', 'cuda', 'cuda:1', 'float32', 'float64', 'int32', 'bool', 'float16', 'long', 'mean', 'sum', 'none', 'same', 'valid', 'fro',
  '...', ':', '1:3', '::2', '-1:', 'tanh', 'relu', 'fan_in', 'zeros', 'reflect', 'circular', 'floor', 'trunc', '__proto__', 'constructor', '0'];
const SHAPES = [[], [0], [1], [3], [2, 3], [3, 2], [1, 2, 1], [2, 0, 3], [2, 1, 3, 2], [4, 4]];
const JUNK_KEYS = ['dim', 'out', 'dtype', 'device', 'keepdim', 'inplace', 'reduction', 'p', 'lr', 'weight', 'bias', 'training', 'requiresGrad', 'alpha', 'min', 'max',
  'keep_dim', 'requires_grad', 'step_size', 'foo', '__proto__', 'constructor'];
// Not drawn: objects whose toString/valueOf are not functions (a hostile object breaks string conversion in any
// message that names a value; graft does not defend against that).

const scalarArb: fc.Arbitrary<Arg> = fc.oneof(
  fc.constantFrom(...NUMBERS).map((v): Arg => ({ t: 'num', v })),
  fc.constantFrom(-3, -1, 0, 1, 2, 3).map((v): Arg => ({ t: 'num', v })),
  fc.boolean().map((v): Arg => ({ t: 'bool', v })),
  fc.constantFrom(...STRINGS).map((v): Arg => ({ t: 'str', v })),
  fc.constantFrom<Arg>({ t: 'null' }, { t: 'undef' }, { t: 'big' }, { t: 'typed', kind: 'f32' }, { t: 'typed', kind: 'i32' }, { t: 'typed', kind: 'u8' }, { t: 'typed', kind: 'f64' }),
  fc.constantFrom<Arg>({ t: 'fn', kind: 'identity' }, { t: 'fn', kind: 'tensor' }, { t: 'fn', kind: 'throws' }, { t: 'fn', kind: 'async' }, { t: 'fn', kind: 'sum' }, { t: 'module' }, { t: 'generator' }, { t: 'map' }),
);

const tensorArb: fc.Arbitrary<Arg> = fc.record({
  t: fc.constant('tensor' as const),
  shape: fc.constantFrom(...SHAPES),
  dtype: fc.constantFrom<torch.DType>('float32', 'float32', 'float64', 'int32', 'int32', 'bool', 'float16', 'bfloat16', 'uint8', 'int8', 'int16'),
  grad: fc.boolean(),
  view: fc.constantFrom('none' as const, 'none' as const, 'T' as const, 'slice' as const, 'expand' as const),
  fill: fc.constantFrom('seq' as const, 'special' as const, 'index' as const),
});

function argArb(keys: readonly string[]): fc.Arbitrary<Arg> {
  const keyArb = keys.length ? fc.oneof({ weight: 3, arbitrary: fc.constantFrom(...keys) }, { weight: 1, arbitrary: fc.constantFrom(...JUNK_KEYS) }) : fc.constantFrom(...JUNK_KEYS);
  const { arg } = fc.letrec<{ arg: Arg }>((tie) => ({
    arg: fc.oneof(
      { depthSize: 'small', maxDepth: 3 },
      { weight: 4, arbitrary: tensorArb },
      { weight: 4, arbitrary: scalarArb },
      { weight: 2, arbitrary: fc.array(fc.constantFrom(-2, -1, 0, 1, 2, 3), { maxLength: 4 }).map((v): Arg => ({ t: 'arr', items: v.map((n) => ({ t: 'num', v: n })) })) },
      { weight: 1, arbitrary: fc.array(tie('arg'), { maxLength: 3 }).map((items): Arg => ({ t: 'arr', items })) },
      { weight: 3, arbitrary: fc.array(fc.tuple(keyArb, tie('arg')), { maxLength: 3 }).map((entries): Arg => ({ t: 'opts', entries })) },
    ),
  }));
  return arg;
}

// ---------------------------------------------------------------------------------------------------------
// Making values of descriptions, and printing them as code.

const DEVICE = 'interp';

function values(shape: number[], dtype: torch.DType, fill: 'seq' | 'special' | 'index'): number[] {
  const n = shape.reduce((a, b) => a * b, 1);
  const special = [0, -1.5, NaN, Infinity, -Infinity, 2.5, -0, 1e30];
  return Array.from({ length: n }, (_, i) => {
    const v = fill === 'seq' ? i - 1 : fill === 'index' ? (i % 7) - 3 : special[i % special.length]!;
    const int = dtype === 'int32' || dtype === 'uint8' || dtype === 'int8' || dtype === 'int16';
    return dtype === 'bool' ? Number(v !== 0 && !Number.isNaN(v)) : int ? (Number.isFinite(v) ? Math.trunc(v) : 7) : v;
  });
}

function makeTensor(a: Extract<Arg, { t: 'tensor' }>): torch.Tensor {
  const data = values(a.shape, a.dtype, a.fill);
  let x = torch.tensor(data, { dtype: a.dtype, device: DEVICE }).reshape(a.shape);
  if (a.grad && (a.dtype === 'float32' || a.dtype === 'float64' || a.dtype === 'float16' || a.dtype === 'bfloat16')) x.requiresGrad = true;
  if (a.view === 'T' && x.dim() >= 2) x = x.transpose(0, 1);
  else if (a.view === 'slice' && x.dim() >= 1 && x.shape[0]! > 0) x = x.narrow(0, 0, Math.max(1, x.shape[0]! - 1));
  else if (a.view === 'expand' && x.dim() >= 1 && x.shape[0] === 1) x = x.expand(3, ...x.shape.slice(1));
  return x;
}

export function make(a: Arg, tensors: torch.Tensor[]): unknown {
  switch (a.t) {
    case 'num':
    case 'bool':
    case 'str':
      return a.v;
    case 'null':
      return null;
    case 'undef':
      return undefined;
    case 'big':
      return 2n;
    case 'tensor': {
      const x = makeTensor(a);
      tensors.push(x);
      return x;
    }
    case 'arr':
      return a.items.map((e) => make(e, tensors));
    case 'opts': {
      const o: Record<string, unknown> = {};
      // Own properties, "__proto__" included (a plain key, not the prototype).
      for (const [k, v] of a.entries) Object.defineProperty(o, k, { value: make(v, tensors), enumerable: true, writable: true, configurable: true });
      return o;
    }
    case 'typed':
      return { f32: Float32Array.of(1, -2, 3), f64: Float64Array.of(0.5), i32: Int32Array.of(2, 0, -1), u8: Uint8Array.of(1, 0) }[a.kind];
    case 'fn':
      return {
        identity: (x: unknown) => x,
        tensor: () => torch.ones(2, { device: DEVICE }),
        sum: (x: unknown) => (x instanceof torch.Tensor ? x.sum() : x),
        throws: () => {
          throw new torch.ValueError('thrown by a callback');
        },
        async: async () => 1,
      }[a.kind];
    case 'module':
      return new torch.nn.Linear(2, 3).to(DEVICE);
    case 'generator':
      return new torch.Generator().manualSeed(1);
    case 'map':
      return new Map([['w', torch.ones(1, { device: DEVICE })]]);
  }
}

export function show(a: Arg): string {
  switch (a.t) {
    case 'num':
      return Object.is(a.v, -0) ? '-0' : String(a.v);
    case 'bool':
      return String(a.v);
    case 'str':
      return JSON.stringify(a.v);
    case 'null':
      return 'null';
    case 'undef':
      return 'undefined';
    case 'big':
      return '2n';
    case 'tensor': {
      const base = `torch.tensor(${JSON.stringify(values(a.shape, a.dtype, a.fill)).replace(/null/g, 'NaN')}, { dtype: '${a.dtype}' }).reshape([${a.shape}])`;
      const grad = a.grad && a.dtype.startsWith('float') ? ' /* requiresGrad */' : '';
      return a.view === 'none' ? base + grad : `${base}${grad} /* view: ${a.view} */`;
    }
    case 'arr':
      return `[${a.items.map(show).join(', ')}]`;
    case 'opts':
      return `{ ${a.entries.map(([k, v]) => `${JSON.stringify(k)}: ${show(v)}`).join(', ')} }`;
    case 'typed':
      return `/* ${a.kind} typed array */`;
    case 'fn':
      return `/* ${a.kind} function */`;
    case 'module':
      return 'new nn.Linear(2, 3)';
    case 'generator':
      return 'new torch.Generator().manualSeed(1)';
    case 'map':
      return "new Map([['w', torch.ones(1)]])";
  }
}

// ---------------------------------------------------------------------------------------------------------
// What can be called.

interface Callable {
  name: string;
  kind: 'fn' | 'new' | 'method';
  get: () => unknown;
  /** The declared option keys of this function (its spec), if any. */
  keys: readonly string[];
}

/** Exports documented @internal (graft's own plumbing), and functions that write files or touch the process. */
const SKIP = new Set([
  'applyOp', 'applyViewOp', 'binary', 'broadcastHost', 'catNodes', 'checkCreateOptions', 'checkCreateSize', 'checkIndexTensor', 'checkOperand', 'checkTensor', 'commitInPlace',
  'constTensor', 'dimArg', 'finish', 'fromNode', 'fromValues', 'gradEdge', 'hostRows', 'hostValues', 'keepsGraph', 'lastWriters', 'leafOfNode', 'liveTensorCount', 'makeView',
  'nextSeedNode', 'normalNode', 'operandNode', 'parseSizeArgs', 'permuteOp', 'realizeTensors', 'realizeWithNext', 'reshapeOp', 'reshapeStrides', 'reshapeTo', 'resolveDevice',
  'sameDevice', 'selectAt', 'sigmoidNode', 'sizesOf', 'sliceDim', 'sliceOp', 'unaryOp', 'uniformNode', 'viewStrides', 'withOut', 'formatValues', 'AccumulateGrad', 'GradFn',
  // Files are written only where tests choose; the progress bar writes to stderr.
  'save', 'saveNpy', 'saveFile', 'saveText', 'Progress', 'MNIST',
  // Methods that move tensors to the compiling cpu device (each new graph costs a C compile).
  'cpu',
  // Protected methods (TypeScript's `protected`: for subclasses, not callers).
  'updateGroup', 'stateOf', 'lrAt', 'checkInputDim',
  // (those of the schedulers in src/optim/schedulers; Optimizer's private `update`)
  'getLr', 'closedFormLr', 'stateFields', 'initialStep', 'setLrs', 'update',
  // Optimizer's protected helpers and the methods torch.compile calls on stateful objects (capture-hooks.ts)
  'hyper', 'hyperFor', 'lrFor', 'stateScalar', 'initState', 'captureSignature', 'captureSnapshot', 'prepareCapture', 'beforeReplay', 'namedHypers',
]);

function specKeys(name: string): readonly string[] {
  const specs = optionSpecs();
  return specs.get(name)?.keys ?? specs.get(name.replace(/^.*\./, ''))?.keys ?? [];
}

function callablesOf(prefix: string, ns: Record<string, unknown>, isClassNs = false): Callable[] {
  const out: Callable[] = [];
  for (const [name, v] of Object.entries(ns)) {
    if (typeof v !== 'function' || SKIP.has(name) || name.startsWith('_')) continue;
    const isClass = /^[A-Z]/.test(name) || isClassNs;
    out.push({ name: `${prefix}${name}`, kind: isClass ? 'new' : 'fn', get: () => v, keys: specKeys(name) });
  }
  return out;
}

function tensorMethods(): Callable[] {
  const P = torch.Tensor.prototype as unknown as Record<string, unknown>;
  return Object.getOwnPropertyNames(P)
    .filter((k) => !k.startsWith('_') && k !== 'constructor' && !SKIP.has(k) && typeof Object.getOwnPropertyDescriptor(P, k)?.value === 'function')
    .map((k) => ({ name: `Tensor.${k}`, kind: 'method' as const, get: () => P[k], keys: specKeys(k) }));
}

const errorClass = (n: string): boolean => n.endsWith('Error');

export function tensorCallables(): Callable[] {
  return [...callablesOf('torch.', torch as unknown as Record<string, unknown>).filter((c) => !errorClass(c.name)), ...tensorMethods(), ...callablesOf('torch.ir.', torch.ir), ...callablesOf('torch.cuda.', torch.cuda)];
}

export function libraryCallables(): Callable[] {
  const { nn, optim, io, utils, datasets, func, autograd } = torch;
  return [
    ...callablesOf('nn.', nn as unknown as Record<string, unknown>),
    ...callablesOf('nn.functional.', nn.functional as unknown as Record<string, unknown>),
    ...callablesOf('nn.init.', nn.init as unknown as Record<string, unknown>),
    ...callablesOf('nn.utils.', nn.utils as unknown as Record<string, unknown>),
    ...callablesOf('nn.utils.rnn.', nn.utils.rnn as unknown as Record<string, unknown>),
    ...callablesOf('optim.', optim as unknown as Record<string, unknown>),
    ...callablesOf('optim.lrScheduler.', optim.lrScheduler as unknown as Record<string, unknown>),
    ...callablesOf('io.', io as unknown as Record<string, unknown>),
    ...callablesOf('utils.data.', utils.data as unknown as Record<string, unknown>),
    ...callablesOf('utils.plot.', utils.plot as unknown as Record<string, unknown>),
    ...callablesOf('datasets.', datasets as unknown as Record<string, unknown>),
    ...callablesOf('func.', func as unknown as Record<string, unknown>),
    ...callablesOf('autograd.', autograd as unknown as Record<string, unknown>),
  ];
}

// ---------------------------------------------------------------------------------------------------------
// One call.

export interface Call {
  callee: number;
  self: Arg;
  args: Arg[];
  /** A method to call on what came back (index into its methods), with its arguments. */
  then: { method: number; args: Arg[] } | null;
}

interface Snapshot {
  t: torch.Tensor;
  value: unknown;
  version: number;
  requiresGrad: boolean;
  grad: unknown;
  gradFn: unknown;
}
const snapshot = (t: torch.Tensor): Snapshot => ({ t, value: t._root._value, version: t._root._version, requiresGrad: t.requiresGrad, grad: t.grad, gradFn: t.gradFn });
const unchanged = (s: Snapshot): boolean =>
  s.t._root._value === s.value && s.t._root._version === s.version && s.t.requiresGrad === s.requiresGrad && s.t.grad === s.grad && s.t.gradFn === s.gradFn;

/** graft's classes whose instances a call may return (their methods are fuzzed next). */
const GRAFT_CLASSES: (abstract new (...a: never[]) => unknown)[] = [
  torch.nn.Module, torch.optim.Optimizer, torch.optim.lrScheduler.LRScheduler, torch.utils.data.DataLoader, torch.utils.data.Dataset,
  torch.Generator, torch.NDArray, torch.ValuesIndices, torch.GradFn, torch.GraftError,
  torch.optim.lrScheduler.ReduceLROnPlateau,
];

/** Methods of a graft object returned by a call (its class's, up the prototype chain, not Object's). */
function methodsOf(x: unknown): string[] {
  if (typeof x !== 'object' || x === null || x instanceof torch.Tensor || !GRAFT_CLASSES.some((C) => x instanceof C)) return [];
  const names = new Set<string>();
  for (let p = Object.getPrototypeOf(x) as object | null; p && p !== Object.prototype; p = Object.getPrototypeOf(p) as object | null) {
    for (const k of Object.getOwnPropertyNames(p)) {
      if (k === 'constructor' || k.startsWith('_') || SKIP.has(k)) continue;
      if (typeof Object.getOwnPropertyDescriptor(p, k)?.value === 'function') names.add(k);
    }
  }
  return [...names].sort();
}

const MAX_REALIZE = 4096;

/** Compute and print what came back (small tensors on interp), so errors found late are seen. */
function consume(x: unknown, depth = 0): void {
  if (depth > 3 || x === null || x === undefined) return;
  if (x instanceof torch.Tensor) {
    if (x.device !== DEVICE || x.numel() > MAX_REALIZE) return;
    x.dataSync();
    if (x.numel() <= 64) String(x);
    return;
  }
  if (Array.isArray(x)) x.slice(0, 8).forEach((e) => consume(e, depth + 1));
  else if (x instanceof Map) [...x.values()].slice(0, 8).forEach((e) => consume(e, depth + 1));
  else if (typeof x === 'object' && !(x instanceof Promise)) {
    String(x);
    if (Object.getPrototypeOf(x) === Object.prototype) Object.values(x).slice(0, 8).forEach((e) => consume(e, depth + 1));
  }
}

const savedPrint = torch.getPrintOptions();

/** Put back process-wide state a call may change (grad mode, default device, print options). */
function restoreGlobals(): void {
  torch.setGradEnabled(true);
  torch.setDefaultDevice(DEVICE);
  torch.setPrintOptions(savedPrint);
  torch.ir.recordSites(false);
}

function invoke(c: Callable, self: unknown, args: unknown[]): unknown {
  const f = c.get() as (...a: unknown[]) => unknown;
  if (c.kind === 'new') return Reflect.construct(f, args);
  if (c.kind === 'method') return f.apply(self, args);
  return f(...args);
}

/** Run one call under the rule's extra clause: a failing call leaves its tensor arguments as they were. */
function runCall(callables: readonly Callable[], call: Call): void {
  restoreGlobals();
  const c = callables[call.callee % callables.length]!;
  const tensors: torch.Tensor[] = [];
  const self = c.kind === 'method' ? make(call.self, tensors) : undefined;
  const args = call.args.map((a) => make(a, tensors));
  const before = tensors.map(snapshot);
  let result: unknown;
  try {
    result = invoke(c, self, args);
  } catch (e) {
    if (e instanceof torch.GraftError) {
      const changed = before.findIndex((s) => !unchanged(s));
      if (changed >= 0) throw new RuleBroken(`${c.name} threw ${e.constructor.name} (${e.message}) but changed tensor argument ${changed}`, null);
    }
    throw e;
  } finally {
    restoreGlobals();
  }
  if (result instanceof Promise) result.catch(() => undefined);
  consume(result);
  const methods = methodsOf(result);
  if (call.then && methods.length) {
    const m = methods[call.then.method % methods.length]!;
    const thenArgs = call.then.args.map((a) => make(a, tensors));
    try {
      const r2 = (result as Record<string, (...a: unknown[]) => unknown>)[m]!(...thenArgs);
      if (r2 instanceof Promise) r2.catch(() => undefined);
      consume(r2);
    } finally {
      restoreGlobals();
    }
  }
}

function describeCall(callables: readonly Callable[], call: Call): string {
  const c = callables[call.callee % callables.length]!;
  const args = call.args.map(show).join(', ');
  const head = c.kind === 'new' ? `new ${c.name}(${args})` : c.kind === 'method' ? `(${show(call.self)}).${c.name.slice('Tensor.'.length)}(${args})` : `${c.name}(${args})`;
  return call.then ? `${head} then method #${call.then.method}(${call.then.args.map(show).join(', ')})` : head;
}

function apiTarget(name: string, list: () => Callable[]): FuzzTarget<Call> {
  let callables: Callable[] | null = null;
  let arb: fc.Arbitrary<Call> | null = null;
  const all = (): Callable[] => (callables ??= list());
  return {
    name,
    arbitrary: () =>
      (arb ??= fc.integer({ min: 0, max: all().length - 1 }).chain((callee) => {
        const arg = argArb(all()[callee]!.keys);
        return fc.record({
          callee: fc.constant(callee),
          self: tensorArb,
          args: fc.array(arg, { maxLength: 4 }),
          then: fc.option(fc.record({ method: fc.nat(), args: fc.array(argArb([]), { maxLength: 3 }) }), { nil: null }),
        });
      })),
    run: (call) => runCall(all(), call),
    describe: (call) => describeCall(all(), call),
  };
}

/** torch.* functions and Tensor methods. */
export const tensorApiTarget = apiTarget('api-tensor', tensorCallables);
/** nn, optim, io, data, func, autograd. */
export const libraryApiTarget = apiTarget('api-library', libraryCallables);

export const API_TARGETS = [tensorApiTarget, libraryApiTarget];
