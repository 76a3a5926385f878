/**
 * PyTorch's autograd surface over graft's autodiff transform (src/compiler/autodiff): `backward`,
 * `autograd.grad`, `retainGrad`, `requiresGrad_`, `.data`, the legacy `Variable`.
 *
 * `loss.backward()` does no arithmetic. It finds what the loss depends on by walking its IR (leaves that
 * require grad, non-leaves that retain their grad), asks the transform for the gradients as IR nodes, and
 * stores them as lazy tensors in `.grad`: forward, backward and whatever reads the gradients next (an
 * optimizer step) are computed together when a value is needed.
 *
 * Graph lifetime, as in PyTorch: without `retainGraph` the GradFn objects of the graph are marked released
 * after a backward, and a second backward through them throws PyTorch's error. The intermediate values a
 * backward reads are IR nodes held by the tensors that compute them, so they are freed with those tensors;
 * a released output that is realized keeps only its buffer, not its graph.
 */
import { deferringDepth } from './realization.js';
import { vjp } from '../compiler/autodiff/index.js';
import { ArgumentError, AutogradError, build, contiguousStrides, DTypeError, isFloat, shapeEq, ShapeError, ValueError, type Node, type Op } from '../ir/index.js';
import { checkNotReleased, gradTargets, reachableGradFns, retainedOfNode } from './autograd-graph.js';
import './convert.js';
import './elementwise.js';
import { AccumulateGrad, GradFn } from './grad-fn.js';
import { enableGrad, noGrad } from './grad-mode.js';
import { bool, checked, custom, defineOptions, describeValue } from './options.js';
import { fromNode, makeView, realizeWithNext, Tensor } from './tensor.js';

const BACKWARD_OPTIONS = defineOptions('backward', {
  retainGraph: bool.optional(),
  createGraph: bool.optional(),
  inputs: custom<Tensor | readonly Tensor[]>('a Tensor or a list of Tensors', (v) => v instanceof Tensor || (Array.isArray(v) && v.every((t) => t instanceof Tensor))).optional(),
});

export interface BackwardOptions {
  /** Keep the graph so that it can be differentiated again (default: createGraph). */
  retainGraph?: boolean;
  /** Make the gradients differentiable (tracked tensors), for higher-order derivatives. */
  createGraph?: boolean;
  /** Accumulate only into these tensors' .grad (default: every leaf that requires grad). */
  inputs?: Tensor | readonly Tensor[];
}

export interface GradOptions {
  retainGraph?: boolean;
  createGraph?: boolean;
  /** Return null for inputs the outputs do not depend on, instead of throwing. */
  allowUnused?: boolean;
}

const GRAD_OPTIONS = defineOptions('autograd.grad', { retainGraph: bool.optional(), createGraph: bool.optional(), allowUnused: bool.optional() });

const asList = <T>(x: T | readonly T[]): readonly T[] => (Array.isArray(x) ? (x as readonly T[]) : [x as T]);

/** PyTorch's spelling of a shape in messages: torch.Size([2, 3]). */
const torchSize = (s: readonly number[]): string => `torch.Size([${s.join(', ')}])`;

/** The IR nodes to start from, with their cotangents (PyTorch's checks and messages). */
function rootsAndCotangents(api: string, outputs: readonly Tensor[], gradOutputs: readonly (Tensor | null | undefined)[]): [Node[], Node[]] {
  if (gradOutputs.length !== 0 && gradOutputs.length !== outputs.length) {
    throw new ValueError(`${api}: grad_tensors should have the same length as tensors, but got ${gradOutputs.length} and ${outputs.length}`);
  }
  const roots: Node[] = [];
  const cts: Node[] = [];
  outputs.forEach((t, i) => {
    if (!(t instanceof Tensor)) throw new DTypeError(`${api}: expected a Tensor as output ${i}, got ${typeof t}`);
    if (!t.requiresGrad) throw new AutogradError(`${api}: element ${i} of tensors does not require grad and does not have a grad_fn`);
    const root = t.gradFn === null ? t._trackedNode() : t.node;
    if (t.gradFn === null) t._accumulateGrad(); // a leaf differentiated with respect to itself (after realizing it)
    const g = gradOutputs[i];
    let ct: Node;
    if (g === null || g === undefined) {
      if (t.numel() !== 1) throw new AutogradError(`${api}: grad can be implicitly created only for scalar outputs`);
      ct = build.constant(1, t.dtype, root.shape);
    } else {
      if (!(g instanceof Tensor)) throw new DTypeError(`${api}: expected a Tensor as gradient ${i}, got ${typeof g}`);
      if (!shapeEq(g.shape, t.shape)) {
        throw new ShapeError(`${api}: Mismatch in shape: grad_output[${i}] has a shape of ${torchSize(g.shape)} and output[${i}] has a shape of ${torchSize(t.shape)}.`);
      }
      if (!isFloat(g.dtype)) throw new DTypeError(`${api}: gradient ${i} must be a floating point tensor, got ${g.dtype}`);
      ct = build.cast(g.requiresGrad ? g._trackedNode() : g.node, t.dtype);
    }
    roots.push(root);
    cts.push(ct);
  });
  return [roots, cts];
}

/** A PyTorch-style name for the function that made a gradient (createGraph), from its last IR op. */
const GRAD_FN_NAMES: Partial<Record<Op, string>> = {
  add: 'AddBackward0',
  sub: 'SubBackward0',
  mul: 'MulBackward0',
  div: 'DivBackward0',
  neg: 'NegBackward0',
  exp: 'ExpBackward0',
  pow: 'PowBackward1',
  where: 'WhereBackward0',
  expand: 'ExpandBackward0',
  reshape: 'ViewBackward0',
  reduce: 'SumBackward1',
  cast: 'ToCopyBackward0',
};

/**
 * A gradient as a tensor. Without createGraph it is detached (no gradFn, and gradients never flow back
 * through it). With createGraph it is tracked when its graph reads a leaf that requires grad, so it can be
 * differentiated again; a gradient that is a constant (the gradient of a linear function) is not, as in
 * PyTorch.
 */
export function gradientTensor(g: Node, device: string, createGraph: boolean): Tensor {
  if (!createGraph) return fromNode(build.detach(g), device);
  const t = fromNode(g, device);
  const { leaves } = gradTargets([g]);
  if (leaves.length > 0) {
    t.requiresGrad = true;
    t.gradFn = new GradFn(GRAD_FN_NAMES[g.op] ?? 'GradBackward0', leaves.map((a) => [a, 0] as const));
  }
  return t;
}

/** Add a gradient into a tensor's .grad as PyTorch's AccumulateGrad does. */
function accumulate(t: Tensor, g: Tensor, createGraph: boolean): void {
  if (t.grad === null) {
    t.grad = g;
    // If computing it fails (a bad index found late), t is left without a gradient, as before this backward.
    g._undoCreation = () => {
      if (t.grad === g) t.grad = null;
    };
  }
  else if (createGraph) t.grad = enableGrad(() => t.grad!.add(g));
  else {
    const prev = t.grad;
    noGrad(() => prev.add_(g));
  }
}

/** Mark a graph released: it cannot be differentiated again, and realized outputs drop their graphs. */
function release(outputs: readonly Tensor[], fns: readonly GradFn[]): void {
  for (const f of fns) f.released = true;
  for (const t of outputs) {
    const v = t._value;
    if (t._base === null && v !== null && v.realized !== null && v.op !== 'buffer') t._value = build.buffer(v.realized, v.shape);
  }
}

/** The node a tensor stands for as a differentiation input. */
function inputNode(t: Tensor): Node {
  if (t.gradFn === null) return t._accumulate?.node ?? t.node;
  return t.node;
}

/** torch.autograd.backward: accumulate the gradients of `tensors` into the leaves' .grad. */
export function backward(
  tensors: Tensor | readonly Tensor[],
  gradTensors?: Tensor | readonly (Tensor | null)[] | null,
  opts?: BackwardOptions,
): void {
  const api = 'backward';
  opts = checked(BACKWARD_OPTIONS, opts);
  const outputs = asList(tensors);
  const gradOutputs = gradTensors === undefined || gradTensors === null ? [] : asList(gradTensors);
  const createGraph = opts.createGraph ?? false;
  const retainGraph = opts.retainGraph ?? createGraph;
  const [roots, cts] = rootsAndCotangents(api, outputs, gradOutputs);
  const fns = reachableGradFns(outputs.map((t) => t.gradFn));
  checkNotReleased(api, fns);

  let targets: { tensor: Tensor; node: Node }[];
  if (opts.inputs !== undefined) {
    const inputs = asList(opts.inputs);
    if (inputs.length === 0) throw new ValueError(`${api}: 'inputs' argument to backward() cannot be empty.`);
    targets = inputs.map((t) => {
      if (!t.requiresGrad) throw new AutogradError(`${api}: One of the differentiated Tensors does not require grad`);
      return { tensor: t, node: inputNode(t) };
    });
  } else {
    const { leaves, retained } = gradTargets(roots);
    targets = [
      ...leaves.map((a: AccumulateGrad) => ({ tensor: a.variable, node: a.node })),
      ...retained.map((t) => ({ tensor: t, node: retainedNode(t) })),
    ];
  }
  const device = outputs[0]?.device ?? 'cpu';
  const grads = vjp(roots, cts, targets.map((t) => t.node));
  // Gradients added into existing ones (accumulation across backward calls) that pass the depth bound are
  // computed together, not one program each (realization.ts, rule 2); new gradients are plain values.
  deferringDepth(() =>
    targets.forEach(({ tensor }, i) => {
      const g = grads[i];
      if (g) accumulate(tensor, gradientTensor(g, device, createGraph), createGraph);
    }),
  );
  if (!retainGraph) release(outputs, fns);
  // The loss is usually read right after the optimizer step (loss.item()): compute it in the same program as
  // the step, which reads the same forward values, rather than recomputing the forward pass afterwards.
  for (const t of outputs) if (t._root._value!.op !== 'buffer') realizeWithNext(t);
}

/** torch.autograd.grad: the gradients of `outputs` with respect to `inputs`, returned (not accumulated). */
export function grad(
  outputs: Tensor | readonly Tensor[],
  inputs: Tensor | readonly Tensor[],
  gradOutputs?: Tensor | readonly (Tensor | null)[] | null | GradOptions,
  opts?: GradOptions,
): (Tensor | null)[] {
  const api = 'grad';
  if (gradOutputs !== undefined && gradOutputs !== null && !(gradOutputs instanceof Tensor) && !Array.isArray(gradOutputs)) {
    if (opts !== undefined) throw new ArgumentError('grad(): options given twice');
    opts = gradOutputs as GradOptions;
    gradOutputs = undefined;
  }
  opts = checked(GRAD_OPTIONS, opts);
  const outs = asList(outputs);
  const ins = asList(inputs);
  const gos = gradOutputs === undefined || gradOutputs === null ? [] : asList(gradOutputs as Tensor | readonly (Tensor | null)[]);
  const createGraph = opts.createGraph ?? false;
  const retainGraph = opts.retainGraph ?? createGraph;
  for (const t of ins) {
    if (!(t instanceof Tensor)) throw new DTypeError(`${api}: expected Tensors as inputs, got ${typeof t}`);
    if (!t.requiresGrad) throw new AutogradError(`${api}: One of the differentiated Tensors does not require grad`);
  }
  const [roots, cts] = rootsAndCotangents(api, outs, gos);
  const fns = reachableGradFns(outs.map((t) => t.gradFn));
  checkNotReleased(api, fns);
  const grads = vjp(roots, cts, ins.map(inputNode));
  const device = outs[0]?.device ?? 'cpu';
  const result = grads.map((g) => {
    if (g === null) {
      if (!opts.allowUnused) {
        throw new AutogradError(`${api}: One of the differentiated Tensors appears to not have been used in the graph. Set allow_unused=True if this is the desired behavior.`);
      }
      return null;
    }
    return gradientTensor(g, device, createGraph);
  });
  if (!retainGraph) release(outs, fns);
  return result;
}

/** The node a retained non-leaf stood for when it asked to retain its grad (it may have been replaced since). */
const retainedNode = (t: Tensor): Node => t._retainedNode ?? t.node;

// ---------------------------------------------------------------------------------------------------------
// Tensor methods

declare module './tensor.js' {
  interface Tensor {
    /**
     * Compute the gradient of this tensor with respect to the leaves of its graph and accumulate it into their
     * `.grad`: `loss.backward()`, `y.backward(torch.ones(y.size()))`, `z.backward({ retainGraph: true })`.
     */
    backward(gradient?: Tensor | BackwardOptions | null, opts?: BackwardOptions): void;
    /** Keep the gradient of this non-leaf in `.grad` during backward. */
    retainGrad(): void;
    /** Whether this non-leaf keeps its gradient (retainGrad was called). */
    readonly retainsGrad: boolean;
    /** Set (default) or clear requiresGrad on a leaf, in place. */
    requiresGrad_(requiresGrad?: boolean): this;
    /** A tensor sharing this tensor's storage that autograd does not track; assigning replaces the values. */
    data: Tensor;
    /** The legacy name of gradFn (Variable.creator). */
    readonly creator: GradFn | null;
    /** @internal The node a retained non-leaf stood for when retainGrad was called. */
    _retainedNode?: Node;
  }
}

const P = Tensor.prototype as unknown as Record<string, unknown>;

P.backward = function (this: Tensor, gradient?: Tensor | BackwardOptions | null, opts?: BackwardOptions) {
  if (gradient !== undefined && gradient !== null && !(gradient instanceof Tensor)) {
    opts = gradient;
    gradient = undefined;
  }
  backward(this, gradient instanceof Tensor ? [gradient] : null, opts);
};

P.retainGrad = function (this: Tensor) {
  if (!this.requiresGrad) throw new AutogradError("retainGrad: can't retain_grad on Tensor that has requires_grad=False");
  if (this.isLeaf) return; // leaves keep their gradient anyway
  this._retainsGrad = true;
  this._retainedNode = this.node;
  retainedOfNode.set(this.node, this);
};

Object.defineProperty(P, 'retainsGrad', {
  get(this: Tensor) {
    return this._retainsGrad;
  },
});

P.requiresGrad_ = function (this: Tensor, requiresGrad = true) {
  if (typeof requiresGrad !== 'boolean') throw new ArgumentError(`requiresGrad_(): argument 'requires_grad' must be a boolean, not ${describeValue(requiresGrad)}`);
  if (!this.isLeaf) {
    if (!requiresGrad) {
      throw new AutogradError(
        "requiresGrad_: you can only change requires_grad flags of leaf variables. If you want to use a computed variable in a subgraph that doesn't require differentiation use var_no_grad = var.detach().",
      );
    }
    return this;
  }
  if (requiresGrad && !isFloat(this.dtype)) {
    throw new DTypeError(`requiresGrad_: Only Tensors of floating point and complex dtype can require gradients (got ${this.dtype})`);
  }
  if (requiresGrad) this._asLeafView();
  this.requiresGrad = requiresGrad;
  return this;
};

Object.defineProperty(P, 'creator', {
  get(this: Tensor) {
    return this.gradFn;
  },
});

Object.defineProperty(P, 'data', {
  get(this: Tensor) {
    // Same storage, not tracked: in-place ops on it change this tensor's values without autograd seeing them.
    return makeView('Detach', this, [], { untracked: true });
  },
  set(this: Tensor, value: Tensor) {
    if (!(value instanceof Tensor)) throw new DTypeError(`data: expected a Tensor, got ${typeof value}`);
    if (this._base !== null) throw new ValueError('data: assigning .data of a view is not supported; assign to its base');
    if (this.requiresGrad && !isFloat(value.dtype)) {
      throw new DTypeError(`data: data set to a tensor that requires gradients must be floating point (got ${value.dtype})`);
    }
    if (value.device !== this.device) throw new ValueError(`data: expected a tensor on ${this.device}, got one on ${value.device}`);
    // The values (and shape) of `value`, untracked; the autograd metadata of this tensor is unchanged.
    const node = value.requiresGrad ? build.detach(value.node) : value.node;
    this._value = node;
    this._version++;
    this._strides = contiguousStrides(node.shape);
    this._offset = 0;
  },
});


// ---------------------------------------------------------------------------------------------------------
// The legacy Variable wrapper

export interface VariableOptions {
  requiresGrad?: boolean;
}

/**
 * `new torch.autograd.Variable(t, { requiresGrad: true })`, as old PyTorch code and the tutorial write it.
 * Variables and Tensors have been one thing since PyTorch 0.4: this returns a leaf tensor that shares t's
 * storage, with requiresGrad set; `x instanceof Variable` holds for every tensor, as isinstance does in PyTorch.
 */
const VARIABLE_OPTIONS = defineOptions('Variable', { requiresGrad: bool.optional() });

export const Variable = function Variable(data: Tensor, opts?: VariableOptions): Tensor {
  if (!(data instanceof Tensor)) throw new DTypeError(`Variable: data must be a Tensor, got ${describeValue(data)}`);
  opts = checked(VARIABLE_OPTIONS, opts);
  const v = data.detach();
  if (opts.requiresGrad) v.requiresGrad_(true);
  return v;
} as unknown as {
  new (data: Tensor, opts?: VariableOptions): Tensor;
  (data: Tensor, opts?: VariableOptions): Tensor;
};
(Variable as unknown as { prototype: unknown }).prototype = Tensor.prototype;

