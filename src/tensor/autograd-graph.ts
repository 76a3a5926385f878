/**
 * The two graphs backward looks at. The IR is the source of truth: the leaves a loss depends on are found by
 * walking its nodes (stopping at `detach`) and looking them up in `leafOfNode`. The GradFn objects are the
 * PyTorch-shaped surface: they carry the `released` mark that makes a second backward through a freed
 * graph fail as it does in PyTorch.
 */
import { AutogradError, walkNodes, type Node } from '../ir/index.js';
import { AccumulateGrad, GradFn } from './grad-fn.js';
import { leafOfNode, type Tensor } from './tensor.js';

/** Non-leaf tensors that called retainGrad(), by the node they stood for then. */
export const retainedOfNode = new WeakMap<Node, Tensor>();

/** What the graphs of `roots` read that can receive a gradient: leaves requiring grad and retained non-leaves. */
export function gradTargets(roots: readonly Node[]): { leaves: AccumulateGrad[]; retained: Tensor[] } {
  const leaves: AccumulateGrad[] = [];
  const retained: Tensor[] = [];
  walkNodes(roots, (n) => {
    const acc = leafOfNode.get(n);
    if (acc !== undefined && acc.variable.requiresGrad && acc.variable.isLeaf) leaves.push(acc);
    const ret = retainedOfNode.get(n);
    if (ret !== undefined && ret._retainsGrad) retained.push(ret);
    // detach stops gradients
    return n.op === 'detach' ? 'leaf' : undefined;
  });
  return { leaves, retained };
}

/** The GradFn objects reachable from `fns` through nextFunctions (AccumulateGrad ends a path). */
export function reachableGradFns(fns: readonly (GradFn | null)[]): GradFn[] {
  const out: GradFn[] = [];
  const seen = new Set<GradFn>();
  const stack = fns.filter((f): f is GradFn => f !== null);
  while (stack.length) {
    const f = stack.pop()!;
    if (seen.has(f)) continue;
    seen.add(f);
    out.push(f);
    for (const [next] of f.nextFunctions) if (next instanceof GradFn && !seen.has(next)) stack.push(next);
  }
  return out;
}

export const SECOND_BACKWARD =
  'Trying to backward through the graph a second time (or directly access saved tensors after they have already been freed). ' +
  'Saved intermediate values of the graph are freed when you call .backward() or autograd.grad(). Specify retain_graph=True ' +
  'if you need to backward through the graph a second time or if you need to access saved tensors after calling backward.';

/** Throw PyTorch's error when a graph about to be differentiated was released by an earlier backward. */
export function checkNotReleased(api: string, fns: readonly GradFn[]): void {
  if (fns.some((f) => f.released)) throw new AutogradError(`${api}: ${SECOND_BACKWARD}`);
}
