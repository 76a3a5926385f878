import type { Node } from '../ir/index.js';
import type { Tensor } from './tensor.js';

/**
 * PyTorch's autograd surface over graft's IR. A GradFn does no arithmetic: gradients come from the autodiff
 * transform of the IR. It names the operation (`MulBackward0`), links to the functions of its inputs
 * (`nextFunctions`), and records which leaf nodes the graph reads, so `backward()` knows what to
 * differentiate with respect to and can refuse a second pass through a released graph.
 */
export class GradFn {
  /** Set when a backward without retainGraph has gone through this function. */
  released = false;
  constructor(
    readonly name: string,
    readonly nextFunctions: readonly (readonly [GradFn | AccumulateGrad | null, number])[],
  ) {}
  toString(): string {
    return `<${this.name}>`;
  }
}

/** The function at a leaf that requires grad: gradients arriving here accumulate into `variable.grad`. */
export class AccumulateGrad {
  readonly name = 'AccumulateGrad';
  readonly nextFunctions: readonly (readonly [GradFn | AccumulateGrad | null, number])[] = [];
  constructor(
    readonly variable: Tensor,
    /** The node that stood for the leaf when it was used. */
    readonly node: Node,
  ) {}
  toString(): string {
    return `<AccumulateGrad>`;
  }
}
