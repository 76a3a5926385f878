/** Checks of hyperparameters several optimizers share, with PyTorch's messages. */
import { ValueError } from '../ir/index.js';

/** Adam-family betas: each in [0, 1). */
export function checkBetas(betas: readonly [number, number]): void {
  for (const i of [0, 1] as const) {
    if (!(betas[i] >= 0 && betas[i] < 1)) throw new ValueError(`Invalid beta parameter at index ${i}: ${betas[i]}`);
  }
}
