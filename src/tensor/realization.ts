/**
 * When pending tensors are computed, and what a failed computation leaves behind. Four rules, each there
 * because laziness would otherwise break a promise eager PyTorch keeps without thinking:
 *
 * 1. **Graphs do not span realizations without bound.** A value built after a realization that still reads
 *    nodes pending from before it (`total = total.add(loss.detach())`, `correct = correct.add(out.argmax(1)
 *    .eq(y).sum())` after `opt.step()`) would chain every step's graph to the next: the final `item()` would
 *    compile thousands of steps at once, and their old parameters would stay alive meanwhile. So such a
 *    value is computed with the next realization, whatever it is (the next step's `opt.step()`), in the
 *    same program. Only the *sinks* among them are added (values no other such value reads), so an
 *    accumulator costs one extra output per step, not one per intermediate. Values that read only computed
 *    buffers are left alone: their graphs cannot grow from step to step. Nodes know their build epoch and the
 *    oldest epoch of the pending graph they need (`Node.epoch`, `Node.pendingSince`), so noticing costs a
 *    comparison per new tensor.
 * 2. **Graphs have a bounded depth.** A value whose chain of pending nodes grows past DEPTH_LIMIT (a loop of
 *    a million ops that never reads anything) is computed there and then: the loop realizes every
 *    DEPTH_LIMIT ops, with a program that has the same structure each time (one compile).
 * 3. **In-place updates are carried out with the next realization.** A tensor changed in place (`x.add_(y)`,
 *    `running_mean.mul_(m)`, an optimizer's update) is computed with the next program, whatever it
 *    computes, as if the mutation had happened when it was called: its old values are not kept alive
 *    waiting for a read, and a failure (rule 4) knows every tensor the program would have written.
 * 4. **A failed program changes nothing.** An error a kernel finds (an index out of range, an integer
 *    division by zero) surfaces where the value is needed, often long after the op that carries it — at
 *    `opt.step()` or `item()`. Then every tensor the program would have written goes back to its last value
 *    that does not depend on the failing node (in-place ops keep each tensor's previous values until it is
 *    computed: `Tensor._history`), a gradient that did not exist before is removed again, the failing nodes
 *    are remembered (reading a value built on them raises the same error at once, and they are never added
 *    to a later program by rule 1), and the error is raised once — where it is found, also when the value
 *    that failed was only added to the program (an in-place update of rule 3 is undone and reported). Only
 *    when the failing values are new values added by rule 1 (an accumulator that nothing was written into)
 *    are the requested ones computed without them and no error raised here: it is raised where those
 *    values are read. The next good step trains on.
 */
import {
  build,
  currentBuildEpoch,
  GraftError,
  IndexError,
  isFloat,
  walkNodes,
  ZeroDivisionError,
  type Node,
} from '../ir/index.js';
import { failingNodes, getDevice, realizeNodes, type Buffer } from '../runtime/index.js';
import type { Tensor } from './tensor.js';
import { capture } from './capture-hooks.js';

/** Chains of pending nodes longer than this are computed where they are built (rule 2). */
export const DEPTH_LIMIT = 10_000;

/** Tensors computed with the next realization whatever it is (BatchNorm's running statistics, a loss). */
const realizeLater = new Set<Tensor>();
/** Base tensors whose value, built in this epoch, reads nodes pending from an earlier one (rule 1). */
let spanning: Tensor[] = [];

/** Nodes a program failed on, with the error (rule 4). Weak: they go when no graph reads them. */
const poisoned = new WeakMap<Node, GraftError>();
/** The newest build epoch a poisoned node was built in: graphs newer than that cannot read one. */
let poisonEpoch = 0;

/** @internal Compute `t` together with whatever is realized next. */
export function realizeWithNext(t: Tensor): void {
  realizeLater.add(t._root);
}

/**
 * @internal Whether a realized base keeps its graph rather than becoming a plain buffer: a tracked result
 * does (its node is marked realized, so it is not computed again), because backward walks it to the leaves.
 * Once a backward has released its graph, it becomes a plain buffer.
 */
export function keepsGraph(t: Tensor): boolean {
  return t.requiresGrad && t.gradFn !== null && !t.gradFn.released;
}

const isPending = (n: Node): boolean => n.op !== 'buffer' && n.realized === null;

/** Tensors past the depth bound while checks are deferred (`deferringDepth`), else null. */
let deepLater: Tensor[] | null = null;

/** @internal A base tensor got a new value (an op's result, an in-place update): apply rules 1 and 2. */
export function noteNewValue(t: Tensor): void {
  const root = t._root;
  const n = root._value!;
  if (!isPending(n) || n.srcs.length === 0) return;
  const epoch = currentBuildEpoch();
  if (n.epoch < epoch || n.pendingSince < epoch) spanning.push(root);
  if (n.depth > DEPTH_LIMIT) {
    if (deepLater) deepLater.push(root);
    else realizeTensors([root]);
  }
}

/**
 * @internal Run `fn`, which makes several tensors over one deep graph (backward's gradients, an optimizer's
 * updates), and apply rule 2 to them together afterwards: realized one by one, each program would compute
 * the shared graph again (the updates of an LSTM unrolled over 1000 steps were four programs of ~4000
 * kernels each, then a fifth for the step). With `realizeAfter` false, `fn` realizes what matters itself
 * (the optimizer's step: parameters, gradients, state) and the temporaries that passed the bound are left
 * pending: realizing them would compute their graphs again for values nobody reads.
 */
export function deferringDepth<T>(fn: () => T, realizeAfter = true): T {
  if (deepLater) return fn();
  deepLater = [];
  try {
    const out = fn();
    const deep = deepLater;
    deepLater = null;
    if (realizeAfter) {
      const pending = [...new Set(deep)].filter((t) => isPending(t._value!));
      if (pending.length) realizeTensors(pending);
    }
    return out;
  } finally {
    deepLater = null;
  }
}

/** The sinks among the spanning tensors: those whose value no other one's pending graph reads. */
function spanningSinks(): Tensor[] {
  if (spanning.length === 0) return [];
  const bases = [...new Set(spanning)].filter((t) => isPending(t._value!));
  spanning = [];
  if (bases.length < 2) return bases;
  const values = new Set(bases.map((t) => t._value!));
  const read = new Set<Node>();
  walkNodes(
    bases.map((t) => t._value!),
    (n) => {
      if (!isPending(n)) return 'leaf';
      for (const s of n.srcs) if (values.has(s)) read.add(s);
    },
  );
  return bases.filter((t) => !read.has(t._value!));
}

/** The poisoned node `root`'s pending graph reads, if any (a walk only for graphs old enough to read one). */
function poisonOf(root: Node): GraftError | null {
  if (poisonEpoch === 0 || Math.min(root.epoch, root.pendingSince) > poisonEpoch) return null;
  let found: GraftError | null = null;
  walkNodes([root], (n) => {
    const e = poisoned.get(n);
    if (e !== undefined) {
      found = e;
      return false;
    }
    return isPending(n) ? undefined : 'leaf';
  });
  return found;
}

/** Realize several tensors together (they share subgraphs, so they are scheduled as one program). */
export function realizeTensors(ts: readonly Tensor[]): void {
  // While a compiled step is captured, everything it computes is one program, realized when it returns.
  if (capture.hooks !== null) {
    capture.hooks.realize(ts);
    return;
  }
  const requested = new Set<Tensor>();
  for (const t of ts) if (isPending(t._root._value!)) requested.add(t._root);
  const implicit = [...realizeLater, ...spanningSinks()];
  realizeLater.clear();
  if (requested.size === 0 && implicit.length === 0) return;
  for (const t of requested) {
    const e = poisonOf(t._value!);
    if (e !== null) throw e;
  }
  const byDevice = new Map<string, Tensor[]>();
  const add = (t: Tensor): void => {
    const list = byDevice.get(t.device);
    if (list === undefined) byDevice.set(t.device, [t]);
    else if (!list.includes(t)) list.push(t);
  };
  for (const t of requested) add(t);
  for (const t of implicit) if (isPending(t._root._value!) && poisonOf(t._root._value!) === null) add(t._root);
  let failure: unknown = null;
  for (const [dev, roots] of byDevice) {
    try {
      realizeOn(dev, roots, requested);
    } catch (e) {
      failure ??= e;
    }
  }
  if (failure !== null) throw failure;
}

/**
 * @internal Compute `t` (a base) alone, leaving the values waiting for the next realization where they are:
 * a compiled step's capture computes state it finds pending before the step uses it.
 */
export function realizeAlone(t: Tensor): void {
  const root = t._root;
  if (!isPending(root._value!)) return;
  const e = poisonOf(root._value!);
  if (e !== null) throw e;
  realizeOn(root.device, [root], new Set([root]));
}

/**
 * @internal The values waiting for the next realization (rules 1 and 3), taken: a capture realizes them in
 * its program, as eager graft would with the step's realization.
 */
export function takeImplicit(): Tensor[] {
  const out = [...realizeLater, ...spanningSinks()];
  realizeLater.clear();
  spanning = [];
  return out;
}

function commit(roots: readonly Tensor[], bufs: readonly Buffer[]): void {
  roots.forEach((r, i) => {
    r._history = null;
    r._undoCreation = null;
    if (keepsGraph(r)) return;
    r._value = build.buffer(bufs[i]!, r._value!.shape);
  });
}

function realizeOn(dev: string, roots: Tensor[], requested: ReadonlySet<Tensor>): void {
  const device = getDevice(dev);
  try {
    commit(roots, realizeNodes(roots.map((r) => r._value!), device));
    return;
  } catch (e) {
    if (!(e instanceof IndexError || e instanceof ZeroDivisionError)) throw e; // nothing was changed
    const suspects = suspectsOf(e, roots.map((r) => r._value!));
    const epoch = currentBuildEpoch();
    for (const n of suspects) {
      poisoned.set(n, e);
      poisonEpoch = Math.max(poisonEpoch, n.epoch, epoch);
    }
    const bad = roots.filter((r) => reaches(r._value!, suspects));
    let undone = false;
    for (const r of bad) undone = rollBack(r, suspects) || undone;
    // Raised here when a requested value failed, or an update was undone (it must not vanish silently).
    if (undone || bad.some((r) => requested.has(r)) || bad.length === 0) throw e;
    // Only values added by rule 1 failed, and they keep failing where they are read: compute the others.
    const good = roots.filter((r) => !bad.includes(r));
    commit(good, realizeNodes(good.map((r) => r._value!), device));
  }
}

/**
 * The nodes a failed program could not compute. The interpreter names the node when it explained the error
 * (small graphs, see runtime/cpu.ts); otherwise every node of the graph that can raise this kind of error.
 */
function suspectsOf(e: GraftError, roots: readonly Node[]): Set<Node> {
  const known = failingNodes.get(e);
  if (known !== undefined) return new Set([known]);
  const out = new Set<Node>();
  const index = e instanceof IndexError;
  walkNodes(roots, (n) => {
    if (!isPending(n)) return 'leaf';
    if (index ? n.op === 'gather' || n.op === 'scatterAdd' : (n.op === 'idiv' || n.op === 'mod' || n.op === 'pow') && !isFloat(n.dtype) && n.dtype !== 'bool') {
      out.add(n);
    }
  });
  return out;
}

/** Whether computing `root` needs one of `nodes`. */
function reaches(root: Node, nodes: ReadonlySet<Node>): boolean {
  return !walkNodes([root], (n) => (nodes.has(n) ? false : isPending(n) ? undefined : 'leaf'));
}

/**
 * Put a tensor back to its newest previous value that does not need a failing node, or undo its creation
 * (rule 4). Returns whether anything was undone.
 */
function rollBack(t: Tensor, suspects: ReadonlySet<Node>): boolean {
  const hist = t._history;
  if (hist !== null) {
    for (let i = hist.length - 1; i >= 0; i--) {
      if (!reaches(hist[i]!, suspects)) {
        t._value = hist[i]!;
        t._history = i > 0 ? hist.slice(0, i) : null;
        t._version++;
        return true;
      }
    }
  }
  const undo = t._undoCreation;
  t._undoCreation = null;
  undo?.();
  return undo !== null;
}
