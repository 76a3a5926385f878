/**
 * Constructor arguments of modules the way PyTorch's read: positional in order, or as keyword options
 * (`new nn.Softmax({ dim: 1 })` for `nn.Softmax(dim=1)`, `new nn.LeakyReLU(0.2, { inplace: true })`), checked
 * against the module's options spec (unknown keys, types) with defaults applied.
 */
import type { z } from 'zod';
import { ArgumentError } from '../../ir/index.js';
import { Tensor } from '../../tensor/index.js';
import type { OptionsSpec } from '../../tensor/options.js';

const isOptions = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v) && !(v instanceof Tensor);

/** Merge positional `args` (named by `names`, in order) with a trailing options object, and parse them. */
export function moduleArgs<S extends z.ZodRawShape>(spec: OptionsSpec<S>, names: readonly (keyof S & string)[], args: readonly unknown[]) {
  let positional = [...args];
  while (positional.length > 0 && positional[positional.length - 1] === undefined) positional.pop();
  let opts: Record<string, unknown> = {};
  const last = positional[positional.length - 1];
  if (isOptions(last)) {
    opts = { ...last };
    positional = positional.slice(0, -1);
  }
  if (positional.length > names.length) {
    throw new ArgumentError(`${spec.fn}() takes ${names.length} positional argument${names.length === 1 ? '' : 's'} but ${positional.length} were given`);
  }
  const merged: Record<string, unknown> = {};
  positional.forEach((v, i) => {
    if (v === undefined) return;
    if (opts[names[i]!] !== undefined) throw new ArgumentError(`${spec.fn}() got multiple values for argument '${names[i]}'`);
    merged[names[i]!] = v;
  });
  return spec.parse({ ...merged, ...opts });
}
