/**
 * torch.optim.Optimizer: parameter groups, per-parameter state, zeroGrad, and a step that builds the
 * update as lazy graph nodes and realizes every parameter and state tensor together at its end — so the
 * forward pass, the backward pass and the update compile and run as one program, and parameters are
 * realized (graphs do not grow from step to step).
 *
 * State is tensors updated in place; values that change between steps (scheduled learning rates, step
 * counts and what is computed from them) are tensors too (`hyper`, `stateScalar`), not constants, so the
 * compiled program stays the same from step to step.
 */
import { z } from 'zod';
import { ArgumentError, ValueError } from '../ir/index.js';
import { fromValues, noGrad, realizeTensors, Tensor } from '../tensor/index.js';
import { deferringDepth } from '../tensor/realization.js';
import { capture, type CapturedState } from '../tensor/capture-hooks.js';
import { bool, custom, defineOptions, describeValue, int, OptionsSpec } from '../tensor/options.js';

export type ParamGroup = { params: Tensor[]; lr: number; [option: string]: unknown };
export type ParamsArg = Iterable<Tensor> | ({ params: Iterable<Tensor> } & Record<string, unknown>)[];

export interface OptimizerStateDict {
  state: Record<number, Record<string, Tensor | number>>;
  paramGroups: (Record<string, unknown> & { params: number[] })[];
}

const isIterable = (x: unknown): x is Iterable<unknown> =>
  typeof x === 'object' && x !== null && typeof (x as { [Symbol.iterator]?: unknown })[Symbol.iterator] === 'function';

/** The group options an optimizer reads: its own options, all optional, plus the group's parameters. */
function groupSpec(spec: OptionsSpec<z.ZodRawShape>): OptionsSpec<z.ZodRawShape> {
  const shape: Record<string, z.ZodType> = { params: custom('an iterable of Tensors', isIterable) };
  for (const [k, s] of Object.entries(spec.schema.shape)) shape[k] = (s as z.ZodType).optional();
  // Schedulers record each group's first learning rate here (PyTorch's initial_lr).
  shape.initialLr = z.number().optional();
  return defineOptions(`${spec.fn} param group`, shape);
}

const ZERO_GRAD_OPTIONS = defineOptions('zeroGrad', { setToNone: bool.optional() });

const STATE_DICT = defineOptions('Optimizer.loadStateDict', {
  state: z.record(z.string(), z.record(z.string(), z.union([custom<Tensor>('a Tensor', (v) => v instanceof Tensor), z.number()]))),
  paramGroups: z.array(z.looseObject({ params: z.array(int) })),
});

/** `group[key]`, or an element of an array option (`betas.0`). */
function hyperValue(g: ParamGroup, key: string): number {
  const dot = key.indexOf('.');
  if (dot < 0) return g[key] as number;
  return (g[key.slice(0, dot)] as number[])[Number(key.slice(dot + 1))]!;
}

/** A group's value held in a 0-d float64 tensor, and the value its buffer holds. */
interface Hyper {
  value: number;
  readonly t: Tensor;
}

export abstract class Optimizer implements CapturedState {
  readonly paramGroups: ParamGroup[] = [];
  /** Per-parameter state (momentum buffers, Adam moments, step counts). */
  readonly state = new Map<Tensor, Record<string, Tensor | number>>();
  private readonly groupOptions: OptionsSpec<z.ZodRawShape>;
  /** Per group, the values a scheduler changes between steps (the learning rate), as tensors. */
  private readonly hypers = new Map<ParamGroup, Map<string, Hyper>>();

  /** `spec` declares the optimizer's options (their names and types, for the options of each param group). */
  constructor(
    params: ParamsArg,
    readonly defaults: Record<string, unknown>,
    spec: OptionsSpec<z.ZodRawShape>,
  ) {
    if (!(spec instanceof OptionsSpec)) throw new ArgumentError(`Optimizer is abstract: use a subclass (optim.SGD, optim.Adam, ...) or pass the options spec of yours`);
    this.groupOptions = groupSpec(spec);
    if (!isIterable(params) || params instanceof Tensor) {
      throw new ArgumentError(
        `${spec.fn}(): params argument given to the optimizer should be an iterable of Tensors or dicts, but got ${describeValue(params)}`,
      );
    }
    const list = [...params];
    if (list.length === 0) throw new ValueError(`${spec.fn}(): optimizer got an empty parameter list`);
    const groups = list.every((p) => p instanceof Tensor) ? [{ params: list as Tensor[] }] : list;
    for (const g of groups) this.addParamGroup(g as { params: Iterable<Tensor> });
  }

  addParamGroup(group: { params: Iterable<Tensor> } & Record<string, unknown>): void {
    if (group instanceof Tensor || typeof group !== 'object' || group === null || Array.isArray(group)) {
      throw new ArgumentError(`${this.groupOptions.fn}: a param group must be an object {params, ...options}, not ${describeValue(group)}`);
    }
    this.groupOptions.check(group);
    const params = [...group.params];
    for (const p of params) {
      if (!(p instanceof Tensor)) throw new ArgumentError(`optimizer can only optimize Tensors, but one of the params is ${describeValue(p)}`);
      if (!p.isLeaf) throw new ValueError("can't optimize a non-leaf Tensor");
      for (const g of this.paramGroups) if (g.params.includes(p)) throw new ValueError('some parameters appear in more than one parameter group');
    }
    const merged = { ...this.defaults, ...group, params } as ParamGroup;
    if (merged.lr === undefined) {
      throw new ValueError(`${this.groupOptions.fn}: parameter group didn't specify a value of required optimization parameter lr`);
    }
    this.paramGroups.push(merged);
  }

  /** Drop (default, as PyTorch 2) or zero the gradients. */
  zeroGrad(opts?: { setToNone?: boolean }): void {
    ZERO_GRAD_OPTIONS.check(opts);
    for (const g of this.paramGroups) {
      for (const p of g.params) {
        if (opts?.setToNone === false && p.grad) p.grad = noGrad(() => p.grad!.detach().zero_());
        else p.grad = null;
      }
    }
  }

  /**
   * @internal `group[key]` (a number a scheduler may change: the learning rate) as a 0-d float64 tensor
   * that stays the same tensor from step to step: when the value changes, the tensor gets a new buffer
   * holding it. The update reads it like any state, so the program is the same at every step, and a
   * compiled step (torch.compile) reads the current value at each replay (`beforeReplay`). Float64, so
   * arithmetic on it in the graph (a bias correction, lr * weightDecay) rounds as JS arithmetic does.
   */
  protected hyper(g: ParamGroup, key: string): Tensor {
    let m = this.hypers.get(g);
    if (m === undefined) this.hypers.set(g, (m = new Map()));
    const value = hyperValue(g, key);
    const h = m.get(key);
    const device = g.params[0]?.device ?? 'cpu';
    if (h === undefined) {
      const t = fromValues(Float64Array.of(value), [], 'float64', device);
      m.set(key, { value, t });
      return t;
    }
    if (!Object.is(h.value, value)) {
      h.t._value = fromValues(Float64Array.of(value), [], 'float64', device)._value;
      h.t._version++;
      h.value = value;
    }
    return h.t;
  }

  /** @internal `hyper(g, key)` in `p`'s dtype. */
  protected hyperFor(g: ParamGroup, key: string, p: Tensor): Tensor {
    const t = this.hyper(g, key);
    return p.dtype === 'float64' ? t : t.to(p.dtype);
  }

  /**
   * @internal A 0-d float64 tensor in `p`'s state under `key` (a step count, NAdam's mu product), made at
   * `initial` or from the number a state dict held, and then updated in place: the same tensor, and so the
   * same program, at every step.
   */
  protected stateScalar(p: Tensor, key: string, initial = 0): Tensor {
    const st = this.stateOf(p);
    const v = st[key];
    if (!(v instanceof Tensor)) st[key] = fromValues(Float64Array.of(typeof v === 'number' ? v : initial), [], 'float64', p.device);
    return st[key] as Tensor;
  }

  /** @internal The group's learning rate as a tensor of `p`'s dtype (see `hyper`). */
  protected lrFor(g: ParamGroup, p: Tensor): Tensor {
    return this.hyperFor(g, 'lr', p);
  }

  /** @internal The learning-rate tensors by name (`group0.lr`): named state of an ahead-of-time artifact. */
  namedHypers(): [string, Tensor][] {
    const out: [string, Tensor][] = [];
    this.paramGroups.forEach((g, gi) => {
      for (const [k, h] of this.hypers.get(g) ?? []) out.push([`group${gi}.${k}`, h.t]);
    });
    return out;
  }

  /** @internal What a compiled step that steps this optimizer depends on (src/tensor/compile.ts). */
  captureSignature(): unknown[] {
    const sig: unknown[] = [];
    for (const g of this.paramGroups) {
      const hyper = this.hypers.get(g);
      sig.push(g, g.params.length, ...g.params);
      for (const k of Object.keys(g).sort()) {
        if (k === 'params' || k === 'initialLr' || hyper?.has(k)) continue;
        const v = g[k];
        // Elements of an array value held by a hyper tensor (`betas.0`, cycled by OneCycleLR) are not guards.
        if (Array.isArray(v)) sig.push(k, ...v.map((e, i) => (hyper?.has(`${k}.${i}`) ? null : e)));
        else sig.push(k, v);
      }
      // A hyper value is data, except whether it is zero (an update skips what a zero rate multiplies).
      if (hyper) for (const [k, h] of hyper) sig.push(k, h.t, hyperValue(g, k) === 0);
    }
    for (const [p, s] of this.state) {
      sig.push(p);
      for (const k of Object.keys(s)) sig.push(k, s[k]);
    }
    return sig;
  }

  /**
   * @internal A function that puts the state back as it is now: which tensor holds each entry, and (state
   * tensors are updated in place) their values. A step that fails, or a compiled step whose capture fails,
   * leaves the optimizer as it found it, as the parameters are (src/tensor/realization.ts).
   */
  captureSnapshot(): () => void {
    const saved = [...this.state].map(([p, s]) => [p, { ...s }] as const);
    const values = saved.flatMap(([, s]) => Object.values(s).filter((v): v is Tensor => v instanceof Tensor).map((t) => [t, t._value, t._history] as const));
    return () => {
      this.state.clear();
      for (const [p, s] of saved) this.state.set(p, s);
      for (const [t, value, history] of values) {
        t._value = value;
        t._history = history;
        t._version++;
      }
    };
  }

  /** @internal Make every parameter's state as its first step would (see `initState`). */
  prepareCapture(): void {
    noGrad(() => {
      for (const g of this.paramGroups) {
        this.hyper(g, 'lr');
        for (const p of g.params) this.initState(g, p);
      }
    });
    const made: Tensor[] = [];
    for (const s of this.state.values()) for (const v of Object.values(s)) if (v instanceof Tensor) made.push(v);
    realizeTensors(made);
  }

  /**
   * @internal Create `p`'s state as its first step would, where the first step computes with it as every
   * later step does (a compiled step captured before any data exists reads it). Default: nothing.
   */
  protected initState(_g: ParamGroup, _p: Tensor): void {}

  /** @internal Before a compiled step replays: the learning rates' tensors take the groups' current values. */
  beforeReplay(): void {
    for (const [g, m] of this.hypers) for (const k of m.keys()) this.hyper(g, k);
  }

  /** Perform one update. `closure` (re-evaluating the loss) is called first when given; its result is returned. */
  step(closure?: () => Tensor): Tensor | undefined {
    if (capture.hooks !== null) capture.hooks.state(this);
    if (closure !== undefined && typeof closure !== 'function') throw new ArgumentError(`step(): closure must be a function, not ${describeValue(closure)}`);
    const loss = closure ? closure() : undefined;
    if (loss !== undefined && !(loss instanceof Tensor)) throw new ArgumentError(`step(): the closure must return the loss Tensor, not ${describeValue(loss)}`);
    const restore = this.captureSnapshot();
    // Updates over a deep graph are computed together below, not one by one as they pass the depth bound
    // (src/tensor/realization.ts, rule 2): the realization of `touched` covers them.
    deferringDepth(() => this.update(restore, loss), false);
    return loss;
  }

  private update(restore: () => void, loss: Tensor | undefined): void {
    noGrad(() => {
      for (const g of this.paramGroups) this.updateGroup(g);
    });
    const touched: Tensor[] = [];
    for (const g of this.paramGroups) {
      for (const p of g.params) {
        touched.push(p);
        // Gradients are computed with the step (they hold values afterwards, as in PyTorch, instead of the
        // step's whole graph until zeroGrad).
        if (p.grad) touched.push(p.grad);
        const st = this.state.get(p);
        if (st) for (const v of Object.values(st)) if (v instanceof Tensor) touched.push(v);
      }
    }
    if (loss) touched.push(loss);
    try {
      realizeTensors(touched);
    } catch (e) {
      restore();
      throw e;
    }
  }

  /** The update of one group, as in-place ops on parameters and state (run under noGrad). */
  protected abstract updateGroup(group: ParamGroup): void;

  /** @internal State of a parameter, created on first use. */
  protected stateOf(p: Tensor): Record<string, Tensor | number> {
    let s = this.state.get(p);
    if (!s) {
      s = {};
      this.state.set(p, s);
    }
    return s;
  }

  stateDict(): OptimizerStateDict {
    const index = new Map<Tensor, number>();
    const paramGroups = this.paramGroups.map((g) => {
      const { params, ...rest } = g;
      return { ...rest, params: params.map((p) => (index.has(p) ? index.get(p)! : (index.set(p, index.size), index.size - 1))) };
    });
    const state: OptimizerStateDict['state'] = {};
    for (const [p, s] of this.state) {
      const i = index.get(p);
      if (i === undefined) continue;
      state[i] = Object.fromEntries(Object.entries(s).map(([k, v]) => [k, v instanceof Tensor ? v.detach().clone() : v]));
    }
    return { state, paramGroups };
  }

  loadStateDict(sd: OptimizerStateDict): void {
    STATE_DICT.parse(sd);
    if (sd.paramGroups.length !== this.paramGroups.length) {
      throw new ValueError('loaded state dict has a different number of parameter groups');
    }
    sd.paramGroups.forEach((g, gi) => {
      if (g.params.length !== this.paramGroups[gi]!.params.length) {
        throw new ValueError("loaded state dict contains a parameter group that doesn't match the size of optimizer's group");
      }
      this.groupOptions.check({ ...g, params: [] });
    });
    const byIndex: Tensor[] = [];
    sd.paramGroups.forEach((g, gi) => {
      const { params, ...rest } = g;
      Object.assign(this.paramGroups[gi]!, rest);
      params.forEach((idx, k) => (byIndex[idx] = this.paramGroups[gi]!.params[k]!));
    });
    this.state.clear();
    for (const [i, s] of Object.entries(sd.state)) {
      const p = byIndex[Number(i)];
      if (!p) continue;
      this.state.set(p, Object.fromEntries(Object.entries(s).map(([k, v]) => [k, v instanceof Tensor ? v.to(p.device).clone() : v])));
    }
  }
}
