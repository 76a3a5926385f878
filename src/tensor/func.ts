/**
 * `torch.func`: function transforms over the autodiff transform — `grad(f)`, `valueAndGrad(f)`,
 * `vjp(f, ...primals)`. The gradients they return are lazy tensors (`torch.ir.print(g)` shows the backward
 * program), and they compose: `grad(grad(f))` is a second derivative.
 *
 * How, in JAX's manner: f is called on placeholders — fresh buffers holding the arguments' values, so each
 * is a node no other graph contains (nodes are hash-consed: an argument's own node could also appear
 * elsewhere in f, as a constant or a shared subgraph). The outputs are differentiated with respect to the
 * placeholders, and the placeholders are then substituted by the real arguments' nodes, so the results
 * depend on the arguments themselves: an outer transform (or backward) can differentiate them again.
 * Placeholders require grad, so `detach()` and `noGrad` inside f stop gradients as they do in PyTorch.
 */
import { substitute, vjp as vjpNodes } from '../compiler/autodiff/index.js';
import { ArgumentError, build, DTypeError, isFloat, shapeEq, ShapeError, ValueError, type Node } from '../ir/index.js';
import { gradientTensor } from './autograd.js';
import { hostValues } from './convert.js';
import { fromValues } from './creation.js';
import { enableGrad, isGradEnabled } from './grad-mode.js';
import { z } from 'zod';
import { bool, checked, defineOptions, describeValue, int } from './options.js';
import { Tensor } from './tensor.js';

export interface GradTransformOptions {
  /** Which positional arguments to differentiate with respect to (default 0). */
  argnums?: number | readonly number[];
  /** f returns [output, aux]: aux is passed through. */
  hasAux?: boolean;
}

type Fn = (...args: never[]) => unknown;

const FUNC_OPTIONS = { grad: defineOptions('func.grad', { argnums: z.union([int, z.array(int)]).optional(), hasAux: bool.optional() }), valueAndGrad: defineOptions('func.valueAndGrad', { argnums: z.union([int, z.array(int)]).optional(), hasAux: bool.optional() }) };

function checkFn(api: string, f: unknown): void {
  if (typeof f !== 'function') throw new ArgumentError(`${api}(): expected a function to transform, not ${describeValue(f)}`);
}

/** A fresh leaf with x's values: a node that appears nowhere else. */
function placeholder(x: Tensor): Tensor {
  const values = hostValues(x.detach()).slice();
  const p = fromValues(values, x.shape, x.dtype, x.device);
  p.requiresGrad = true;
  return p;
}

/** The node that stands for an argument in the results: tracked when the argument is. */
function argumentNode(a: Tensor): Node {
  if (!a.requiresGrad) return a.node;
  if (!isGradEnabled()) return build.detach(a.node);
  const n = a._trackedNode();
  if (a.gradFn === null) a._accumulateGrad();
  return n;
}

/** Results as tensors: tracked when they read a leaf that requires grad (and grad mode is on). */
const wrap = (n: Node, device: string): Tensor => gradientTensor(n, device, isGradEnabled());

function normArgnums(api: string, argnums: number | readonly number[] | undefined, args: readonly unknown[]): number[] {
  const list = argnums === undefined ? [0] : typeof argnums === 'number' ? [argnums] : [...argnums];
  if (list.length === 0) throw new ValueError(`${api}: argnums must be non-empty`);
  return list.map((k) => {
    if (!Number.isInteger(k) || k < -args.length || k >= args.length) {
      throw new ValueError(`${api}: Got argnums=${k}, but only ${args.length} positional inputs`);
    }
    const i = k < 0 ? k + args.length : k;
    const a = args[i];
    if (!(a instanceof Tensor)) throw new DTypeError(`${api}: Expected argument ${i} to be a Tensor, got ${typeof a}`);
    if (!isFloat(a.dtype)) throw new DTypeError(`${api}: only Tensors of floating point dtype can require gradients (argument ${i} is ${a.dtype})`);
    return i;
  });
}

/** Tensors inside aux (a tensor, or an array of them) get their placeholders substituted too. */
function mapAux(aux: unknown, fix: (t: Tensor) => Tensor): unknown {
  if (aux instanceof Tensor) return fix(aux);
  if (Array.isArray(aux)) return aux.map((a) => mapAux(a, fix));
  return aux;
}

interface Traced {
  /** The call's placeholders by argument index, and the map back to the real arguments. */
  placeholders: Map<number, Tensor>;
  back: Map<Node, Node>;
  ret: unknown;
}

function trace(f: Fn, args: readonly unknown[], argnums: readonly number[]): Traced {
  const placeholders = new Map<number, Tensor>();
  const back = new Map<Node, Node>();
  const callArgs = args.map((a, i) => {
    if (!argnums.includes(i)) return a;
    const p = placeholder(a as Tensor);
    placeholders.set(i, p);
    back.set(p.node, argumentNode(a as Tensor));
    return p;
  });
  const ret = enableGrad(() => (f as (...a: unknown[]) => unknown)(...callArgs));
  return { placeholders, back, ret };
}

function gradAndValue(api: string, f: Fn, opts: GradTransformOptions, args: readonly unknown[]) {
  const argnums = normArgnums(api, opts.argnums, args);
  const { placeholders, back, ret } = trace(f, args, argnums);
  let out: unknown = ret;
  let aux: unknown;
  if (opts.hasAux) {
    if (!Array.isArray(ret) || ret.length !== 2) throw new ValueError(`${api}(f)(*args): output of function f should be a tuple: (output, aux) if has_aux is True`);
    [out, aux] = ret as [unknown, unknown];
  }
  if (!(out instanceof Tensor)) throw new DTypeError(`${api}(f)(*args): Expected f(*args) to return a Tensor, got ${typeof out}`);
  if (out.numel() !== 1) {
    throw new ShapeError(`${api}(f)(*args): Expected f(*args) to return a scalar Tensor, got tensor with ${out.dim()} dims. Maybe you wanted to use the vjp or jacrev APIs instead?`);
  }
  if (!isFloat(out.dtype)) throw new DTypeError(`${api}(f)(*args): Expected f(*args) to return a floating point Tensor, got ${out.dtype}`);
  const wrt = argnums.map((i) => placeholders.get(i)!);
  const grads = vjpNodes([out.node], [build.constant(1, out.dtype, out.node.shape)], wrt.map((p) => p.node));
  const nodes = grads.map((g, k) => g ?? build.constant(0, wrt[k]!.dtype, wrt[k]!.node.shape));
  const [valueNode, ...gradNodes] = substitute([out.node, ...nodes], back);
  const device = out.device;
  const gradTensors = gradNodes.map((n) => wrap(n!, device));
  const fix = (t: Tensor): Tensor => wrap(substitute([t.node], back)[0]!, t.device);
  return {
    value: wrap(valueNode!, device),
    grads: typeof opts.argnums === 'number' || opts.argnums === undefined ? gradTensors[0]! : gradTensors,
    aux: opts.hasAux ? mapAux(aux, fix) : undefined,
  };
}

type Grads = Tensor | Tensor[];

/**
 * torch.func.grad: `grad(f)(x)` is the gradient of the scalar f(x) with respect to x (argnums: which
 * arguments; an array gives an array of gradients). With hasAux, f returns [output, aux] and the result is
 * [gradient, aux].
 */
export function grad<A extends unknown[]>(f: (...args: A) => Tensor, opts?: { argnums?: number }): (...args: A) => Tensor;
export function grad<A extends unknown[]>(f: (...args: A) => Tensor, opts: { argnums: readonly number[] }): (...args: A) => Tensor[];
export function grad<A extends unknown[]>(f: (...args: A) => unknown, opts: GradTransformOptions & { hasAux: true }): (...args: A) => [Grads, unknown];
export function grad<A extends unknown[]>(f: (...args: A) => unknown, opts?: GradTransformOptions): (...args: A) => unknown {
  checkFn('grad', f);
  opts = checked(FUNC_OPTIONS.grad, opts);
  return (...args: A) => {
    const r = gradAndValue('grad', f as Fn, opts, args);
    return opts.hasAux ? [r.grads, r.aux] : r.grads;
  };
}

/** valueAndGrad(f)(x) is [f(x), grad(f)(x)] computed together; with hasAux, [[f(x), aux], gradient]. */
export function valueAndGrad<A extends unknown[]>(f: (...args: A) => Tensor, opts?: { argnums?: number }): (...args: A) => [Tensor, Tensor];
export function valueAndGrad<A extends unknown[]>(f: (...args: A) => Tensor, opts: { argnums: readonly number[] }): (...args: A) => [Tensor, Tensor[]];
export function valueAndGrad<A extends unknown[]>(f: (...args: A) => unknown, opts: GradTransformOptions & { hasAux: true }): (...args: A) => [[Tensor, unknown], Grads];
export function valueAndGrad<A extends unknown[]>(f: (...args: A) => unknown, opts?: GradTransformOptions): (...args: A) => unknown {
  checkFn('valueAndGrad', f);
  opts = checked(FUNC_OPTIONS.valueAndGrad, opts);
  return (...args: A) => {
    const r = gradAndValue('valueAndGrad', f as Fn, opts, args);
    return opts.hasAux ? [[r.value, r.aux], r.grads] : [r.value, r.grads];
  };
}

/**
 * torch.func.vjp: `const [out, vjpFn] = vjp(f, x, y)`; `vjpFn(ct)` returns the cotangents of x and y (an
 * array, one per primal) for a cotangent `ct` shaped like out (an array of them when f returns an array).
 */
export function vjp<A extends Tensor[]>(f: (...args: A) => Tensor, ...primals: A): [Tensor, (cotangent: Tensor) => Tensor[]];
export function vjp<A extends Tensor[]>(f: (...args: A) => Tensor[], ...primals: A): [Tensor[], (cotangents: readonly Tensor[]) => Tensor[]];
export function vjp<A extends Tensor[]>(f: (...args: A) => Tensor | Tensor[], ...primals: A): [Tensor | Tensor[], (cotangents: never) => Tensor[]] {
  const api = 'vjp';
  checkFn(api, f);
  if (primals.length === 0) throw new ValueError(`${api}: expected at least one primal`);
  const argnums = normArgnums(api, primals.map((_, i) => i), primals);
  const { placeholders, back, ret } = trace(f as Fn, primals, argnums);
  const outs = Array.isArray(ret) ? (ret as unknown[]) : [ret];
  outs.forEach((o, i) => {
    if (!(o instanceof Tensor)) throw new DTypeError(`${api}: Expected f(*primals) to return Tensors, got ${typeof o} at output ${i}`);
  });
  const outTensors = outs as Tensor[];
  const outNodes = outTensors.map((t) => t.node);
  const device = primals[0]!.device;
  const value = substitute(outNodes, back).map((n, i) => wrap(n, outTensors[i]!.device));
  const wrt = argnums.map((i) => placeholders.get(i)!);
  const vjpFn = (cotangents: Tensor | readonly Tensor[]): Tensor[] => {
    const cts = cotangents instanceof Tensor ? [cotangents] : [...cotangents];
    if (cts.length !== outNodes.length) throw new ValueError(`${api}: expected ${outNodes.length} cotangents, got ${cts.length}`);
    const ctNodes = cts.map((c, i) => {
      const o = outNodes[i]!;
      if (!(c instanceof Tensor)) throw new DTypeError(`${api}: cotangent ${i} must be a Tensor, got ${typeof c}`);
      if (!shapeEq(c.shape, o.shape)) {
        throw new ShapeError(`${api}: Mismatch in shape: cotangent ${i} has a shape of [${c.shape.join(', ')}] and output ${i} has a shape of [${o.shape.join(', ')}]`);
      }
      const n = c.requiresGrad && isGradEnabled() ? c._trackedNode() : c.requiresGrad ? build.detach(c.node) : c.node;
      return build.cast(n, o.dtype);
    });
    const grads = vjpNodes(outNodes, ctNodes, wrt.map((p) => p.node));
    const nodes = grads.map((g, k) => g ?? build.constant(0, wrt[k]!.dtype, wrt[k]!.node.shape));
    return substitute(nodes, back).map((n) => wrap(n, device));
  };
  return [Array.isArray(ret) ? value : value[0]!, vjpFn];
}

