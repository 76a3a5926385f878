import { ArgumentError, ValueError } from '../../ir/index.js';
import { custom, defineOptions, describeValue } from '../../tensor/options.js';
import type { Optimizer } from '../optimizer.js';
import { ChainableLR } from './base.js';

type Lambda = (epoch: number) => number;

const LAMBDA_OPTIONS = defineOptions('LambdaLR', {
  lrLambda: custom<Lambda | Lambda[]>('a function or a list of functions', (v) => typeof v === 'function' || (Array.isArray(v) && v.every((f) => typeof f === 'function'))),
});

/** The rate is the base rate times `lrLambda(epoch)` (one function, or one per param group). Functions are not part of the state dict. */
export class LambdaLR extends ChainableLR {
  readonly lrLambdas: Lambda[];
  constructor(optimizer: Optimizer, opts: { lrLambda: Lambda | Lambda[] }) {
    const o = LAMBDA_OPTIONS.parse(opts);
    const n = (optimizer as Optimizer | undefined)?.paramGroups?.length ?? 0;
    if (Array.isArray(o.lrLambda) && o.lrLambda.length !== n) throw new ValueError(`Expected ${n} lr_lambdas, but got ${o.lrLambda.length}`);
    super(optimizer);
    this.lrLambdas = Array.isArray(o.lrLambda) ? [...o.lrLambda] : this.baseLrs.map(() => o.lrLambda as Lambda);
    this.initialStep();
  }
  protected getLr(): number[] {
    return this.baseLrs.map((lr, i) => {
      const f = this.lrLambdas[i]!(this.lastEpoch);
      if (typeof f !== 'number') throw new ArgumentError(`LambdaLR: lrLambda(${this.lastEpoch}) must return a number, not ${describeValue(f)}`);
      return lr * f;
    });
  }
}
