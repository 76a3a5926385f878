/**
 * Loss modules: each holds its options (and, as PyTorch, registers class weights as buffers, so they are
 * part of the state dict when given) and calls its functional form.
 */
import type { Tensor } from '../../tensor/index.js';
import { crossEntropy, nllLoss } from '../functional/classification.js';
import { binaryCrossEntropy, binaryCrossEntropyWithLogits, huberLoss, l1Loss, mseLoss, smoothL1Loss } from '../functional/loss.js';
import { checkReduction, reductionArg, tensorOrNull, type Reduction } from '../functional/util.js';
import { Module } from '../module.js';
import { defineOptions, int, real, type OptionsChecker } from '../../tensor/options.js';

const reductionShape = { reduction: reductionArg.optional() };
const classShape = { ...reductionShape, weight: tensorOrNull.optional(), ignoreIndex: int.optional() };
const LOSS_OPTIONS: Record<string, OptionsChecker> = {
  MSELoss: defineOptions('MSELoss', reductionShape),
  L1Loss: defineOptions('L1Loss', reductionShape),
  SmoothL1Loss: defineOptions('SmoothL1Loss', { ...reductionShape, beta: real.optional() }),
  HuberLoss: defineOptions('HuberLoss', { ...reductionShape, delta: real.optional() }),
  NLLLoss: defineOptions('NLLLoss', classShape),
  CrossEntropyLoss: defineOptions('CrossEntropyLoss', { ...classShape, labelSmoothing: real.optional() }),
  BCELoss: defineOptions('BCELoss', { ...reductionShape, weight: tensorOrNull.optional() }),
  BCEWithLogitsLoss: defineOptions('BCEWithLogitsLoss', { ...reductionShape, weight: tensorOrNull.optional(), posWeight: tensorOrNull.optional() }),
};

/** Check a loss module's options object (its constructor reads the fields after this). */
function lossOptions<O extends object>(name: string, opts: O | undefined): O {
  LOSS_OPTIONS[name]!.check(opts);
  return opts ?? ({} as O);
}

abstract class Loss extends Module {
  readonly reduction: Reduction;
  constructor(reduction?: Reduction) {
    super();
    this.reduction = checkReduction(this.constructor.name, reduction);
  }
  abstract override forward(input: Tensor, target: Tensor): Tensor;
}

abstract class WeightedLoss extends Loss {
  declare weight: Tensor | null;
  constructor(weight: Tensor | null | undefined, reduction?: Reduction) {
    super(reduction);
    this.registerBuffer('weight', weight ?? null);
  }
}

export class MSELoss extends Loss {
  constructor(opts: { reduction?: Reduction } = {}) {
    opts = lossOptions('MSELoss', opts);
    super(opts.reduction);
  }
  forward(input: Tensor, target: Tensor): Tensor {
    return mseLoss(input, target, { reduction: this.reduction });
  }
}

export class L1Loss extends Loss {
  constructor(opts: { reduction?: Reduction } = {}) {
    opts = lossOptions('L1Loss', opts);
    super(opts.reduction);
  }
  forward(input: Tensor, target: Tensor): Tensor {
    return l1Loss(input, target, { reduction: this.reduction });
  }
}

export class SmoothL1Loss extends Loss {
  readonly beta: number;
  constructor(opts: { reduction?: Reduction; beta?: number } = {}) {
    opts = lossOptions('SmoothL1Loss', opts);
    super(opts.reduction);
    this.beta = opts.beta ?? 1;
  }
  forward(input: Tensor, target: Tensor): Tensor {
    return smoothL1Loss(input, target, { reduction: this.reduction, beta: this.beta });
  }
}

export class HuberLoss extends Loss {
  readonly delta: number;
  constructor(opts: { reduction?: Reduction; delta?: number } = {}) {
    opts = lossOptions('HuberLoss', opts);
    super(opts.reduction);
    this.delta = opts.delta ?? 1;
  }
  forward(input: Tensor, target: Tensor): Tensor {
    return huberLoss(input, target, { reduction: this.reduction, delta: this.delta });
  }
}

export interface ClassLossOptions {
  weight?: Tensor | null;
  ignoreIndex?: number;
  reduction?: Reduction;
}

export class NLLLoss extends WeightedLoss {
  readonly ignoreIndex: number;
  constructor(opts: ClassLossOptions = {}) {
    opts = lossOptions('NLLLoss', opts);
    super(opts.weight, opts.reduction);
    this.ignoreIndex = opts.ignoreIndex ?? -100;
  }
  forward(input: Tensor, target: Tensor): Tensor {
    return nllLoss(input, target, { weight: this.weight, ignoreIndex: this.ignoreIndex, reduction: this.reduction });
  }
}

export class CrossEntropyLoss extends WeightedLoss {
  readonly ignoreIndex: number;
  readonly labelSmoothing: number;
  constructor(opts: ClassLossOptions & { labelSmoothing?: number } = {}) {
    opts = lossOptions('CrossEntropyLoss', opts);
    super(opts.weight, opts.reduction);
    this.ignoreIndex = opts.ignoreIndex ?? -100;
    this.labelSmoothing = opts.labelSmoothing ?? 0;
  }
  forward(input: Tensor, target: Tensor): Tensor {
    return crossEntropy(input, target, {
      weight: this.weight,
      ignoreIndex: this.ignoreIndex,
      reduction: this.reduction,
      labelSmoothing: this.labelSmoothing,
    });
  }
}

export class BCELoss extends WeightedLoss {
  constructor(opts: { weight?: Tensor | null; reduction?: Reduction } = {}) {
    opts = lossOptions('BCELoss', opts);
    super(opts.weight, opts.reduction);
  }
  forward(input: Tensor, target: Tensor): Tensor {
    return binaryCrossEntropy(input, target, { weight: this.weight, reduction: this.reduction });
  }
}

export class BCEWithLogitsLoss extends WeightedLoss {
  declare pos_weight: Tensor | null;
  constructor(opts: { weight?: Tensor | null; posWeight?: Tensor | null; reduction?: Reduction } = {}) {
    opts = lossOptions('BCEWithLogitsLoss', opts);
    super(opts.weight, opts.reduction);
    this.registerBuffer('pos_weight', opts.posWeight ?? null);
  }
  get posWeight(): Tensor | null {
    return this.pos_weight;
  }
  forward(input: Tensor, target: Tensor): Tensor {
    return binaryCrossEntropyWithLogits(input, target, { weight: this.weight, posWeight: this.pos_weight, reduction: this.reduction });
  }
}
